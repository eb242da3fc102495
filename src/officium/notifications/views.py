"""The notification list, marking read, and the email setting (UX4): every page reads only the
signed-in person's own notifications, so someone else's id answers 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from officium.accounts.scoping import SignedInRequest
from officium.forms import apply_form_errors
from officium.notifications import services
from officium.notifications.models import EmailMode

PAGE_SIZE = 30


class EmailSettingForm(forms.Form):
    email = forms.ChoiceField(choices=EmailMode.choices, widget=forms.RadioSelect,
                              label="Email me about notifications")


@login_required
@require_http_methods(["GET", "HEAD"])
def notification_list(request: SignedInRequest) -> HttpResponse:
    rows = services.inbox(request.user)
    unread_only = request.GET.get("show") == "unread"
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {
        "page": page, "unread_only": unread_only,
        "email_mode_label": EmailMode(services.email_mode(request.user)).label})


@login_required
@require_POST
def open_notification(request: SignedInRequest, notification_id: int) -> HttpResponse:
    """Mark one read and go where it points (a POST: reading changes state)."""
    row = get_object_or_404(services.inbox(request.user), pk=notification_id)
    services.mark_read(request.user, [row.pk])
    if row.url and url_has_allowed_host_and_scheme(row.url, allowed_hosts=None):
        return redirect(row.url)
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request: SignedInRequest) -> HttpResponse:
    changed = services.mark_read(request.user)
    messages.success(request, f"Marked {changed} notification{'s' if changed != 1 else ''} read.")
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def email_settings(request: SignedInRequest) -> HttpResponse:
    form = EmailSettingForm(request.POST or None, initial={"email": services.email_mode(request.user)})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_email_mode(request.user, form.cleaned_data["email"])
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, "Saved how notifications are emailed to you.")
            return redirect("notifications:list")
    status = 400 if request.method == "POST" else 200
    return render(request, "notifications/settings.html", {"form": form}, status=status)


def unread_badge(request: HttpRequest) -> dict[str, object]:
    """Context processor: the unread count in the header (one COUNT per signed-in page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": services.unread_count(user)}
