"""Every operation of this app, one import away for views and the API.

Each lives in the module of its domain (check-ins, ingest, devices, sites, privacy mode,
alerts, retention) and validates first, then changes the data and writes the audit entry in
one transaction; emails go out on commit.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from officium.accounts.models import Membership
from officium.accounts.roles import ADMINISTRATORS
from officium.attendance import retention
from officium.attendance.alerts import mark_read
from officium.attendance.checkins import check_in
from officium.attendance.clock import clock_state
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
from officium.attendance.models import AttendanceSettings, RepeatCheckIn, WithoutLocation
from officium.attendance.privacy_mode import privacy_mode_on, set_privacy_mode
from officium.attendance.review import decide_review
from officium.attendance.sites import archive_site, save_site
from officium.privacy import audit

__all__ = [
    "answer_location_request", "archive_site", "change_settings", "check_in", "clock_state",
    "connect_device", "decide_review",
    "create_connection_code", "device_for_token", "ingest_batch", "mark_read", "privacy_mode_on",
    "request_location", "revoke_device", "save_site", "set_device_profile", "set_privacy_mode",
]


def change_settings(actor: Membership, without_location: str, location_retention_days: int | None,
                    repeat_check_in: str | None = None) -> AttendanceSettings:
    """An administrator's choices for the organization: check-ins without a location (WT9),
    a repeated check-in (WT3; unchanged when None); the location period is the retention
    engine's override for the policy's location rule (within its bounds)."""
    if actor.role not in ADMINISTRATORS:
        raise PermissionDenied("Only owners and administrators can change attendance settings.")
    if without_location not in WithoutLocation.values:
        raise ValidationError({"without_location": "Choose refuse, review or accept."})
    if repeat_check_in is not None and repeat_check_in not in RepeatCheckIn.values:
        raise ValidationError({"repeat_check_in": "Choose refuse or check_out."})
    organization = actor.organization
    values = {"without_location": without_location}
    if repeat_check_in is not None:
        values["repeat_check_in"] = repeat_check_in
    with transaction.atomic():
        retention.choose_period(actor.user_id, organization, location_retention_days)
        settings, _ = AttendanceSettings.objects.update_or_create(
            organization_id=actor.organization_id, defaults=values)
        audit.record("attendance.settings_changed", actor=actor.user_id,
                     organization=actor.organization_id, target=settings,
                     details={"without_location": settings.without_location,
                              "repeat_check_in": settings.repeat_check_in,
                              "location_retention_days": location_retention_days})
    return settings
