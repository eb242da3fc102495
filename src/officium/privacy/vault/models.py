"""The key store: data keys, always wrapped by the KMS, never in the clear.

Owners are plain integers, not foreign keys, so a key row is destroyed on its own
(crypto-shredding) and a user row can be deleted or kept independently of its key.
Each row has a random ``kid``: the shred ledger (``ledger.py``) names destroyed keys by
it, so a restored backup cannot bring a destroyed key back to life.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone

from officium.privacy.registry import exempt


def new_kid() -> str:
    return secrets.token_hex(16)


class WrappedKey(models.Model):
    kid = models.CharField(max_length=32, unique=True, default=new_kid, editable=False)
    version = models.PositiveIntegerField()
    wrapped_key = models.BinaryField()
    kms_key_id = models.CharField(max_length=64, help_text="Which master key wrapped it (safe to show).")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


@exempt("Wrapped key material; the subject is named by id only and the row holds no personal data.")
class SubjectKey(WrappedKey):
    """One data key version of one data subject (a user id)."""

    subject_id = models.BigIntegerField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subject_id", "version"],
                                               name="vault_one_subject_key_version")]

    def __str__(self) -> str:
        return f"subject {self.subject_id} key v{self.version}"


@exempt("Wrapped key material of an organization; no personal data.")
class OrganizationKey(WrappedKey):
    """One data key version of one organization (used by the portal for its space keys)."""

    organization_id = models.BigIntegerField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization_id", "version"],
                                               name="vault_one_organization_key_version")]

    def __str__(self) -> str:
        return f"organization {self.organization_id} key v{self.version}"


@exempt("A service-wide key (blind indexes); no personal data.")
class ServiceKey(WrappedKey):
    """A key used across subjects, e.g. the blind-index key: lookups must match across rows."""

    name = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "version"],
                                               name="vault_one_service_key_version")]

    def __str__(self) -> str:
        return f"{self.name} key v{self.version}"
