"""Communications pages: parse, call a service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import FormView

from officium.accounts.roles import ADMINISTRATORS
from officium.accounts.scoping import OrganizationMixin, SignedInRequest
from officium.comms import services, unsubscribe
from officium.comms.forms import (
    AnswerForm,
    ComplaintForm,
    ContactForm,
    MailSettingsForm,
    NewsletterForm,
    SupportForm,
    TransferForm,
)
from officium.comms.models import Complaint, OrganizationMailSettings
from officium.mail import watch
from officium.privacy.consent import catalogue


def _apply_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _controller() -> Any:
    return catalogue.policy().controller


# --- unsubscribe (CO4) ------------------------------------------------------------------

@csrf_exempt  # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" with no session
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        item = unsubscribe.read_token(token)
    except unsubscribe.InvalidToken as error:
        return render(request, "comms/unsubscribe_invalid.html",
                      {"reason": str(error), "expired": isinstance(error, unsubscribe.ExpiredToken)},
                      status=400)
    if request.method == "GET":  # link scanners follow GET: it only shows the button
        return render(request, "comms/unsubscribe.html", {"item": item, "token": token})
    changed = services.unsubscribe_with_token(token)
    return render(request, "comms/unsubscribed.html", {"changed": changed})


# --- newsletter (AC4) -------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def newsletter(request: HttpRequest) -> HttpResponse:
    form = NewsletterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.subscribe_newsletter(form.cleaned_data["email"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return render(request, "comms/newsletter_sent.html")
    return render(request, "comms/newsletter.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def newsletter_confirm(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "GET":
        return render(request, "comms/newsletter_confirm.html", {"token": token})
    try:
        services.confirm_newsletter(token)
    except ValidationError as error:
        return render(request, "comms/newsletter_invalid.html", {"errors": error.messages}, status=400)
    return render(request, "comms/newsletter_confirmed.html")


# --- contact, support, complaints (NO5) -------------------------------------------------

@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.submit_contact(data["submission_id"], data["name"], data["email"], data["message"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Thank you: we will answer by email.")
            return redirect("comms:contact")
    return render(request, "comms/contact.html", {"form": form, "controller": _controller()},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def support(request: HttpRequest) -> HttpResponse:
    form = SupportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.submit_support(request.user, data["submission_id"], data["topic"], data["message"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Your support request was sent.")
            return redirect("comms:support")
    return render(request, "comms/support.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def complaints(request: SignedInRequest) -> HttpResponse:
    form = ComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint, _ = services.file_complaint(request.user, data["submission_id"], data["topic"],
                                                   data["message"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Your complaint was filed.")
            return redirect("comms:complaint", reference=complaint.reference)
    mine = Complaint.objects.filter(user=request.user)
    return render(request, "comms/complaints.html",
                  {"form": form, "complaints": mine, "controller": _controller()},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def complaint(request: SignedInRequest, reference: Any) -> HttpResponse:
    item = get_object_or_404(Complaint, reference=reference, user=request.user)
    if request.method == "POST":
        services.close_complaint(request.user, item)
        messages.success(request, "The complaint is closed.")
        return redirect("comms:complaint", reference=item.reference)
    return render(request, "comms/complaint.html", {"complaint": item, "controller": _controller()})


def _staff(request: HttpRequest) -> None:
    if not (request.user.is_authenticated and request.user.is_staff):
        raise Http404


@login_required
def staff_complaints(request: HttpRequest) -> HttpResponse:
    _staff(request)
    return render(request, "comms/staff_complaints.html",
                  {"complaints": Complaint.objects.select_related("user")[:200]})


@login_required
@require_http_methods(["GET", "POST"])
def staff_complaint(request: SignedInRequest, complaint_id: int) -> HttpResponse:
    _staff(request)
    item = get_object_or_404(Complaint, pk=complaint_id)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_complaint(request.user, item, form.cleaned_data["answer"],
                                      form.cleaned_data["close"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "The answer was sent.")
            return redirect("comms:staff_complaints")
    return render(request, "comms/staff_complaint.html", {"complaint": item, "form": form},
                  status=400 if form.errors else 200)


# --- announcements (NO3) ----------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def announce_transfer(request: SignedInRequest) -> HttpResponse:
    _staff(request)
    form = TransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _, count = services.announce_transfer(form.cleaned_data["new_owner"], request.user,
                                                  form.cleaned_data["effective_on"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Announced; {count} users are emailed.")
            return redirect("comms:announce_transfer")
    return render(request, "comms/announce_transfer.html", {"form": form},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def dismiss_announcement(request: HttpRequest) -> HttpResponse:
    try:
        services.dismiss_announcement(request.user, request.POST.get("announcement"))
    except ValidationError as error:
        return render(request, "consent/error.html", {"detail": error.message_dict, "back": "/"},
                      status=400)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return HttpResponseRedirect(target)


# --- the organization's own sender ------------------------------------------------------

class MailSettingsView(OrganizationMixin, FormView[MailSettingsForm]):
    template_name = "comms/mail_settings.html"
    form_class = MailSettingsForm
    allowed_roles = ADMINISTRATORS

    def get_initial(self) -> dict[str, Any]:
        row = self.scoped(OrganizationMailSettings.objects.all()).first()
        if row is None:
            return {"port": 587, "use_tls": True, "enabled": True}
        return {f: getattr(row, f) for f in ("host", "port", "username", "use_tls", "from_address",
                                             "enabled")}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["current"] = self.scoped(OrganizationMailSettings.objects.all()).first()
        org = self.organization.pk
        context.update(failed=watch.failed(org), waiting=watch.waiting(org), counts=watch.counts(org))
        return context

    def form_valid(self, form: MailSettingsForm) -> HttpResponse:
        try:
            services.save_mail_settings(self.membership, form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
            return self.form_invalid(form)
        except PermissionDenied:
            raise
        messages.success(self.request, "The mail sender is saved.")
        return redirect("comms:mail_settings", org=self.organization.slug)

    def form_invalid(self, form: MailSettingsForm) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)
