"""OP3: platform staff accounts. ``officium staff create EMAIL`` makes an active staff account
and prints a link to choose its password; until the account has enrolled two-step sign-in,
every page answers with the two-step setup (the console also requires it of every staff
member)."""

from __future__ import annotations

import sys
from collections.abc import Callable

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from officium.accounts.mfa.services import has_second_factor
from officium.accounts.models import User
from officium.operator.audit_events import STAFF_CREATED
from officium.operator.models import StaffAccount
from officium.privacy import audit

ALLOWED_PREFIXES = ("/accounts/security/two-step/", "/accounts/login", "/accounts/logout",
                    "/accounts/password/", "/static/", "/healthz", "/readyz")


def create_staff(email: str) -> tuple[User, str]:
    """A new active staff account (unusable password) and the path to choose its password."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter a valid email address."}) from None
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "An account with this address exists already."})
    with transaction.atomic():
        user = User.objects.create_user(email, None, is_active=True, is_staff=True,
                                        email_confirmed_at=timezone.now())
        StaffAccount.objects.create(user=user)
        audit.record(STAFF_CREATED, subject=user, target=user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return user, reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})


def needs_two_step(user: object) -> bool:
    return bool(getattr(user, "is_staff", False)) and not has_second_factor(user)


class StaffTwoStepMiddleware:
    """An account made by ``officium staff create`` does nothing before enrolling two-step
    sign-in: each request goes to the setup page (API: 403)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and user.is_staff
                and not request.path.startswith(ALLOWED_PREFIXES)
                and StaffAccount.objects.filter(user_id=user.pk).exists() and not has_second_factor(user)):
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "forbidden", "field": None,
                                     "message": "Staff accounts must turn on two-step sign-in first."}, status=403)
            return redirect(reverse("accounts:mfa"))
        return self.get_response(request)


def main(args: list[str]) -> int:
    """``officium staff create EMAIL``."""
    if len(args) != 2 or args[0] != "create":
        print("usage: officium staff create EMAIL", file=sys.stderr)
        return 2
    from django.conf import settings

    try:
        user, path = create_staff(args[1])
    except ValidationError as error:
        print(f"officium staff create: {'; '.join(error.messages)}", file=sys.stderr)
        return 2
    print(f"Staff account {user.email} created. Choose its password here (valid for one use):")
    print(f"  {settings.SITE_URL}{path}")
    print("Then sign in: two-step sign-in must be turned on before anything else.")
    return 0
