"""The purpose ids this app reads personal data for, per policy profile.

Profiles name the same purpose differently (OfficePortal's ``attendance`` is OfficeTrack's
``location_services``); every read in this app asks this module, so a new profile is one line.
"""

from __future__ import annotations

LOCATION = {"officeportal": "attendance", "officetrack": "location_services"}
"""Check-in records, location events, presence and alerts."""

DEVICES = {"officeportal": "account_security", "officetrack": "service_provision"}
"""Connected devices (name and operating system) and their revocation."""

PRIVACY_CHOICES = {"officeportal": "service_provision", "officetrack": "service_provision"}
"""The member's privacy-mode history."""

_DEFAULTS = {id(LOCATION): "attendance", id(DEVICES): "account_security",
             id(PRIVACY_CHOICES): "service_provision"}


def _profile() -> str:
    from officium.privacy.policy.loader import active_policy

    return str(active_policy().profile)


def _pick(table: dict[str, str]) -> str:
    return table.get(_profile(), _DEFAULTS[id(table)])


def location() -> str:
    return _pick(LOCATION)


def devices() -> str:
    return _pick(DEVICES)


def privacy_choices() -> str:
    return _pick(PRIVACY_CHOICES)
