"""Account and organization pages: parse, check access, call a service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.forms import CharField, Form, PasswordInput
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from officium.accounts import age_gate, services
from officium.accounts.confirmation import confirmation_tokens, user_from_uid
from officium.accounts.forms import (
    ApiTokenForm,
    EmailLoginForm,
    InvitedSignupForm,
    InviteForm,
    MemberForm,
    OrganizationSettingsForm,
    SetPasswordForm,
    SignupForm,
)
from officium.accounts.mfa import services as mfa_services
from officium.accounts.mfa.views import begin_second_step
from officium.accounts.models import ApiToken, Membership
from officium.accounts.roles import ADMINISTRATORS, CAN_INVITE, CAN_SEE_MEMBERS, Role
from officium.accounts.scoping import OrganizationMixin, SignedInRequest, scoped_get
from officium.forms import apply_form_errors


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    memberships = list(request.user.memberships.select_related("organization"))
    if len(memberships) == 1:
        only = memberships[0]
        if only.role in ADMINISTRATORS and not only.organization.onboarding:
            return redirect("onboarding:start", org=only.organization.slug)  # UX2: a new owner is led
        return redirect("accounts:dashboard", org=only.organization.slug)
    return render(request, "accounts/home.html", {"memberships": memberships})


def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    valid = request.method == "POST" and form.is_valid()
    if request.method == "POST" and age_gate.refuses(getattr(form, "cleaned_data", {})):
        # NO4: below the policy's age, nothing is created and nothing typed is shown or kept.
        return render(request, "privacy/age_refused.html",
                      {"threshold": age_gate.rule().threshold}, status=403)  # type: ignore[union-attr]
    if valid:
        try:
            services.signup_organization(age_gate.signup_data(form.cleaned_data))
        except ValidationError as error:
            apply_form_errors(form, error)
        else:  # the same page whether or not the address already had an account
            return render(request, "accounts/signup_done.html",
                          {"email": form.cleaned_data["email"].strip().lower()})
    return render(request, "accounts/signup.html", {"form": form}, status=400 if form.errors else 200)


def confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """GET shows the page (mail scanners must not confirm); POST confirms."""
    user = user_from_uid(uidb64)
    if user is None or not confirmation_tokens.check_token(user, token):
        return render(request, "accounts/confirm_invalid.html", status=404)
    needs_password = not user.has_usable_password()
    form = SetPasswordForm(request.POST or None) if needs_password else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            services.confirm_email(user, form.cleaned_data["new_password1"] if form else None)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("accounts:login")
        messages.success(request, "Your email address is confirmed. Welcome to Officium.")
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("accounts:home")
    return render(request, "accounts/confirm.html", {"form": form, "email": user.email},
                  status=400 if form is not None and form.errors else 200)


class LoginView(auth_views.LoginView):
    form_class = EmailLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if mfa_services.has_second_factor(user):
            return begin_second_step(self.request, user, self.get_success_url())
        return super().form_valid(form)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:home")
    request: SignedInRequest

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        revoked = services.password_changed(self.request.user, how="changed")
        messages.success(self.request, "Your password was changed." + (
            f" {revoked} API token(s) were revoked." if revoked else ""))
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed(form.user, how="reset")
        messages.success(self.request, "Your password was reset. Sign in with the new one.")
        return response


@login_required
def security(request: SignedInRequest) -> HttpResponse:
    """Password, two-step sign-in (its own page) and API tokens of the signed-in person."""
    user = request.user
    token_form = ApiTokenForm(request.POST if request.POST.get("action") == "create_token" else None)
    new_token = None
    if request.method == "POST" and request.POST.get("action") == "create_token" and token_form.is_valid():
        _, new_token = services.create_api_token(user, token_form.cleaned_data["name"])
    context = {
        "token_form": token_form, "new_token": new_token,
        "mfa_enabled": mfa_services.has_second_factor(user),
        "tokens": ApiToken.objects.filter(user=user, revoked_at=None),
    }
    bad = request.method == "POST" and token_form.errors
    return render(request, "accounts/security.html", context, status=400 if bad else 200)


@login_required
@require_POST
def revoke_token(request: SignedInRequest, token_id: int) -> HttpResponse:
    from django.shortcuts import get_object_or_404

    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.revoke_api_token(request.user, token)
    messages.success(request, "The token was revoked.")
    return redirect("accounts:security")


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.open_invitation(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = InvitedSignupForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                membership = services.accept_invitation(invitation, request.user)
            elif form.is_valid():
                membership = services.register_invited_user(
                    invitation, form.cleaned_data["first_name"], form.cleaned_data["last_name"],
                    form.cleaned_data["new_password1"])
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                membership = None
        except ValidationError as error:
            apply_form_errors(form, error)
            membership = None
        if membership is not None:
            return redirect("accounts:dashboard", org=membership.organization.slug)
    return render(request, "accounts/invitation.html",
                  {"invitation": invitation, "form": form}, status=400 if form.errors else 200)


class DashboardView(OrganizationMixin, TemplateView):
    """What matters now for this person in this organization (UX3): panels from each app."""

    template_name = "accounts/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from officium.accounts import dashboard

        context = super().get_context_data(**kwargs)
        context["member_count"] = Membership.objects.for_organization(self.organization).count()
        context["panels"] = dashboard.panels_for(self.membership)
        return context


class MembersView(OrganizationMixin, TemplateView):
    template_name = "accounts/members.html"
    allowed_roles = tuple(CAN_SEE_MEMBERS)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["members"] = Membership.objects.for_organization(self.organization).select_related(
            "user", "reports_to__user")
        context["can_invite"] = self.membership.role in CAN_INVITE
        context["can_manage"] = self.membership.role in ADMINISTRATORS
        return context


class OrganizationSettingsView(OrganizationMixin, View):
    """The organization's settings (UX3): name, time zone (WT1), logo, links to its attendance
    rules, mail sender and billing, and the danger zone; administrators only."""

    allowed_roles = tuple(ADMINISTRATORS)

    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        o = self.organization
        return self.show(OrganizationSettingsForm(initial={"name": o.name, "time_zone": o.time_zone}))

    def post(self, request: HttpRequest, org: str) -> HttpResponse:
        form = OrganizationSettingsForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            upload = data.get("logo")
            try:
                services.change_organization(
                    self.membership, data["time_zone"], name=data["name"] or None,
                    logo=upload.read(services.LOGO_MAX_BYTES + 1) if upload else None,
                    remove_logo=data["remove_logo"])
            except ValidationError as error:
                apply_form_errors(form, error)
            else:
                messages.success(request, "Organization settings saved.")
                return redirect("accounts:organization_settings", org=org)
        return self.show(form, status=400)

    def show(self, form: OrganizationSettingsForm, status: int = 200) -> HttpResponse:
        from officium.accounts.navigation import ORGANIZATION, sections

        more = [link for s in sections(self.membership.user, self.membership) if s.title == ORGANIZATION
                for link in s.links if link.url_name != "accounts:organization_settings"]
        return render(self.request, "accounts/organization_settings.html",
                      {"form": form, "organization": self.organization, "membership": self.membership,
                       "more": more}, status=status)


class LogoView(OrganizationMixin, View):
    """The organization's logo, for its members' header."""

    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        o = self.organization
        if not o.logo_type:
            raise Http404
        response = HttpResponse(bytes(o.logo), content_type=o.logo_type)
        response["Cache-Control"] = "private, max-age=300"
        return response


class InviteView(OrganizationMixin, View):
    allowed_roles = tuple(CAN_INVITE)

    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        return self.show(InviteForm(self.membership))

    def post(self, request: HttpRequest, org: str) -> HttpResponse:
        form = InviteForm(self.membership, request.POST)
        if form.is_valid():
            try:
                services.invite_member(self.membership, form.cleaned_data["email"],
                                       form.cleaned_data["role"], form.cleaned_data["reports_to"])
            except ValidationError as error:
                apply_form_errors(form, error)
            else:
                messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
                return redirect("accounts:members", org=org)
        return self.show(form, status=400)

    def show(self, form: InviteForm, status: int = 200) -> HttpResponse:
        return render(self.request, "accounts/invite.html",
                      {"form": form, "organization": self.organization, "membership": self.membership},
                      status=status)


class MemberView(OrganizationMixin, View):
    allowed_roles = tuple(ADMINISTRATORS)

    def get(self, request: HttpRequest, org: str, member_id: int) -> HttpResponse:
        member = scoped_get(Membership.objects.select_related("user"), self.organization, pk=member_id)
        initial = {"role": member.role, "reports_to": member.reports_to,
                   "can_see_report_locations": member.can_see_report_locations}
        return self.show(member, MemberForm(self.membership, member, initial=initial))

    def post(self, request: HttpRequest, org: str, member_id: int) -> HttpResponse:
        member = scoped_get(Membership.objects.select_related("user"), self.organization, pk=member_id)
        form = MemberForm(self.membership, member, request.POST)
        if form.is_valid():
            try:
                services.change_member(self.membership, member, form.cleaned_data["role"],
                                       form.cleaned_data["reports_to"],
                                       form.cleaned_data["can_see_report_locations"])
            except ValidationError as error:
                apply_form_errors(form, error)
            else:
                messages.success(request, f"{member.user} was updated.")
                return redirect("accounts:members", org=org)
        return self.show(member, form, status=400)

    def show(self, member: Membership, form: MemberForm, status: int = 200) -> HttpResponse:
        return render(self.request, "accounts/member.html",
                      {"form": form, "member": member, "organization": self.organization,
                       "membership": self.membership}, status=status)


class RemoveMemberView(OrganizationMixin, View):
    allowed_roles = tuple(ADMINISTRATORS)

    def post(self, request: HttpRequest, org: str, member_id: int) -> HttpResponse:
        member = scoped_get(Membership.objects.select_related("user"), self.organization, pk=member_id)
        try:
            services.remove_member(self.membership, member)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{member.user} was removed from {self.organization}.")
        return redirect("accounts:members", org=org)




# --- RE2/RE3: terminating an organization, cancelling an account ------------------------

class ConfirmPasswordForm(Form):
    password = CharField(label="Your password", widget=PasswordInput, strip=False)


@login_required
def cancel_account(request: SignedInRequest) -> HttpResponse:
    """RE3: the person's data leaves the live database at once; held data is listed first."""
    from django.contrib.auth import logout

    from officium.accounts import termination

    user = request.user
    form = ConfirmPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = termination.cancel_account(user, form.cleaned_data["password"], request)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            logout(request)
            return render(request, "accounts/cancelled.html", {"report": report})
    context = {"form": form, "kept": termination.kept_on_cancel(user),
               "blockers": termination.cancellation_blockers(user)}
    return render(request, "accounts/cancel.html", context, status=400 if form.errors else 200)


class TerminateOrganizationView(OrganizationMixin, View):
    """RE2: the owner ends the organization; it stays exportable for the grace period."""

    allowed_roles = (Role.OWNER,)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.page(ConfirmPasswordForm())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from officium.accounts import termination

        form = ConfirmPasswordForm(request.POST)
        if form.is_valid():
            try:
                termination.terminate_organization(self.membership, form.cleaned_data["password"],
                                                   request)
            except ValidationError as error:
                apply_form_errors(form, error)
            else:
                messages.success(request, "The organization is terminated. Export what you need "
                                          "before its data is deleted.")
                return redirect("accounts:terminate", org=self.organization.slug)
        return self.page(form, status=400)

    def page(self, form: Form, status: int = 200) -> HttpResponse:
        from officium.accounts import termination

        self.organization.refresh_from_db()
        context = {"organization": self.organization, "membership": self.membership, "form": form,
                   "grace_days": termination.grace_days(),
                   "deletion_due": termination.deletion_due(self.organization)}
        return render(self.request, "accounts/terminate.html", context, status=status)
