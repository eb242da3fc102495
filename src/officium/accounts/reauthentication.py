"""Asking a signed-in person for their password again, throttled like the login (AC7).

The check goes through ``django.contrib.auth.authenticate``, so django-axes counts a wrong
password here exactly as at the sign-in form (per address and IP): guessing the password from a
borrowed session is as slow as guessing it at the door, and both locks are one lock.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.http import HttpRequest


class PasswordLocked(ValidationError):
    """Too many wrong passwords: the answer is 429, like the login's lockout page."""


def confirm_password(request: HttpRequest | None, user: Any, password: str,
                     field: str = "password") -> None:
    """Raise ValidationError unless ``password`` is ``user``'s; PasswordLocked when axes has
    locked the address. ``request`` is None only outside the web (scripts, officer tooling)."""
    if request is None:
        if not password or not user.check_password(password):
            raise ValidationError({field: "That is not your password."})
        return
    found = authenticate(request, username=user.email, password=password or "")
    if getattr(request, "axes_locked_out", False):
        # The caller answers 429 on its own form; axes' middleware would swap in the login's
        # lockout page, which is HTML even under /api/.
        request.axes_locked_out = False  # type: ignore[attr-defined]
        raise PasswordLocked({field: "Too many wrong passwords: try again later, or reset your password."})
    if found is None or found.pk != user.pk:
        raise ValidationError({field: "That is not your password."})
