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

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from officium.accounts import localtime
from officium.accounts.models import Membership, Organization
from officium.accounts.roles import WORKING_ROLES
from officium.attendance import alerts, coordinates, workday
from officium.attendance.audit_events import CHECKS
from officium.attendance.coordinates import Fix
from officium.attendance.fixes import new_fix
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
    RepeatCheckIn,
    Review,
    Site,
    WithoutLocation,
)
from officium.attendance.privacy_mode import PrivacyModeChanged
from officium.db import Prepared, PreparedInsert, sqlite_writers
from officium.privacy import audit
from officium.privacy.audit.chain import Draft

# Its save signal receivers are the vault's, sealing a value whose subject is the row itself:
# a location event's subject is its member's user, sealed before the insert (tests/test_hot_paths.py).
_LOCATION_EVENT = PreparedInsert(LocationEvent, signals_stood_in=True)
_RECORD = PreparedInsert(AttendanceRecord)
_LAST_FIX = Prepared(lambda member: LocationEvent.objects.filter(
    member_id=member, location_status=LocationStatus.RECORDED).order_by("-occurred_at", "-pk")
    .values_list(*coordinates.VALUE_FIELDS, "occurred_at", "member__user_id")[:1])
_LATEST_SWITCH = PrivacyModeChange.objects.filter(member_id=OuterRef("pk")).order_by("-changed_at", "-pk")
_SETTINGS = AttendanceSettings.objects.filter(organization_id=OuterRef("organization_id"))
_COUNTING = Q(accepted=True) | Q(review=Review.PENDING)  # what moves a member in or out (WT3)
_LATEST_COUNTING = (AttendanceRecord.objects.filter(_COUNTING, member_id=OuterRef("pk"))
                    .order_by("-occurred_at", "-pk"))
_LATEST_FIX = (LocationEvent.objects.filter(member_id=OuterRef("pk"), location_status=LocationStatus.RECORDED)
               .order_by("-occurred_at", "-pk"))
_CONTEXT = Prepared(lambda member: Membership.objects.filter(pk=member).annotate(
    kinds=Subquery(DeviceProfile.objects.filter(member_id=OuterRef("pk")).values("location_kinds")[:1]),
    mode=Subquery(_SETTINGS.values("without_location")[:1]),
    repeat=Subquery(_SETTINGS.values("repeat_check_in")[:1]),
    privacy_id=Subquery(_LATEST_SWITCH.values("pk")[:1]),
    privacy_on=Subquery(_LATEST_SWITCH.values("enabled")[:1]),
    last_direction=Subquery(_LATEST_COUNTING.values("direction")[:1]),
    last_at=Subquery(_LATEST_COUNTING.values("occurred_at")[:1]),
    # The latest recorded fix (speed check, alerts): what ``last_fix`` reads, in this query.
    **{f"fix_{name}": Subquery(_LATEST_FIX.values(name)[:1]) for name in (*coordinates.VALUE_FIELDS, "occurred_at")},
).values_list("kinds", "mode", "repeat", "privacy_id", "privacy_on", "organization__time_zone",
              "last_direction", "last_at", "user_id",
              *(f"fix_{name}" for name in (*coordinates.VALUE_FIELDS, "occurred_at"))))
_STATE = Prepared(lambda member: Membership.objects.filter(pk=member).annotate(
    last_direction=Subquery(_LATEST_COUNTING.values("direction")[:1]),
    privacy_id=Subquery(_LATEST_SWITCH.values("pk")[:1]),
    privacy_on=Subquery(_LATEST_SWITCH.values("enabled")[:1]),
).values_list("last_direction", "privacy_id", "privacy_on"))
_LOCK_MEMBER = Prepared(lambda member: Membership.objects.select_for_update().filter(pk=member)
                        .values_list("pk"))
_MODE_DEFAULT = str(AttendanceSettings._meta.get_field("without_location").default)
_REPEAT_DEFAULT = str(AttendanceSettings._meta.get_field("repeat_check_in").default)
_SITE_FIELDS = tuple(f.attname for f in Site._meta.concrete_fields)
_SITES = Prepared(lambda org: Site.objects.filter(organization_id=org, active=True)
                  .order_by("name", "pk").values_list(*_SITE_FIELDS))


