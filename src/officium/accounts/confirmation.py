"""Single-use email confirmation links (AC3).

The token hashes the user's activation state and password, so it stops working the moment the
account is confirmed, and it expires with PASSWORD_RESET_TIMEOUT.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

if TYPE_CHECKING:
    from officium.accounts.models import User


class ConfirmationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "officium.accounts.confirmation"

    def _make_hash_value(self, user, timestamp: int) -> str:  # type: ignore[no-untyped-def]
        return f"{user.pk}{user.password}{user.email}{user.email_confirmed_at}{user.is_active}{timestamp}"


confirmation_tokens = ConfirmationTokenGenerator()


def confirmation_path(user: User) -> str:
    from django.urls import reverse

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("accounts:confirm", kwargs={"uidb64": uid, "token": confirmation_tokens.make_token(user)})


def user_from_uid(uidb64: str) -> User | None:
    from officium.accounts.models import User

    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user: User | None = User.objects.filter(pk=pk).first()
    return user
