"""Identity verification: a password re-entered recently (account holders) or an emailed
code (everyone else, RI9).

Codes are 8 digits, stored as a keyed hash bound to the request, expire after 30 minutes
and allow 5 attempts; the 6th attempt is refused even with the right code.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from officium.accounts.emails import send_service_email
from officium.env import envint
from officium.errors import ErrorCode
from officium.privacy.rights.models import EmailCode, RightsRequest

CODE_DIGITS = 8
CODE_LIFETIME = timedelta(minutes=30)
MAX_ATTEMPTS = 5
REAUTH_SESSION_KEY = "officium.rights.reauthenticated_at"
REAUTH_WINDOW_SECONDS = envint("OFFICIUM_RIGHTS_REAUTH_MINUTES", 10) * 60


class TooManyAttempts(ValidationError):
    """The code may not be tried again; the answer is 429."""

    http_status = 429
    error_code = ErrorCode.TOO_MANY_ATTEMPTS


def _key(purpose: str) -> bytes:
    return hashlib.sha256(f"officium.rights.{purpose}:{settings.SECRET_KEY}".encode()).digest()


def email_hash(email: str) -> str:
    """A keyed hash of the normalized address: finds duplicates without reading emails."""
    return hmac.new(_key("email"), email.strip().lower().encode(), hashlib.sha256).hexdigest()


def _code_hash(request: RightsRequest, code: str) -> str:
    return hmac.new(_key("code"), f"{request.ref}:{code}".encode(), hashlib.sha256).hexdigest()


def issue_code(request: RightsRequest) -> None:
    """Store a new code's hash (replacing any earlier one) and email the code on commit."""
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    now = timezone.now()
    EmailCode.objects.update_or_create(request=request, defaults={
        "code_hash": _code_hash(request, code), "sent_at": now, "expires_at": now + CODE_LIFETIME,
        "attempts": 0, "used_at": None})
    send_service_email(request.email, "rights_code", {
        "code": code, "request": request, "minutes": int(CODE_LIFETIME.total_seconds() // 60)})


def check_code(request: RightsRequest, code: str) -> None:
    """Raise unless ``code`` is this request's current code. A wrong attempt is counted (and
    committed by the caller's view even though the request itself does not change)."""
    code = (code or "").strip()
    if not code.isdigit() or not 6 <= len(code) <= 8:
        raise ValidationError({"code": "Enter the 8-digit code from the email."})
    stored = EmailCode.objects.filter(request=request).first()
    if stored is None or stored.used_at is not None:
        raise ValidationError({"code": "No code is waiting for this request: ask for a new one."})
    if stored.attempts >= MAX_ATTEMPTS:
        raise TooManyAttempts({"code": "Too many attempts: ask for a new code."})
    if stored.expires_at <= timezone.now():
        raise ValidationError({"code": "This code has expired: ask for a new one."})
    if not hmac.compare_digest(stored.code_hash, _code_hash(request, code)):
        EmailCode.objects.filter(pk=stored.pk).update(attempts=F("attempts") + 1)
        left = MAX_ATTEMPTS - stored.attempts - 1
        if left <= 0:
            raise TooManyAttempts({"code": "Too many attempts: ask for a new code."})
        raise ValidationError({"code": f"This code is not right ({left} attempts left)."})
    EmailCode.objects.filter(pk=stored.pk).update(used_at=timezone.now())


def remember_reauthentication(session: Any) -> None:
    session[REAUTH_SESSION_KEY] = time.time()


def recently_reauthenticated(session: Any) -> bool:
    at = session.get(REAUTH_SESSION_KEY) if session is not None else None
    return at is not None and time.time() - float(at) <= REAUTH_WINDOW_SECONDS


def reauthenticate(user: Any, password: str, session: Any = None) -> None:
    """Check the password of the signed-in person; remember it in the session for N minutes."""
    if not password or not user.check_password(password):
        raise ValidationError({"password": "Enter your current password to confirm it is you."})
    if session is not None:
        remember_reauthentication(session)
