"""Every operation of this app, one import away for views and the API.

Each lives in the module of its domain (check-ins, ingest, devices, sites, privacy mode,
alerts, retention) and validates first, then changes the data and writes the audit entry in
one transaction; emails go out on commit.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from officium.accounts.models import Membership
from officium.accounts.roles import ADMINISTRATORS
from officium.attendance import retention
from officium.attendance.alerts import mark_read
from officium.attendance.checkins import check_in
from officium.attendance.devices import (
    answer_location_request,
    connect_device,
    create_connection_code,
    device_for_token,
    request_location,
    revoke_device,
    set_device_profile,
)
from officium.attendance.ingest import ingest_batch
from officium.attendance.models import AttendanceSettings
from officium.attendance.privacy_mode import privacy_mode_on, set_privacy_mode
from officium.attendance.sites import archive_site, save_site
from officium.privacy import audit

__all__ = [
    "answer_location_request", "archive_site", "change_settings", "check_in", "connect_device",
    "create_connection_code", "device_for_token", "ingest_batch", "mark_read", "privacy_mode_on",
    "request_location", "revoke_device", "save_site", "set_device_profile", "set_privacy_mode",
]


def change_settings(actor: Membership, allow_without_location: bool,
                    location_retention_days: int | None) -> AttendanceSettings:
    """An administrator's choices for the organization; the location period is the retention
    engine's override for the policy's location rule (within its bounds)."""
    if actor.role not in ADMINISTRATORS:
        raise PermissionDenied("Only owners and administrators can change attendance settings.")
    organization = actor.organization
    with transaction.atomic():
        retention.choose_period(actor.user_id, organization, location_retention_days)
        settings, _ = AttendanceSettings.objects.update_or_create(
            organization_id=actor.organization_id,
            defaults={"allow_without_location": allow_without_location})
        audit.record("attendance.settings_changed", actor=actor.user_id,
                     organization=actor.organization_id, target=settings,
                     details={"allow_without_location": allow_without_location,
                              "location_retention_days": location_retention_days})
    return settings
