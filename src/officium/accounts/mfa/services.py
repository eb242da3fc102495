"""Every change to a person's second factor, and each check of the second sign-in step.

Changes validate first, then change the devices and write the audit entry in one transaction.
Checks go through ``GuardedDevice.claim_attempt``: each wrong code slows the next attempt
(django-otp's throttle) and enough of them in a row lock the method for a while; the person is
emailed when that happens, since it means someone knows their password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from officium.accounts.emails import send_service_email
from officium.accounts.mfa import passkeys, recovery, totp
from officium.accounts.mfa.models import GuardedDevice, PasskeyDevice, RecoveryDevice, TotpDevice
from officium.accounts.reauthentication import confirm_password
from officium.privacy import audit

TOTP_NAME = "Authenticator app"


@dataclass(frozen=True)
class Outcome:
    """What one attempt at the second step came to."""

    ok: bool
    retry_at: datetime | None = None  # set when the attempt was not even considered
    locked: bool = False

    def message(self, what: str = "code") -> str:
        if self.ok:
            return ""
        if self.locked and self.retry_at is not None:
            return (f"Too many wrong {what}s: this way of signing in is locked until "
                    f"{timezone.localtime(self.retry_at):%H:%M %Z}. Use another method or try later.")
        if self.retry_at is not None:
            seconds = max(1, int((self.retry_at - timezone.now()).total_seconds() + 0.999))
            return f"Too many wrong {what}s: wait {seconds} seconds, then try again."
        return f"That {what} is not valid (a code works once). Check your device's clock."


# --- state ------------------------------------------------------------------------------

def totp_device(user: Any, confirmed: bool = True) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()


def recovery_device(user: Any) -> RecoveryDevice | None:
    return RecoveryDevice.objects.filter(user=user, confirmed=True).first()


def user_passkeys(user: Any) -> list[PasskeyDevice]:
    return list(PasskeyDevice.objects.filter(user=user, confirmed=True).order_by("pk"))


def has_second_factor(user: Any) -> bool:
    """Two-step sign-in is on while the person has an authenticator app or a passkey."""
    return (TotpDevice.objects.filter(user=user, confirmed=True).exists()
            or PasskeyDevice.objects.filter(user=user, confirmed=True).exists())


# --- enrolment -----------------------------------------------------------------------------

def start_totp(user: Any) -> TotpDevice:
    """A new, unconfirmed authenticator key (sealed); it counts once a code from it is entered."""
    existing = totp_device(user, confirmed=False)
    if existing is not None:
        return existing
    with transaction.atomic():
        device: TotpDevice = TotpDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False,
                                                       key=totp.new_key())
        return device


def cancel_totp(user: Any) -> None:
    TotpDevice.objects.filter(user=user, confirmed=False).delete()


def confirm_totp(user: Any, device: TotpDevice, code: str) -> tuple[Outcome, list[str]]:
    """Turn the app on once it shows a right code; returns new recovery codes if there were none."""
    outcome = _attempt(device, lambda: _totp_matches(device, code))
    if not outcome.ok:
        return outcome, []
    with transaction.atomic():
        TotpDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
        TotpDevice.objects.filter(pk=device.pk).update(confirmed=True)
        audit.record("accounts.mfa_enabled", actor=user, subject=user, target=device,
                     details={"method": "totp"})
        codes = _first_recovery_codes(user)
    return outcome, codes


def add_passkey(request: HttpRequest, user: Any, credential: dict[str, Any]) -> tuple[PasskeyDevice, list[str]]:
    new = passkeys.verify_registration(request, credential)
    with transaction.atomic():
        number = PasskeyDevice.objects.filter(user=user).count() + 1
        device = PasskeyDevice.objects.create(
            user=user, name=f"Passkey {number}", confirmed=True, credential_id=new.credential_id,
            public_key=new.public_key, sign_count=new.sign_count, transports=new.transports)
        audit.record("accounts.mfa_enabled", actor=user, subject=user, target=device,
                     details={"method": "passkey"})
        codes = _first_recovery_codes(user)
    return device, codes


def _first_recovery_codes(user: Any) -> list[str]:
    if recovery_device(user) is not None:
        return []
    device = RecoveryDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    audit.record("accounts.recovery_codes_created", actor=user, subject=user, target=device)
    return recovery.replace_codes(device)


def regenerate_recovery_codes(request: HttpRequest, user: Any, password: str) -> list[str]:
    """A new set (the old codes stop working); needs the password again."""
    confirm_password(request, user, password)
    if not has_second_factor(user):
        raise ValidationError("Turn on two-step sign-in first.")
    with transaction.atomic():
        device = recovery_device(user) or RecoveryDevice.objects.create(
            user=user, name="Recovery codes", confirmed=True)
        codes = recovery.replace_codes(device)
        device.throttle_reset()
        audit.record("accounts.recovery_codes_created", actor=user, subject=user, target=device)
    return codes


# --- turning off ---------------------------------------------------------------------------

def remove_passkey(request: HttpRequest, user: Any, device: PasskeyDevice, password: str) -> None:
    confirm_password(request, user, password)
    with transaction.atomic():
        audit.record("accounts.passkey_removed", actor=user, subject=user, target=device)
        device.delete()
        if not has_second_factor(user):
            _remove_all(user)


def turn_off(request: HttpRequest, user: Any, password: str) -> None:
    """Remove every second factor; needs the password again, and the person is told."""
    confirm_password(request, user, password)
    with transaction.atomic():
        _remove_all(user)


def _remove_all(user: Any) -> None:
    for model in (TotpDevice, PasskeyDevice, RecoveryDevice):
        model.objects.filter(user=user).delete()
    audit.record("accounts.mfa_disabled", actor=user, subject=user)
    send_service_email(user.email, "mfa_off", {"user": user})


# --- the second sign-in step ------------------------------------------------------------

def check_totp(user: Any, code: str) -> Outcome:
    device = totp_device(user)
    if device is None:
        return Outcome(False)
    return _attempt(device, lambda: _totp_matches(device, code))


def _totp_matches(device: TotpDevice, code: str) -> bool:
    step = totp.matching_step(device, code)
    if step is None:
        return False
    t, drift = step
    # Only one request may move last_t to this step: a code is accepted once.
    return device.attempt_succeeded(last_t=t, drift=drift, guard={"last_t__lt": t})


def check_recovery_code(user: Any, code: str) -> Outcome:
    device = recovery_device(user)
    if device is None:
        return Outcome(False)
    outcome = _attempt(device, lambda: recovery.use_code(device, code) and device.attempt_succeeded())
    if outcome.ok:
        with transaction.atomic():
            audit.record("accounts.recovery_code_used", actor=user, subject=user, target=device,
                         details={"remaining": recovery.remaining(device)})
    return outcome


def check_passkey(request: HttpRequest, user: Any, credential: dict[str, Any]) -> PasskeyDevice:
    """The passkey that answered the challenge (raises PasskeyRefused)."""
    device, count = passkeys.verify_authentication(request, user, credential)
    # A cloned authenticator shows an old counter: only a higher one (or 0 for synced ones) counts.
    if not device.attempt_succeeded(sign_count=count, guard={"sign_count": device.sign_count}):
        raise passkeys.PasskeyRefused("The passkey could not be verified.")
    return device


def _attempt(device: GuardedDevice, check: Any) -> Outcome:
    with transaction.atomic():
        if not device.claim_attempt():
            device.refresh_from_db(fields=["throttling_failure_count", "throttling_failure_timestamp"])
            retry_at = device.wait_until() or timezone.now()
            return Outcome(False, retry_at=retry_at, locked=device.locked_until() is not None)
        if check():
            return Outcome(True)
        if device.just_locked:
            user = device.user
            audit.record("accounts.mfa_locked", actor=user, subject=user, target=device)
            send_service_email(user.email, "mfa_locked", {"user": user, "method": device.name})
    return Outcome(False, locked=device.locked_until() is not None,
                   retry_at=device.locked_until())
