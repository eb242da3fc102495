"""Check-in and check-out (LO1): every attempt is stored, successful or not, with its fix."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from officium.accounts.models import Membership
from officium.attendance import alerts, coordinates
from officium.attendance.coordinates import Fix
from officium.attendance.geofence import Fence, Verdict, best_verdict, implausible_speed
from officium.attendance.models import (
    AttendanceRecord,
    AttendanceSettings,
    Device,
    DeviceProfile,
    Direction,
    EventKind,
    LocationEvent,
    LocationStatus,
    Site,
)
from officium.attendance.privacy_mode import PrivacyModeChanged, privacy_version
from officium.privacy import audit


def last_fix(member_id: int, before: datetime | None = None) -> tuple[Fix, datetime] | None:
    """The member's latest recorded fix (system processing for speed checks and alerts;
    people read locations through ``for_purpose``)."""
    qs = LocationEvent.objects.filter(member_id=member_id, location_status=LocationStatus.RECORDED)
    if before is not None:
        qs = qs.filter(occurred_at__lte=before)
    row = qs.order_by("-occurred_at", "-pk").values_list(
        *coordinates.VALUE_FIELDS, "occurred_at", "member__user_id").first()
    if row is None:
        return None
    fix = coordinates.from_tokens(LocationEvent, row[4], *row[:3])
    return (fix, row[3]) if fix is not None else None


def check_in(actor: Membership, direction: str, fix: Fix | None, *, site_id: int | None = None,
             device: Device | None = None) -> AttendanceRecord:
    """Judge an attempt against the organization's fences and store it with its verdict.

    The fix is dropped before storage when privacy mode is on, or when the device's profile
    does not let it send a location with attendance entries. Without a fix, the attempt is
    accepted only if the organization allows check-in without location (LO6).
    """
    if direction not in Direction.values:
        raise ValidationError({"direction": "Choose in or out."})
    site = _site(actor, site_id)
    status = LocationStatus.RECORDED if fix is not None else LocationStatus.NONE
    if fix is not None and device is not None and EventKind.ATTENDANCE not in DeviceProfile.kinds_for(actor):
        fix, status = None, LocationStatus.NOT_COLLECTED
    settings = AttendanceSettings.of(actor.organization_id)
    fences = alerts.fences_of(actor.organization_id)
    for _attempt in range(3):
        try:
            return _store(actor, direction, fix, status, site, fences, settings, device)
        except PrivacyModeChanged:
            continue
    raise ValidationError({"privacy_mode": "Privacy mode keeps changing; try again."})


def _store(actor: Membership, direction: str, fix: Fix | None, status: str, site: Site | None,
           fences: list[Fence], settings: AttendanceSettings, device: Device | None) -> AttendanceRecord:
    """Read first, then one transaction that starts with its first write (SQLite takes the write
    lock there, so no read-to-write upgrade can fail) and checks privacy mode under that lock."""
    version = privacy_version(actor)
    if fix is not None and version is not None and version[1]:
        fix, status = None, LocationStatus.PAUSED
    now = timezone.now()
    verdict, site, previous, mock = _judge(actor, fix, now, site, fences)
    accepted = (verdict == Verdict.INSIDE and not mock) or (
        verdict == Verdict.NO_LOCATION and settings.allow_without_location)
    with transaction.atomic():
        event = LocationEvent.objects.create(
            organization_id=actor.organization_id, member=actor, device=device,
            kind=EventKind.ATTENDANCE, occurred_at=now, received_at=now, location_status=status,
            suspected_mock=mock, **coordinates.columns(fix))
        if privacy_version(actor) != version:
            raise PrivacyModeChanged
        record = AttendanceRecord.objects.create(
            organization_id=actor.organization_id, member=actor, direction=direction,
            occurred_at=now, verdict=verdict, accepted=accepted, site=site, location=event,
            within_schedule=site.within_schedule(now) if site else None, suspected_mock=mock,
            device=device)
        audit.record(f"attendance.check_{direction}", actor=actor.user_id,
                     organization=actor.organization_id, subject=actor.user_id, target=record,
                     details={"verdict": verdict, "accepted": accepted, "site": site.pk if site else None,
                              "location": status, "suspected_mock": mock})
        if fix is not None:
            alerts.track(actor, fix, now, previous, fences)
    return record


def _site(actor: Membership, site_id: int | None) -> Site | None:
    if site_id is None:
        return None
    site = Site.objects.filter(organization_id=actor.organization_id, pk=site_id, active=True).first()
    if site is None:
        raise ValidationError({"site_id": "Choose an active site of this organization."})
    return site


def _judge(actor: Membership, fix: Fix | None, now: datetime, site: Site | None,
           fences: list[Fence]) -> tuple[str, Site | None, tuple[Fix, datetime] | None, bool]:
    if fix is None:
        return Verdict.NO_LOCATION, site, None, False
    candidates = [Fence(site)] if site is not None else fences
    verdict, judged = best_verdict(candidates, fix)
    previous = last_fix(actor.pk)
    mock = previous is not None and implausible_speed(previous[0], previous[1], fix, now)
    return verdict, judged, previous, mock
