"""The purpose ids this app reads personal data for.

Every profile declares them under these ids (the policy files are aligned), so a read names its
purpose through this module and a profile that ever names one differently is one line here.
"""

from __future__ import annotations

LOCATION = "attendance"
"""Check-in records, location events, presence and alerts."""

DEVICES = "attendance"
"""Connected devices (name and operating system) and their revocation."""

PRIVACY_CHOICES = "service_provision"
"""The member's privacy-mode history."""


def location() -> str:
    return LOCATION


def devices() -> str:
    return DEVICES


def privacy_choices() -> str:
    return PRIVACY_CHOICES
