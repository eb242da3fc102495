"""Tenant scoping in one place.

Every tenant model carries ``organization`` and uses the engine's ``PurposeManager``
(``for_organization``; ``for_purpose`` for registered models); requests are scoped by
``officium.accounts.scoping``.
"""

from __future__ import annotations

from django.db import models

from officium.privacy.access import PurposeManager


class TenantModel(models.Model):
    """Base of every table that belongs to one organization (shardable by organization_id)."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE)

    # The engine's manager (for_organization, and for_purpose for registered models): models
    # that read personal data declare it again, and one manager type keeps them substitutable.
    objects = PurposeManager()

    class Meta:
        abstract = True
