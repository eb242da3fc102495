"""Check-in and check-out (LO1): every attempt is stored, successful or not, with its fix.

This is the path every device takes several times a day, so its reads are ``Prepared``
queries (the ORM's own SQL and converters, compiled once per connection) and the
organization's fences are kept per process, rebuilt whenever a site's stored row differs:
each check-in still reads everything it judges by from the database.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover  (not on Windows: threads still queue)
    fcntl = None  # type: ignore[assignment]

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from officium.accounts.models import Membership
from officium.attendance import alerts, coordinates
from officium.attendance.audit_events import CHECKS
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
    PrivacyModeChange,
    Site,
)
from officium.attendance.privacy_mode import PrivacyModeChanged, privacy_version
from officium.db import Prepared, PreparedInsert, sqlite_writers
from officium.privacy import audit
from officium.privacy.audit.chain import Draft

_LOCATION_EVENT = PreparedInsert(LocationEvent)
_RECORD = PreparedInsert(AttendanceRecord)
_LAST_FIX = Prepared(lambda member: LocationEvent.objects.filter(
    member_id=member, location_status=LocationStatus.RECORDED).order_by("-occurred_at", "-pk")
    .values_list(*coordinates.VALUE_FIELDS, "occurred_at", "member__user_id")[:1])
_LATEST_SWITCH = PrivacyModeChange.objects.filter(member_id=OuterRef("pk")).order_by("-changed_at", "-pk")
_CONTEXT = Prepared(lambda member: Membership.objects.filter(pk=member).annotate(
    kinds=Subquery(DeviceProfile.objects.filter(member_id=OuterRef("pk")).values("location_kinds")[:1]),
    allow=Subquery(AttendanceSettings.objects.filter(organization_id=OuterRef("organization_id"))
                   .values("allow_without_location")[:1]),
    privacy_id=Subquery(_LATEST_SWITCH.values("pk")[:1]),
    privacy_on=Subquery(_LATEST_SWITCH.values("enabled")[:1]),
).values_list("kinds", "allow", "privacy_id", "privacy_on"))
_ALLOW_DEFAULT = bool(AttendanceSettings._meta.get_field("allow_without_location").default)
_SITE_FIELDS = tuple(f.attname for f in Site._meta.concrete_fields)
_SITES = Prepared(lambda org: Site.objects.filter(organization_id=org, active=True)
                  .order_by("name", "pk").values_list(*_SITE_FIELDS))


def last_fix(member_id: int, before: datetime | None = None) -> tuple[Fix, datetime] | None:
    """The member's latest recorded fix (system processing for speed checks and alerts;
    people read locations through ``for_purpose``)."""
    if before is None:
        row = _LAST_FIX.first(member_id)
    else:
        row = (LocationEvent.objects.filter(member_id=member_id, location_status=LocationStatus.RECORDED,
                                            occurred_at__lte=before)
               .order_by("-occurred_at", "-pk")
               .values_list(*coordinates.VALUE_FIELDS, "occurred_at", "member__user_id").first())
    if row is None:
        return None
    width = len(coordinates.VALUE_FIELDS)
    fix = coordinates.from_tokens(LocationEvent, row[width + 1], *row[:width])
    return (fix, row[width]) if fix is not None else None


class _FenceCache:
    """Each organization's fences, per process, rebuilt when the active sites' rows differ.

    The rows are read on every check-in (one short query); only the shapes, which cost far more
    to prepare than to read, are reused. A site created, edited or archived, through a service
    or straight in the database, is judged by its new row on the next check-in.
    """

    LIMIT = 512

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_org: dict[int, tuple[list[tuple[Any, ...]], list[Fence]]] = {}

    def fences(self, organization_id: int) -> list[Fence]:
        rows = _SITES.rows(organization_id)
        cached = self._by_org.get(organization_id)
        if cached is not None and cached[0] == rows:
            return cached[1]
        fences = [Fence(Site.from_db(DEFAULT_DB_ALIAS, _SITE_FIELDS, row)) for row in rows]
        with self._lock:
            if len(self._by_org) >= self.LIMIT:
                self._by_org.clear()
            self._by_org[organization_id] = (rows, fences)
        return fences


fence_cache = _FenceCache()


def check_in(actor: Membership, direction: str, fix: Fix | None, *, site_id: int | None = None,
             device: Device | None = None) -> AttendanceRecord:
    """Judge an attempt against the organization's fences and store it with its verdict.

    The fix is dropped before storage when privacy mode is on, or when the device's profile
    does not let it send a location with attendance entries. Without a fix, the attempt is
    accepted only if the organization allows check-in without location (LO6).
    """
    if direction not in Direction.values:
        raise ValidationError({"direction": "Choose in or out."})
    fences = fence_cache.fences(actor.organization_id)
    site = _site(fences, site_id)
    status = LocationStatus.RECORDED if fix is not None else LocationStatus.NONE
    kinds, allow_without_location, version = _member_context(actor)
    if fix is not None and device is not None and EventKind.ATTENDANCE not in kinds:
        fix, status = None, LocationStatus.NOT_COLLECTED
    for _attempt in range(3):
        try:
            return _store(actor, direction, fix, status, site, fences, allow_without_location, device, version)
        except PrivacyModeChanged:
            version = privacy_version(actor.pk)
    raise ValidationError({"privacy_mode": "Privacy mode keeps changing; try again."})


def _member_context(actor: Membership) -> tuple[frozenset[str], bool, tuple[int, bool] | None]:
    """(device profile kinds, check-in without location allowed, privacy version) in one query."""
    row = _CONTEXT.first(actor.pk)
    if row is None:  # the membership is gone: read each on its own (each gives its default)
        return (DeviceProfile.kinds_for(actor), AttendanceSettings.of(actor.organization_id).allow_without_location,
                privacy_version(actor.pk))
    kinds, allow, privacy_id, privacy_on = row
    return (frozenset(DeviceProfile.DEFAULT_KINDS if kinds is None else kinds),
            _ALLOW_DEFAULT if allow is None else bool(allow),
            None if privacy_id is None else (privacy_id, bool(privacy_on)))


def _store(actor: Membership, direction: str, fix: Fix | None, status: str, site: Site | None,
           fences: list[Fence], allow_without_location: bool, device: Device | None,
           version: tuple[int, bool] | None) -> AttendanceRecord:
    """Read first (``version`` is the privacy switch the fix was judged by), then one transaction
    that checks privacy mode again under SQLite's write lock (transactions begin IMMEDIATE);
    if it was switched in between, the caller redoes it with the new state."""
    if fix is not None and version is not None and version[1]:
        fix, status = None, LocationStatus.PAUSED
    now = timezone.now()
    verdict, site, previous, mock = _judge(actor, fix, now, site, fences)
    accepted = (verdict == Verdict.INSIDE and not mock) or (
        verdict == Verdict.NO_LOCATION and allow_without_location)
    event = _LOCATION_EVENT.prepare(
        organization_id=actor.organization_id, member=actor, device=device,
        kind=EventKind.ATTENDANCE, occurred_at=now, received_at=now, location_status=status,
        suspected_mock=mock, **coordinates.columns(fix))  # sealed here, before the lock
    with sqlite_writers.turn(), transaction.atomic():
        event = _LOCATION_EVENT.insert(event)
        if privacy_version(actor.pk) != version:
            raise PrivacyModeChanged
        record = _RECORD.create(
            organization_id=actor.organization_id, member=actor, direction=direction,
            occurred_at=now, verdict=verdict, accepted=accepted, site=site, location=event,
            within_schedule=site.within_schedule(now) if site else None, suspected_mock=mock,
            device=device)
        audit.record(CHECKS[direction], actor=actor.user_id,
                     organization=actor.organization_id, subject=actor.user_id, target=record,
                     details={"verdict": verdict, "accepted": accepted, "site": site.pk if site else None,
                              "location": status, "suspected_mock": mock})
        if fix is not None:
            alerts.track(actor, fix, now, previous, fences)
    return record


def record_synced(device: Device, directions: dict[str, str]) -> list[AttendanceRecord]:
    """Check-in records for attendance events a device queued offline and sent in a batch (LO1, LO2).

    ``directions`` maps the batch's attendance events' client ids to "in" or "out". Each event
    stored by the batch becomes an attempt like a live one: judged against the organization's
    active fences with the fix as stored (none when privacy mode, the profile or the device
    left it out), the event's own mock flag, the working hours at the event's time, and an
    audit entry. Call it inside the batch's transaction, after the insert; events that already
    have a record (a replayed batch) are skipped, so it is idempotent.
    """
    unknown = sorted({d for d in directions.values() if d not in Direction.values})
    if unknown:
        raise ValidationError({"direction": "Choose in or out."})
    if not directions:
        return []
    member = device.member
    events = list(LocationEvent.objects.filter(
        device=device, kind=EventKind.ATTENDANCE, client_event_id__in=list(directions))
        .exclude(pk__in=AttendanceRecord.objects.filter(device=device, location__isnull=False)
                 .values("location_id"))
        .order_by("occurred_at", "pk")
        .values_list("pk", "client_event_id", "occurred_at", "location_status", "suspected_mock",
                     *coordinates.VALUE_FIELDS))
    if not events:
        return []
    fixes = coordinates.open_rows(LocationEvent, member.user_id, [e[5:] for e in events])
    fences = fence_cache.fences(device.organization_id)
    allow_without_location = AttendanceSettings.of(device.organization_id).allow_without_location
    records = []
    for (pk, client_id, occurred_at, status, mock, *_tokens), fix in zip(events, fixes, strict=True):
        if status != LocationStatus.RECORDED:
            fix = None
        verdict, site = best_verdict(fences, fix) if fix is not None else (Verdict.NO_LOCATION, None)
        accepted = (verdict == Verdict.INSIDE and not mock) or (
            verdict == Verdict.NO_LOCATION and allow_without_location)
        records.append(AttendanceRecord(
            organization_id=device.organization_id, member=member, direction=directions[client_id],
            occurred_at=occurred_at, verdict=verdict, accepted=accepted, site=site, location_id=pk,
            within_schedule=site.within_schedule(occurred_at) if site else None,
            suspected_mock=mock, device=device))
    AttendanceRecord.objects.bulk_create(records)  # a batch may hold many: one statement
    now = timezone.now()
    audit.append([Draft(
        created_at=now, organization_id=device.organization_id, actor_id=member.user_id,
        subject_id=member.user_id, event=CHECKS[record.direction].name,
        target_type=AttendanceRecord._meta.label_lower, target_id=str(record.pk),
        details={"verdict": record.verdict, "accepted": record.accepted, "site": record.site_id,
                 "location": event[3], "suspected_mock": record.suspected_mock, "queued": True})
        for record, event in zip(records, events, strict=True)])
    return records


def _site(fences: list[Fence], site_id: int | None) -> Site | None:
    """The chosen site among the organization's active ones (read just now with the fences)."""
    if site_id is None:
        return None
    for fence in fences:
        if fence.site.pk == site_id:
            return fence.site  # type: ignore[no-any-return]
    raise ValidationError({"site_id": "Choose an active site of this organization."})


def _judge(actor: Membership, fix: Fix | None, now: datetime, site: Site | None,
           fences: list[Fence]) -> tuple[str, Site | None, tuple[Fix, datetime] | None, bool]:
    if fix is None:
        return Verdict.NO_LOCATION, site, None, False
    candidates = [fence for fence in fences if fence.site is site] if site is not None else fences
    verdict, judged = best_verdict(candidates, fix)
    previous = last_fix(actor.pk)
    mock = previous is not None and implausible_speed(previous[0], previous[1], fix, now)
    return verdict, judged, previous, mock