def last_fix(member_id: int, before: datetime | None = None, user_id: int | None = None,
             ) -> tuple[Fix, datetime] | None:
    """The member's latest recorded fix (system processing for speed checks and alerts;
    people read locations through ``for_purpose``). A caller that knows the member's user id
    passes it: the query then reads the events alone, not joined row by row to the member
    (on PostgreSQL, before statistics exist, the join ran for every earlier fix)."""
    if before is None:
        row = _LAST_FIX.first(member_id)
    elif user_id is not None:
        found = (LocationEvent.objects.filter(member_id=member_id, location_status=LocationStatus.RECORDED,
                                              occurred_at__lte=before)
                 .order_by("-occurred_at", "-pk").values_list(*coordinates.VALUE_FIELDS, "occurred_at").first())
        row = (*found, user_id) if found is not None else None
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


@dataclass(frozen=True)
class _Context:
    """What a live check-in is judged by, read in one query before the transaction."""

    kinds: frozenset[str]
    without_location: str
    repeat_check_in: str
    privacy: tuple[int, bool] | None
    zone_name: str
    last_direction: str | None
    last_at: datetime | None
    last_fix: tuple[Fix, datetime] | None


class _StateChanged(Exception):
    """The member was checked in or out by another request meanwhile: judge again."""


def check_in(actor: Membership, direction: str, fix: Fix | None, *, site_id: int | None = None,
             device: Device | None = None) -> AttendanceRecord:
    """Judge an attempt against the organization's fences and store it with its verdict.

    Only working roles clock in (WT3: never a client contact). A check-in while already in is
    refused, or becomes a check-out where the organization says so; a check-out while out is
    refused. The fix is dropped before storage when privacy mode is on, or when the device's
    profile does not let it send a location with attendance entries. Without a fix, the
    organization refuses the attempt, holds it for a manager's review, or accepts it (WT9).
    """
    if direction not in Direction.values:
        raise ValidationError({"direction": "Choose in or out."})
    if actor.role not in WORKING_ROLES:
        raise PermissionDenied("Client contacts and other non-working roles cannot clock in.")
    fences = fence_cache.fences(actor.organization_id)
    site = _site(fences, site_id)
    context = _member_context(actor)
    for _attempt in range(3):
        status = LocationStatus.RECORDED if fix is not None else LocationStatus.NONE
        sent = fix
        if sent is not None and device is not None and EventKind.ATTENDANCE not in context.kinds:
            sent, status = None, LocationStatus.NOT_COLLECTED
        way = _resolve_direction(direction, context)
        try:
            return _store(actor, way, sent, status, site, fences, context, device)
        except (PrivacyModeChanged, _StateChanged):
            context = _member_context(actor)
    raise ValidationError({"direction": "Your check-in state keeps changing; try again."})


def _resolve_direction(direction: str, context: _Context) -> str:
    """WT3: the direction to store, given whether the member is in."""
    checked_in = context.last_direction == Direction.IN
    if direction == Direction.IN and checked_in:
        if context.repeat_check_in == RepeatCheckIn.CHECK_OUT:
            return Direction.OUT
        since = localtime.format_time(context.last_at, localtime.zone(context.zone_name))
        raise ValidationError({"direction": f"You are already checked in (since {since}). Check out first."})
    if direction == Direction.OUT and not checked_in:
        raise ValidationError({"direction": "You are not checked in, so there is nothing to check out of."})
    return direction


