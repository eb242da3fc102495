"""Operator pages: the staff console (OP1), support under grants (OP2), the admins' grant
page, and the public forum with removal requests (OP4)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from officium.accounts import localtime
from officium.accounts.models import Membership, Organization
from officium.accounts.roles import ADMINISTRATORS
from officium.accounts.scoping import OrganizationMixin, scoped_get
from officium.billing import limits, usage
from officium.billing.models import Invoice
from officium.forms import apply_form_errors
from officium.operator import console, forum, grants
from officium.operator.models import (
    Access,
    Area,
    ForumPost,
    ForumTopic,
    RemovalRequest,
    RemovalStatus,
    SupportAccess,
    SupportGrant,
)
from officium.operator.staff import needs_two_step

# --- staff only ------------------------------------------------------------------------------


class StaffPage(LoginRequiredMixin, View):
    """Platform staff with two-step sign-in; everyone else gets 404 (the console does not exist
    for them)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return self.handle_no_permission()
        if not user.is_staff:
            raise Http404
        if needs_two_step(user):
            messages.info(request, "Platform staff must turn on two-step sign-in before using the console.")
            return redirect("accounts:mfa")
        return super().dispatch(request, *args, **kwargs)


class ConsoleView(StaffPage):
    def get(self, request: HttpRequest) -> HttpResponse:
        mine = SupportGrant.objects.filter(staff_id=request.user.pk, revoked_at=None,
                                           expires_at__gt=timezone.now(), starts_at__lte=timezone.now())
        return render(request, "operator/console.html", {"rows": console.organizations(),
                                                         "grants": mine.select_related("organization")})


class OrganizationUsageView(StaffPage):
    def get(self, request: HttpRequest, org_id: int) -> HttpResponse:
        organization = get_object_or_404(Organization, pk=org_id)
        return render(request, "operator/organization.html", {
            "row": next(r for r in console.organizations() if r.id == organization.pk),
            "days": usage.history(organization), "subscription": limits.subscription_for(organization)})


class TimeZoneForm(forms.Form):
    time_zone = forms.CharField(max_length=64)


class SupportView(StaffPage):
    """One area of one organization, only inside a live grant (404 otherwise); every visit and
    change is recorded and listed to the organization's admins."""

    def organization(self, org_id: int) -> Organization:
        return get_object_or_404(Organization, pk=org_id)

    def get(self, request: HttpRequest, org_id: int, area: str) -> HttpResponse:
        organization = self.organization(org_id)
        support_grant = grants.live_grant(request.user, organization, area)
        grants.record_access(support_grant, area, "GET")
        return self.show(organization, support_grant, area, TimeZoneForm(initial={"time_zone": organization.time_zone}))

    def post(self, request: HttpRequest, org_id: int, area: str) -> HttpResponse:
        organization = self.organization(org_id)
        if area != Area.SETTINGS:
            raise Http404
        support_grant = grants.live_grant(request.user, organization, area, write=True)
        form = TimeZoneForm(request.POST)
        if form.is_valid():
            try:
                zone = localtime.validate_zone(form.cleaned_data["time_zone"])
            except ValidationError as error:
                apply_form_errors(form, error)
            else:
                with transaction.atomic():
                    Organization.objects.filter(pk=organization.pk).update(time_zone=zone)
                    grants.record_access(support_grant, area, "POST", changed="time_zone")
                messages.success(request, "The organization's time zone was changed.")
                return redirect("operator:support", org_id=org_id, area=area)
        return self.show(organization, support_grant, area, form, status=400)

    def show(self, organization: Organization, support_grant: SupportGrant, area: str, form: TimeZoneForm,
             status: int = 200) -> HttpResponse:
        context: dict[str, Any] = {"organization": organization, "grant": support_grant, "area": area,
                                   "form": form, "zone": localtime.zone_for(organization)}
        if area == Area.MEMBERS:
            context["members"] = Membership.objects.filter(organization=organization).select_related("user")
        elif area == Area.BILLING:
            context["subscription"] = limits.subscription_for(organization)
            context["invoices"] = Invoice.objects.filter(organization=organization)[:24]
        return render(self.request, "operator/support.html", context, status=status)


class RemovalQueueView(StaffPage):
    def get(self, request: HttpRequest) -> HttpResponse:
        pending = RemovalRequest.objects.filter(status=RemovalStatus.PENDING).select_related("post", "post__topic")
        decided = RemovalRequest.objects.exclude(status=RemovalStatus.PENDING).select_related("post")[:50]
        return render(request, "operator/removals.html", {"pending": pending, "decided": decided})


