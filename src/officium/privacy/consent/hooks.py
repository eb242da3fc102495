"""Signup's contact-channel choice becomes consent records without touching accounts code:
a new user saved with ``contact_channels`` gets one "given" per channel (signup_form)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import post_save


def _signup_consents(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if not created or raw or not getattr(instance, "contact_channels", None):
        return
    from officium.privacy.consent.services import record_signup_consents

    record_signup_consents(instance)


def connect() -> None:
    post_save.connect(_signup_consents, sender=settings.AUTH_USER_MODEL,
                      dispatch_uid="consent.signup_consents")
