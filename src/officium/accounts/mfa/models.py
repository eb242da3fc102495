"""Second-factor devices on django-otp.

django-otp's own TOTPDevice and StaticDevice keep the TOTP key and the static tokens in clear.
Here the TOTP key is sealed under the person's vault key (erasing the person shreds it with the
rest) and recovery codes are kept only as SHA-256 hashes. The throttle (django-otp's
ThrottlingMixin: 1, 2, 4 … seconds between wrong attempts) and TOTP's ``last_t`` reuse guard
are django-otp's; ``GuardedDevice`` adds a lock after N wrong attempts in a row and takes each
attempt's turn with a conditional UPDATE, so guesses sent in parallel cannot share one throttle
window (SQLite has no SELECT … FOR UPDATE).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

from officium.privacy.registry import NOT_PERSONAL, personal_data
from officium.privacy.vault.fields import EncryptedTextField

DEVICE_FIELDS = {
    "user": NOT_PERSONAL,
    "name": NOT_PERSONAL,  # set by Officium ("Authenticator app", "Passkey 2"), never typed
    "confirmed": NOT_PERSONAL,
    "created_at": "pd:AuthenticationHistory",
    "last_used_at": "pd:AuthenticationHistory",
    "throttling_failure_timestamp": "pd:AuthenticationHistory",
    "throttling_failure_count": "pd:AuthenticationHistory",
}


class GuardedDevice(TimestampMixin, ThrottlingMixin, Device):
    """A device whose wrong attempts slow down, then lock it for a while."""

    class Meta(Device.Meta):
        abstract = True

    def get_throttle_factor(self) -> int:
        return int(settings.OTP_THROTTLE_FACTOR)

    def locked_until(self) -> datetime | None:
        """When the lock after OFFICIUM_MFA_LOCK_AFTER wrong attempts ends (None: not locked).
        Every further wrong attempt after the lock ends locks the device again."""
        if (self.throttling_failure_count < settings.OFFICIUM_MFA_LOCK_AFTER
                or self.throttling_failure_timestamp is None):
            return None
        until: datetime = self.throttling_failure_timestamp + timedelta(
            minutes=settings.OFFICIUM_MFA_LOCK_MINUTES)
        return until if until > timezone.now() else None

    def wait_until(self) -> datetime | None:
        """The earliest time the next attempt is considered, or None if it may be tried now."""
        locked = self.locked_until()
        if locked is not None:
            return locked
        # Named through its (untyped) django-otp class so mypy's untyped_calls_exclude applies.
        allowed, data = ThrottlingMixin.verify_is_allowed(self)
        until: datetime | None = None if allowed else data["locked_until"]
        return until

    def claim_attempt(self) -> bool:
        """Count this attempt as a failure before it is checked (a success resets the count).

        The UPDATE only matches the throttle state this request read, so of several attempts
        made at once exactly one proceeds; the others are refused like a throttled one.
        """
        if self.wait_until() is not None:
            return False
        now = timezone.now()
        claimed = type(self).objects.filter(
            pk=self.pk, throttling_failure_count=self.throttling_failure_count,
            throttling_failure_timestamp=self.throttling_failure_timestamp,
        ).update(throttling_failure_count=F("throttling_failure_count") + 1,
                 throttling_failure_timestamp=now)
        if claimed:
            self.throttling_failure_count += 1
            self.throttling_failure_timestamp = now
        return bool(claimed)

    def attempt_succeeded(self, **changes: Any) -> bool:
        """Reset the throttle and record the use; ``changes`` may carry a guard such as
        ``last_t`` that only one success may move. False if another request moved it first."""
        guard = changes.pop("guard", {})
        now = timezone.now()
        updated = type(self).objects.filter(pk=self.pk, **guard).update(
            throttling_failure_count=0, throttling_failure_timestamp=None, last_used_at=now,
            **changes)
        if updated:
            self.throttling_failure_count, self.throttling_failure_timestamp = 0, None
            self.last_used_at = now
            for name, value in changes.items():
                setattr(self, name, value)
        return bool(updated)

    @property
    def just_locked(self) -> bool:
        """True right after the attempt that reached the lock threshold."""
        return self.throttling_failure_count == settings.OFFICIUM_MFA_LOCK_AFTER


@personal_data(
    subject="user",
    fields={**DEVICE_FIELDS, "key": NOT_PERSONAL, "step": NOT_PERSONAL, "digits": NOT_PERSONAL,
            "drift": NOT_PERSONAL, "last_t": "pd:AuthenticationHistory"},
    retention_anchor="created_at",
    data_type="account",
)
class TotpDevice(GuardedDevice):
    """An authenticator app (RFC 6238). ``key`` is the hex secret, sealed by the vault.

    The secret is a credential, not information about the person, so it is never exported
    (like the password hash); it is still erased with them, because their key is destroyed.
    """

    key = EncryptedTextField(max_length=80, subject="user")
    step = models.PositiveSmallIntegerField(default=30)
    digits = models.PositiveSmallIntegerField(default=6)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(
        default=-1, help_text="Time step of the last accepted code; only later steps verify.")

    class Meta(GuardedDevice.Meta):
        verbose_name = "authenticator app"


@personal_data(
    subject="user",
    fields=DEVICE_FIELDS,
    retention_anchor="created_at",
    data_type="account",
)
class RecoveryDevice(GuardedDevice):
    """A person's set of single-use recovery codes (the codes are RecoveryCode rows)."""

    class Meta(GuardedDevice.Meta):
        verbose_name = "recovery codes"


@personal_data(
    subject="device__user",
    fields={"device": NOT_PERSONAL, "code_hash": NOT_PERSONAL,
            "used_at": "pd:AuthenticationHistory"},
    retention_anchor="used_at",
    data_type="account",
)
class RecoveryCode(models.Model):
    """One code, kept as a SHA-256 hash (codes carry 80 random bits, like API tokens)."""

    device = models.ForeignKey(RecoveryDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recovery code {self.pk} ({'used' if self.used_at else 'unused'})"

    @staticmethod
    def hash(normalized: str) -> str:
        return hashlib.sha256(f"officium.recovery:{normalized}".encode()).hexdigest()


@personal_data(
    subject="user",
    fields={**DEVICE_FIELDS, "credential_id": NOT_PERSONAL, "public_key": NOT_PERSONAL,
            "sign_count": NOT_PERSONAL, "transports": NOT_PERSONAL},
    retention_anchor="created_at",
    data_type="account",
)
class PasskeyDevice(GuardedDevice):
    """A WebAuthn credential: the authenticator keeps the private key, we keep the public one."""

    credential_id = models.BinaryField(max_length=1023)
    public_key = models.BinaryField(max_length=2048)
    sign_count = models.PositiveBigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)

    class Meta(GuardedDevice.Meta):
        verbose_name = "passkey"
        constraints = [models.UniqueConstraint(fields=["credential_id"], name="one_passkey_per_credential")]