class RemovalDecideView(StaffPage):
    def post(self, request: HttpRequest, removal_id: int) -> HttpResponse:
        removal = get_object_or_404(RemovalRequest.objects.select_related("requester"), pk=removal_id)
        try:
            forum.decide(request.user, removal, request.POST.get("outcome", ""), request.POST.get("reason", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("operator:removals")
        messages.success(request, "Decided; the person was told.")
        return redirect("operator:removals")


# --- the organization's admins: grants ---------------------------------------------------------


class GrantForm(forms.Form):
    staff_email = forms.EmailField(label="Platform staff member's email")
    areas = forms.MultipleChoiceField(choices=Area.choices, widget=forms.CheckboxSelectMultiple)
    access = forms.ChoiceField(choices=Access.choices, initial=Access.READ)
    reason = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    expires_at = forms.DateTimeField(label="Access ends (your organization's time)",
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class SupportAccessView(OrganizationMixin, View):
    allowed_roles = tuple(ADMINISTRATORS)

    def show(self, form: GrantForm, status: int = 200) -> HttpResponse:
        zone = localtime.zone_for(self.organization)
        form.fields["expires_at"].help_text = f"In {self.organization.time_zone} time; at most {grants.MAX_DAYS} days."
        return render(self.request, "operator/support_access.html", {
            "organization": self.organization, "membership": self.membership, "form": form, "zone": zone,
            "grants": self.scoped(SupportGrant.objects.select_related("staff", "granted_by")),
            "accesses": self.scoped(SupportAccess.objects.select_related("staff"))[:200],
            "now": timezone.now()}, status=status)

    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        return self.show(GrantForm())

    def post(self, request: HttpRequest, org: str) -> HttpResponse:
        form = GrantForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            expires = data["expires_at"]
            if timezone.is_naive(expires):
                data["expires_at"] = expires.replace(tzinfo=localtime.zone_for(self.organization))
            try:
                grants.grant(self.membership, data)
            except ValidationError as error:
                apply_form_errors(form, error)
            else:
                messages.success(request, "Support access granted; the staff member was told by email.")
                return redirect("operator:support_access", org=org)
        return self.show(form, status=400)


class GrantRevokeView(OrganizationMixin, View):
    allowed_roles = tuple(ADMINISTRATORS)

    def post(self, request: HttpRequest, org: str, grant_id: int) -> HttpResponse:
        support_grant = scoped_get(SupportGrant.objects.all(), self.organization, pk=grant_id)
        try:
            grants.revoke(self.membership, support_grant)
        except ValidationError:
            messages.info(request, "This grant was revoked already.")
        else:
            messages.success(request, "Support access revoked: it ends now.")
        return redirect("operator:support_access", org=org)


# --- the public forum ---------------------------------------------------------------------------


class ForumView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        topics = ForumTopic.objects.filter(removed_at=None).select_related("author")[:100]
        return render(request, "operator/forum.html", {"topics": topics})


class TopicNewView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "operator/topic_new.html", {"errors": {}})

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            topic = forum.start_topic(request.user, request.POST.get("title"), request.POST.get("body"))
        except ValidationError as error:
            return render(request, "operator/topic_new.html",
                          {"errors": error.message_dict, "values": request.POST}, status=400)
        return redirect("operator:topic", topic_id=topic.pk)


class TopicView(View):
    def topic(self, topic_id: int) -> ForumTopic:
        return get_object_or_404(ForumTopic, pk=topic_id, removed_at=None)

    def show(self, topic: ForumTopic, errors: dict[str, Any], status: int = 200) -> HttpResponse:
        posts = ForumPost.objects.filter(topic=topic).select_related("author")
        return render(self.request, "operator/topic.html", {"topic": topic, "posts": posts, "errors": errors},
                      status=status)

    def get(self, request: HttpRequest, topic_id: int) -> HttpResponse:
        return self.show(self.topic(topic_id), {})

    def post(self, request: HttpRequest, topic_id: int) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next=/forum/t/{topic_id}/")
        topic = self.topic(topic_id)
        try:
            forum.reply(request.user, topic, request.POST.get("body"))
        except ValidationError as error:
            return self.show(topic, error.message_dict, status=400)
        return redirect("operator:topic", topic_id=topic.pk)


class RemovalRequestView(LoginRequiredMixin, View):
    """Ask for one's personal information to be removed from one's own post."""

    def post_of(self, request: HttpRequest, post_id: int) -> ForumPost:
        return get_object_or_404(ForumPost.objects.select_related("topic"), pk=post_id,
                                 author_id=request.user.pk)

    def get(self, request: HttpRequest, post_id: int) -> HttpResponse:
        return render(request, "operator/removal_new.html", {"post": self.post_of(request, post_id), "errors": {}})

    def post(self, request: HttpRequest, post_id: int) -> HttpResponse:
        post = self.post_of(request, post_id)
        try:
            forum.request_removal(request.user, post, request.POST.get("details"))
        except ValidationError as error:
            return render(request, "operator/removal_new.html", {"post": post, "errors": error.message_dict},
                          status=400)
        messages.success(request, "Your request was sent to the moderators. You will see their answer here.")
        return redirect("operator:my_removals")


class MyRemovalsView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        mine = RemovalRequest.objects.filter(requester_id=request.user.pk).select_related("post", "post__topic")
        return render(request, "operator/my_removals.html", {"removals": mine})
