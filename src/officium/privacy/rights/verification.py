"""Identity verification: a password re-entered recently (account holders) or an emailed
code (everyone else, RI9).

Codes are 8 digits, stored as a keyed hash bound to the request, expire after 30 minutes
and allow 5 attempts; the 6th attempt is refused even with the right code. At most
``CODES_PER_HOUR`` codes are emailed to one address in an hour, whichever requests they are
for, so the form cannot be used to flood someone's mailbox.
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

from officium.errors import ErrorCode
from officium.mail.outbox import Throttle, Throttled
from officium.mail.service import send_service_email
from officium.privacy.rights.models import EmailCode, RightsRequest

CODE_DIGITS = 8
CODE_LIFETIME = timedelta(minutes=30)
MAX_ATTEMPTS = 5
REAUTH_SESSION_KEY = "officium.rights.reauthenticated_at"
REAUTH_WINDOW_SECONDS: int = settings.OFFICIUM_RIGHTS_REAUTH_MINUTES * 60
CODES_PER_HOUR: int = settings.OFFICIUM_RIGHTS_CODES_PER_HOUR


class TooManyAttempts(ValidationError):
    """The code may not be tried again; the answer is 429."""

    http_status = 429
    error_code = ErrorCode.TOO_MANY_ATTEMPTS


class TooManyCodes(TooManyAttempts):
    """This address got its share of codes for the hour; the answer is 429, nothing saved."""


def _key(purpose: str) -> bytes:
    return hashlib.sha256(f"officium.rights.{purpose}:{settings.SECRET_KEY}".encode()).digest()


def email_hash(email: str) -> str:
    """A keyed hash of the normalized address: finds duplicates without reading emails."""
    return hmac.new(_key("email"), email.strip().lower().encode(), hashlib.sha256).hexdigest()


def _code_hash(request: RightsRequest, code: str) -> str:
    return hmac.new(_key("code"), f"{request.ref}:{code}".encode(), hashlib.sha256).hexdigest()


def issue_code(request: RightsRequest) -> None:
    """Store a new code's hash (replacing any earlier one) and queue the email with the code.

    Raises ``TooManyCodes`` when the address had ``CODES_PER_HOUR`` codes this hour: the
    caller's transaction then rolls back, so nothing is saved either."""
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    now = timezone.now()
    EmailCode.objects.update_or_create(request=request, defaults={
        "code_hash": _code_hash(request, code), "sent_at": now, "expires_at": now + CODE_LIFETIME,
        "attempts": 0, "used_at": None})
    try:
        send_service_email(request.email, "rights_code", {
            "code": code, "request": request, "minutes": int(CODE_LIFETIME.total_seconds() // 60)},
            throttle=Throttle(CODES_PER_HOUR))
    except Throttled:
        raise TooManyCodes({"email": "Too many codes were sent to this address in the last "
                                     "hour: try again later."}) from None


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


def reauthenticate(user: Any, password: str, session: Any = None, request: Any = None) -> None:
    """Check the password of the signed-in person; remember it in the session for N minutes.

    With the web request the check counts against the login's throttle (django-axes): after
    as many wrong passwords as the login allows, it answers 429 (TooManyAttempts)."""
    from officium.accounts.reauthentication import PasswordLocked, confirm_password

    if not password:
        raise ValidationError({"password": "Enter your current password to confirm it is you."})
    try:
        confirm_password(request, user, password)
    except PasswordLocked as error:
        raise TooManyAttempts(error.message_dict) from error
    except ValidationError as error:
        raise ValidationError({"password": "Enter your current password to confirm it is you."}) from error
    if session is not None:
        remember_reauthentication(session)