def _member_context(actor: Membership) -> _Context:
    """Device profile kinds, the organization's choices and zone, the privacy version, the
    member's in/out state and latest recorded fix, in one query."""
    row = _CONTEXT.first(actor.pk)
    if row is None:  # the membership is gone: nothing of its own, the defaults
        return _Context(frozenset(DeviceProfile.DEFAULT_KINDS), _MODE_DEFAULT, _REPEAT_DEFAULT, None,
                        localtime.DEFAULT_ZONE, None, None, None)
    kinds, mode, repeat, privacy_id, privacy_on, zone_name, last_direction, last_at, user_id, *tokens, fix_at = row
    fix = coordinates.from_tokens(LocationEvent, user_id, *tokens) if fix_at is not None else None
    return _Context(frozenset(DeviceProfile.DEFAULT_KINDS if kinds is None else kinds),
                    mode or _MODE_DEFAULT, repeat or _REPEAT_DEFAULT,
                    None if privacy_id is None else (privacy_id, bool(privacy_on)),
                    zone_name or localtime.DEFAULT_ZONE, last_direction, last_at,
                    None if fix is None else (fix, fix_at))


def _acceptance(verdict: str, mock: bool, without_location: str) -> tuple[bool, str]:
    """(accepted, review) of a judged attempt (LO1, WT9)."""
    if verdict == Verdict.NO_LOCATION:
        return without_location == WithoutLocation.ACCEPT, (
            Review.PENDING if without_location == WithoutLocation.REVIEW else Review.NONE)
    return verdict == Verdict.INSIDE and not mock, Review.NONE


def _store(actor: Membership, direction: str, fix: Fix | None, status: str, site: Site | None,
           fences: list[Fence], context: _Context, device: Device | None) -> AttendanceRecord:
    """Read first (the privacy switch and the in/out state the attempt was judged by), then one
    transaction that checks both again under SQLite's write lock (transactions begin
    IMMEDIATE) or the member's row lock (PostgreSQL); if either changed in between, the caller
    redoes it with the new state."""
    version = context.privacy
    if fix is not None and version is not None and version[1]:
        fix, status = None, LocationStatus.PAUSED
    now = timezone.now()
    verdict, site, previous, mock = _judge(fix, now, site, fences, context.last_fix)
    accepted, review = _acceptance(verdict, mock, context.without_location)
    zone = localtime.zone_for(context.zone_name, site)
    [(work_day, shift_status)] = workday.judge(actor.organization_id, actor.pk, [
        workday.Moment(site.pk if site else None, direction, now, zone)])
    event = _LOCATION_EVENT.prepare_row({
        "organization_id": actor.organization_id, "member_id": actor.pk,
        "device_id": device.pk if device else None, "kind": EventKind.ATTENDANCE, "occurred_at": now,
        "received_at": now, "location_status": status, "suspected_mock": mock,
        **coordinates.sealed_columns(LocationEvent, actor.user_id, fix)})  # sealed here, before the lock
    with sqlite_writers.turn(), transaction.atomic():
        if connection.vendor != "sqlite":
            _LOCK_MEMBER.rows(actor.pk)
        # Under the write lock (SQLite) or the member's row lock (a privacy switch takes it too):
        # the in/out state and the privacy switch the attempt was judged by, in one read.
        last_direction, privacy_id, privacy_on = _STATE.first(actor.pk) or (None, None, None)
        if last_direction != context.last_direction:
            raise _StateChanged
        if (None if privacy_id is None else (privacy_id, bool(privacy_on))) != version:
            raise PrivacyModeChanged
        event_id = _LOCATION_EVENT.insert_row(event)[0]
        record: AttendanceRecord = _RECORD.create_row({
            "organization_id": actor.organization_id, "member_id": actor.pk, "direction": direction,
            "occurred_at": now, "verdict": verdict, "accepted": accepted,
            "site_id": site.pk if site else None, "location_id": event_id,
            "within_schedule": site.within_schedule(now, context.zone_name) if site else None,
            "suspected_mock": mock, "device_id": device.pk if device else None, "review": review,
            "work_day": work_day, "shift_status": shift_status,
        }, {"member": actor, "site": site, "device": device})
        audit.record(CHECKS[direction], actor=actor.user_id,
                     organization=actor.organization_id, subject=actor.user_id, target=record,
                     details={"verdict": verdict, "accepted": accepted, "site": site.pk if site else None,
                              "location": status, "suspected_mock": mock, "review": review,
                              "shift": shift_status})
        if fix is not None:
            alerts.track(actor, fix, now, previous, fences)
            new_fix(actor, now)
        # In the check-in's transaction: the timesheet task's row (database queue) commits with
        # the record, one write transaction per check-in instead of two.
        workday.changed(actor.organization_id, [(actor.pk, work_day)])
    return record


