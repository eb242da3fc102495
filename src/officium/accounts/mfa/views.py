"""The second sign-in step and the two-step settings page: parse, call a service, render."""

from __future__ import annotations

import json
import time
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from officium.accounts.mfa import passkeys, recovery, services, totp
from officium.accounts.mfa.forms import CodeForm, PasswordForm, RecoveryCodeForm
from officium.accounts.mfa.models import PasskeyDevice
from officium.accounts.models import User
from officium.accounts.reauthentication import PasswordLocked

PENDING_USER = "officium.pending_mfa_user"
PENDING_NEXT = "officium.pending_next"
PENDING_SINCE = "officium.pending_since"
PENDING_SECONDS = 10 * 60  # the password step counts for ten minutes


# --- the second sign-in step ------------------------------------------------------------

def begin_second_step(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    """Called by the login view once the password is right and a second factor is on."""
    request.session.cycle_key()
    request.session[PENDING_USER] = user.pk
    request.session[PENDING_NEXT] = next_url
    request.session[PENDING_SINCE] = time.time()
    return redirect("accounts:login_verify")


def _pending_user(request: HttpRequest) -> User | None:
    since = request.session.get(PENDING_SINCE)
    if since is None or time.time() - float(since) > PENDING_SECONDS:
        return None
    user: User | None = User.objects.filter(pk=request.session.get(PENDING_USER), is_active=True).first()
    return user


def _finish(request: HttpRequest, user: User) -> str:
    next_url = request.session.get(PENDING_NEXT) or reverse("accounts:home")
    for key in (PENDING_USER, PENDING_NEXT, PENDING_SINCE):
        request.session.pop(key, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return str(next_url)


def login_verify(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        messages.info(request, "Sign in again.")
        return redirect("accounts:login")
    method = request.POST.get("method", "totp") if request.method == "POST" else ""
    code_form = CodeForm(request.POST if method == "totp" else None)
    recovery_form = RecoveryCodeForm(request.POST if method == "recovery" else None)
    status = 200
    if method in ("totp", "recovery"):
        form = code_form if method == "totp" else recovery_form
        if form.is_valid():
            if method == "totp":
                outcome = services.check_totp(user, form.cleaned_data["code"])
            else:
                outcome = services.check_recovery_code(user, form.cleaned_data["recovery_code"])
            if outcome.ok:
                return HttpResponseRedirect(_finish(request, user))
            field = "code" if method == "totp" else "recovery_code"
            form.add_error(field, outcome.message("code" if method == "totp" else "recovery code"))
            status = 429 if outcome.retry_at is not None else 400
        else:
            status = 400
    context = {"code_form": code_form, "recovery_form": recovery_form,
               "has_totp": services.totp_device(user) is not None,
               "has_passkeys": bool(services.user_passkeys(user)),
               "has_recovery": services.recovery_device(user) is not None}
    return render(request, "accounts/login_verify.html", context, status=status)


@require_POST
def login_passkey_options(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        return JsonResponse({"message": "Sign in again."}, status=400)
    return HttpResponse(passkeys.authentication_options(request, user), content_type="application/json")


@require_POST
def login_passkey(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        return JsonResponse({"message": "Sign in again."}, status=400)
    try:
        services.check_passkey(request, user, _json_body(request))
    except passkeys.PasskeyRefused as error:
        return JsonResponse({"message": str(error)}, status=400)
    return JsonResponse({"redirect": _finish(request, user)})


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as error:
        raise passkeys.PasskeyRefused("The browser's answer was not readable.") from error
    if not isinstance(data, dict):
        raise passkeys.PasskeyRefused("The browser's answer was not readable.")
    return data


# --- the settings page --------------------------------------------------------------------

@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    """Authenticator app, passkeys and recovery codes of the signed-in person."""
    user = request.user
    action = request.POST.get("action", "") if request.method == "POST" else ""
    code_form = CodeForm(request.POST if action == "confirm_totp" else None)
    password_form = PasswordForm(request.POST if action in ("turn_off", "regenerate") else None)
    new_codes: list[str] = []
    status = 200
    if action == "start_totp":
        services.start_totp(user)
        return redirect("accounts:mfa")
    if action == "cancel_totp":
        services.cancel_totp(user)
        return redirect("accounts:mfa")
    if action == "confirm_totp":
        pending = services.totp_device(user, confirmed=False)
        if pending is None:
            return redirect("accounts:mfa")
        if code_form.is_valid():
            outcome, new_codes = services.confirm_totp(user, pending, code_form.cleaned_data["code"])
            if outcome.ok:
                messages.success(request, "Two-step sign-in is on.")
            else:
                code_form.add_error("code", outcome.message())
                status = 429 if outcome.retry_at is not None else 400
        else:
            status = 400
    if action in ("turn_off", "regenerate") and password_form.is_valid():
        try:
            if action == "turn_off":
                services.turn_off(request, user, password_form.cleaned_data["password"])
                messages.success(request, "Two-step sign-in is off.")
                return redirect("accounts:mfa")
            new_codes = services.regenerate_recovery_codes(request, user, password_form.cleaned_data["password"])
        except ValidationError as error:
            _form_error(password_form, error)
            status = 429 if isinstance(error, PasswordLocked) else 400
    elif action in ("turn_off", "regenerate"):
        status = 400
    return render(request, "accounts/mfa.html", _page_context(request, user, code_form, password_form, new_codes),
                  status=status)


def _form_error(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _page_context(request: HttpRequest, user: Any, code_form: CodeForm, password_form: PasswordForm,
                  new_codes: list[str]) -> dict[str, Any]:
    pending = services.totp_device(user, confirmed=False)
    context: dict[str, Any] = {
        "enabled": services.has_second_factor(user), "totp": services.totp_device(user),
        "pending": pending, "passkeys": services.user_passkeys(user), "code_form": code_form,
        "password_form": password_form, "new_codes": new_codes,
        "codes_left": recovery.remaining(services.recovery_device(user)),
    }
    if pending is not None:
        uri = totp.provisioning_uri(pending, user.email)
        context.update(setup_secret=totp.base32_secret(pending), setup_qr=totp.qr_data_uri(uri))
    return context


@login_required
@require_POST
def passkey_options(request: HttpRequest) -> HttpResponse:
    return HttpResponse(passkeys.registration_options(request, request.user), content_type="application/json")


@login_required
@require_POST
def passkey_add(request: HttpRequest) -> HttpResponse:
    try:
        _, codes = services.add_passkey(request, request.user, _json_body(request))
    except passkeys.PasskeyRefused as error:
        return JsonResponse({"message": str(error)}, status=400)
    return JsonResponse({"redirect": reverse("accounts:mfa"), "codes": codes}, status=201)


@login_required
@require_POST
def passkey_remove(request: HttpRequest, passkey_id: int) -> HttpResponse:
    device = get_object_or_404(PasskeyDevice, pk=passkey_id, user=request.user)
    form = PasswordForm(request.POST)
    if form.is_valid():
        try:
            services.remove_passkey(request, request.user, device, form.cleaned_data["password"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("accounts:mfa")
        messages.success(request, f"{device.name} was removed.")
    else:
        messages.error(request, "Enter your password to remove a passkey.")
    return redirect("accounts:mfa")