def record_synced(device: Device, directions: dict[str, str]) -> list[AttendanceRecord]:
    """Check-in records for attendance events a device queued offline and sent in a batch (LO1, LO2).

    ``directions`` maps the batch's attendance events' client ids to "in" or "out". Each event
    stored by the batch becomes an attempt like a live one: judged against the organization's
    active fences with the fix as stored (none when privacy mode, the profile or the device
    left it out), the event's own mock flag, the working hours at the event's time, and an
    audit entry. Call it inside the transaction of the batch's last chunk, after the inserts;
    events that already have a record (a replayed batch) are skipped, so it is idempotent.
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
    without_location = AttendanceSettings.of(device.organization_id).without_location
    zone_name = Organization.objects.filter(pk=device.organization_id).values_list(
        "time_zone", flat=True).first() or localtime.DEFAULT_ZONE
    judged = []
    for (pk, client_id, occurred_at, status, mock, *_tokens), fix in zip(events, fixes, strict=True):
        if status != LocationStatus.RECORDED:
            fix = None
        verdict, site = best_verdict(fences, fix) if fix is not None else (Verdict.NO_LOCATION, None)
        judged.append((pk, client_id, occurred_at, mock, verdict, site))
    places = workday.judge(device.organization_id, member.pk, [
        workday.Moment(site.pk if site else None, directions[client_id], occurred_at,
                       localtime.zone_for(zone_name, site))
        for _pk, client_id, occurred_at, _mock, _verdict, site in judged])
    records = []
    for (pk, client_id, occurred_at, mock, verdict, site), (work_day, shift_status) in zip(
            judged, places, strict=True):
        accepted, review = _acceptance(verdict, mock, without_location)
        records.append(AttendanceRecord(
            organization_id=device.organization_id, member=member, direction=directions[client_id],
            occurred_at=occurred_at, verdict=verdict, accepted=accepted, site=site, location_id=pk,
            within_schedule=site.within_schedule(occurred_at, zone_name) if site else None,
            suspected_mock=mock, device=device, review=review, work_day=work_day,
            shift_status=shift_status))
    AttendanceRecord.objects.bulk_create(records)  # a batch may hold many: one statement
    now = timezone.now()
    audit.append([Draft(
        created_at=now, organization_id=device.organization_id, actor_id=member.user_id,
        subject_id=member.user_id, event=CHECKS[record.direction].name,
        target_type=AttendanceRecord._meta.label_lower, target_id=str(record.pk),
        details={"verdict": record.verdict, "accepted": record.accepted, "site": record.site_id,
                 "location": event[3], "suspected_mock": record.suspected_mock, "review": record.review,
                 "shift": record.shift_status, "queued": True})
        for record, event in zip(records, events, strict=True)])
    workday.changed(device.organization_id, [(member.pk, r.work_day) for r in records])
    return records


def _site(fences: list[Fence], site_id: int | None) -> Site | None:
    """The chosen site among the organization's active ones (read just now with the fences)."""
    if site_id is None:
        return None
    for fence in fences:
        if fence.site.pk == site_id:
            return fence.site  # type: ignore[no-any-return]
    raise ValidationError({"site_id": "Choose an active site of this organization."})


def _judge(fix: Fix | None, now: datetime, site: Site | None, fences: list[Fence],
           previous: tuple[Fix, datetime] | None) -> tuple[str, Site | None, tuple[Fix, datetime] | None, bool]:
    """The verdict, the site, the member's previous recorded fix (read with the context) and
    whether the move from it to this one is implausibly fast (a mocked location)."""
    if fix is None:
        return Verdict.NO_LOCATION, site, None, False
    candidates = [fence for fence in fences if fence.site is site] if site is not None else fences
    verdict, judged = best_verdict(candidates, fix)
    mock = previous is not None and implausible_speed(previous[0], previous[1], fix, now)
    return verdict, judged, previous, mock
