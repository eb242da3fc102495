"""The batch sync endpoint's work (LO2): an offline device queue, thousands of events at once.

Idempotent by (device, client event id), a unique constraint: a replayed batch stores
nothing twice. The events a device already delivered are found by one read before any write
(a batch sent again costs no write transaction); the insert's row count tells the rest,
an event another send stored meanwhile included. Each event is
checked on its own; broken ones are reported by index and the rest are stored by one
``executemany`` per chunk of ``CHUNK`` events, each chunk its own short write transaction.
The per-event loop is kept to plain Python on tuples: this is the hot path. A location
event's columns are listed once, in ``COLUMNS``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models.constants import OnConflict
from django.utils import timezone

from officium import priority
from officium.attendance import alerts, coordinates
from officium.attendance.audit_events import EVENTS_SYNCED
from officium.attendance.checkins import fence_cache, last_fix, record_synced
from officium.attendance.coordinates import Fix
from officium.attendance.fixes import new_fix
from officium.attendance.geofence import MAX_ACCURACY_M, implausible_speed
from officium.attendance.models import (
    Device,
    DeviceProfile,
    Direction,
    EventKind,
    LocationEvent,
    LocationStatus,
)
from officium.attendance.privacy_mode import PausedPeriods, PrivacyModeChanged, privacy_version
from officium.db import (
    datetime_adapter,
    executemany,
    executemany_returning,
    fetch_all,
    row_count,
    run,
    sqlite_writers,
)
from officium.privacy import audit
from officium.shard.tenancy import unique_key_scope

MAX_EVENTS = 10_000
CHUNK = 100  # events per write transaction: what a check-in may wait behind
CLOCK_SKEW = timedelta(hours=1)
STEP = 25  # events between two chances to step aside for a person's request (officium.priority)
KINDS = frozenset(EventKind.values)
DIRECTIONS = frozenset(Direction.values)
_NUMBER = (int, float)
Item = tuple[str, datetime, Any, int | None, str | None, Any]
"""An action for ``Action.store``: client id, time, checked payload, location event id and
status, and the time as the database takes it (``db.datetime_adapter``, already made for the
location event: an action's row may reuse it)."""


class Action(Protocol):
    """Another app's handling of events that carry a payload (``"data"``): a task entry, a
    form submission, a bid answer queued on a phone. ``check`` parses one payload (raising
    ``BrokenEvent`` or ``ValidationError`` naming the field; nothing is then stored for that
    event), with ``memo`` kept for the whole batch (what it looked up once); ``store`` writes
    the rows in the transaction of the events' chunk, given each event's ``Item`` (client id,
    time, checked payload, stored location event id and that event's location status, as
    stored: privacy mode and the device profile applied; the time as stored), and skips those it already has
    (exactly once by client id). With ``new``, every one of those location events was inserted
    by this very chunk, so none of their rows can exist yet (rows commit with their event):
    ``store`` may skip looking for them (its insert still ignores a duplicate)."""

    def check(self, device: Device, data: Any, memo: dict[Any, Any]) -> Any: ...

    def store(self, device: Device, items: list[Item], new: bool = False) -> int: ...


_ACTIONS: dict[str, Action] = {}


def register_action(kind: str, action: Action) -> None:
    """Called from an app's ``ready()``; ``kind`` is one of ``EventKind``."""
    if kind not in KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    _ACTIONS[kind] = action


class BrokenEvent(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


@dataclass
class BatchResult:
    stored: int = 0
    duplicates: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    actions: int = 0


def _coordinate(value: Any, name: str, low: float, high: float) -> float:
    if type(value) not in _NUMBER:  # bool, str, None and NaN-free ints are told apart here
        raise BrokenEvent(name, "Enter a number.")
    if not (low <= value <= high):  # NaN fails every comparison
        if value != value or math.isinf(value):
            raise BrokenEvent(name, "Enter a finite number.")
        raise BrokenEvent(name, f"Must be between {low:g} and {high:g}.")
    return float(value)


def parse_event(event: Any, latest: datetime) -> tuple[str, str, datetime, float | None, float | None, float | None]:
    """(client id, kind, time, latitude, longitude, accuracy) or BrokenEvent naming the field."""
    if type(event) is not dict:
        raise BrokenEvent("event", "Each event must be an object.")
    cid = event.get("id")
    if type(cid) is not str or not 0 < len(cid) <= 64:
        raise BrokenEvent("id", "Give each event a client id of 1-64 characters.")
    kind = event.get("kind")
    if kind not in KINDS:
        raise BrokenEvent("kind", f"Kind must be one of {', '.join(sorted(KINDS))}.")
    raw_at = event.get("at")
    try:
        at = datetime.fromisoformat(raw_at)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise BrokenEvent("at", "Give the time in ISO 8601 with a UTC offset.") from None
    if at.tzinfo is None:
        raise BrokenEvent("at", "Give the time in ISO 8601 with a UTC offset.")
    try:
        at = at.astimezone(UTC)  # stored in UTC: a time whose UTC value has no year 1-9999 fails
    except OverflowError:
        raise BrokenEvent("at", "The time is out of range.") from None
    if at > latest:
        raise BrokenEvent("at", "The time is in the future.")
    if kind == "attendance" and event.get("direction", "in") not in DIRECTIONS:
        raise BrokenEvent("direction", "Direction must be in or out.")
    if "lat" not in event and "lon" not in event:
        return cid, kind, at, None, None, None
    lat = _coordinate(event.get("lat"), "lat", -90.0, 90.0)
    lon = _coordinate(event.get("lon"), "lon", -180.0, 180.0)
    acc = event.get("accuracy")
    acc = 0.0 if acc is None else _coordinate(acc, "accuracy", 0.0, MAX_ACCURACY_M)
    return cid, kind, at, lat, lon, acc


def ingest_batch(device: Device, events: Any) -> BatchResult:
    """Store a device's queued events; see the module docstring. The batches of one server
    process take turns and step aside for people's requests (``officium.priority``)."""
    with priority.batch():
        return _ingest(device, events)


def _ingest(device: Device, events: Any) -> BatchResult:
    if not isinstance(events, list):
        raise ValidationError({"events": "Send a list of events."})
    if len(events) > MAX_EVENTS:
        raise ValidationError({"events": f"Send at most {MAX_EVENTS} events per request."})
    result = BatchResult()
    now = timezone.now()
    parsed: dict[str, tuple[str, str, datetime, float | None, float | None, float | None]] = {}
    directions: dict[str, str] = {}
    payloads: dict[str, Any] = {}
    latest = now + CLOCK_SKEW
    replayed = _replayed(device, events)
    seen: set[str] = set()  # client ids met in this batch, stored before or not
    memo: dict[Any, Any] = {}
    for index, event in enumerate(events):
        if not index % STEP:
            priority.step_aside()
        try:
            row = parse_event(event, latest)
            if "data" in event and row[0] not in seen and row[0] not in replayed:
                payloads[row[0]] = _check_action(device, row[1], event["data"], memo)
        except BrokenEvent as broken:
            result.rejected.append({"index": index, "field": broken.field, "message": broken.message})
            continue
        if row[0] in seen:
            result.duplicates += 1
            continue
        seen.add(row[0])
        if row[0] in replayed:  # stored by an earlier send: no write, no turn at the writer slot
            result.duplicates += 1
        else:
            parsed[row[0]] = row
        if row[1] == "attendance":  # queued offline: becomes a check-in record too (LO1)
            # A replayed one too: a send cut short between chunks stored it without its
            # record, which the last chunk of this send makes (record_synced skips existing ones).
            directions[row[0]] = event.get("direction", "in")
    fresh = sorted(parsed.values(), key=lambda r: r[2])
    if not fresh and not directions:
        return result
    result.stored = _store(device, fresh, now, result, directions, payloads)
    result.duplicates += len(fresh) - result.stored
    return result


def _replayed(device: Device, events: list[Any]) -> frozenset[str]:
    """Client ids of the batch this device already delivered, read before any write: a replay
    is a duplicate, never judged again (a payload's task may have moved on since), and a batch
    sent again after a lost answer costs one indexed read instead of its chunks' turns at
    SQLite's single writer slot, where check-ins would wait behind them. An event stored by
    another send meanwhile is still skipped by the insert's unique constraint."""
    ids = [e.get("id") for e in events if type(e) is dict and type(e.get("id")) is str]
    if not ids:
        return frozenset()
    # One statement through the cursor: the ORM would prepare each of up to 10,000 ids on its own.
    q = connection.ops.quote_name
    column = {f.attname: f.column for f in LocationEvent._meta.concrete_fields if f.column is not None}
    scope = unique_key_scope(device.organization_id)

    def statement(mark: str) -> str:
        where = " AND ".join(f"{q(column[name])} = {mark}" for name in ("device_id", *scope))
        return (f"SELECT {q(column['client_event_id'])} FROM {q(LocationEvent._meta.db_table)} "  # noqa: S608
                f"WHERE {where} AND {q(column['client_event_id'])} IN ({', '.join([mark] * len(ids))})")

    rows = _run(statement, [device.pk, *scope.values(), *ids], fetch_all)
    return frozenset(row[0] for row in rows)


def _run(statement: Callable[[str], str], params: list[Any], fetch: Callable[[Any], Any]) -> Any:
    """``db.run`` of one of the batch's long statements (an IN list of up to 10,000 ids, a
    chunk's multi-row insert of 1,400 values), ``statement(placeholder)`` written in Django's
    style and, on SQLite, also in the driver's: Django's cursor rewrites every ``%s`` into ``?``
    with a regular expression, 0.2 ms for each chunk's insert, a millisecond per batch of 500."""
    driver = statement("?") if connection.vendor == "sqlite" else None
    return run(connection, statement("%s"), driver, params, fetch)


def _check_action(device: Device, kind: str, data: Any, memo: dict[Any, Any]) -> Any:
    action = _ACTIONS.get(kind)
    if action is None:
        raise BrokenEvent("data", f"Events of kind {kind} carry no data.")
    try:
        return action.check(device, data, memo)
    except ValidationError as error:
        (name, messages), *_ = error.message_dict.items()
        raise BrokenEvent(f"data.{name}", messages[0]) from None


def _store_actions(device: Device, fresh: list[Row], payloads: dict[str, Any],
                   located: dict[str, tuple[int, str]], columns: list[tuple[Any, ...]]) -> dict[str, int]:
    """The payload-carrying events' rows, linked to their location events: ``located`` holds
    (id, location status) of those this chunk just inserted (the insert returned the ids; the
    statuses are the ones it stored); the others were stored by an earlier send of the same
    queue and are looked up. ``columns`` are the chunk's location event rows (their times as
    stored). Returns the rows stored, by kind."""
    missing = [cid for cid in payloads if cid not in located]
    new = not missing  # each location event inserted just now: no row of it can exist yet
    if missing:
        located = dict(located)
        located.update((str(cid), (pk, status)) for cid, pk, status in LocationEvent.objects.order_by().filter(
            device=device, client_event_id__in=missing, **unique_key_scope(device.organization_id))
            .values_list("client_event_id", "pk", "location_status"))
    stored_at = {c[_CID]: c[_AT] for c in columns}
    by_kind: dict[str, list[Item]] = {}
    for cid, kind, at, *_ in fresh:
        if cid in payloads:
            pk, status = located.get(cid, (None, None))
            by_kind.setdefault(kind, []).append((cid, at, payloads[cid], pk, status, stored_at[cid]))
    stored = {kind: _ACTIONS[kind].store(device, items, new=new) for kind, items in by_kind.items()}
    return {kind: count for kind, count in stored.items() if count}


def _store(device: Device, fresh: list[Row], now: datetime, result: BatchResult,
           directions: dict[str, str], payloads: dict[str, Any] | None = None) -> int:
    """Write transactions of at most ``CHUNK`` events each, so a check-in arriving meanwhile
    waits for one chunk at most, not the whole batch (SQLite has one writer; each chunk lets
    waiting check-ins go first, ``sqlite_writers.turn(batch=True)``). Each chunk's events, the rows of those carrying
    data (task entries, submissions, bid answers: a replayed event is never judged again, so
    they must commit with it) and its audit entry commit together; the last chunk's
    transaction also makes the check-in records of queued attendance events and the alerts,
    for the whole batch.
    Those steps skip what they already made, so a batch cut short (a crash, a lost answer)
    is completed by sending it again, the stored chunks then counting as duplicates (with
    nothing fresh, only replayed queued check-ins, the last chunk is one of none). Each
    transaction's first statement is the insert (SQLite takes its write lock there, so no
    read-to-write upgrade can fail; a chunk of none has no insert, and SQLite's transactions
    begin IMMEDIATE anyway); privacy mode is checked again under that lock, and when
    it changed, the chunk is redone with the new mode (the chunks before were judged by the
    mode of their time).

    Events already stored are skipped by the unique constraint; the insert's row count says
    how many were new.
    """
    member = device.member
    stored = 0
    extra = {"duplicates": result.duplicates, "rejected": len(result.rejected)}  # told by the first entry
    start, attempts = 0, 0
    paused = PausedPeriods(member)
    rows, newest = _rows(device, fresh, now, paused) if fresh else ([], None)
    offset = 0  # ``rows`` holds ``fresh[offset:]``
    last = False
    while not last:  # with nothing fresh (only replayed attendance events), one chunk of none
        priority.step_aside()  # between chunks, outside their transactions
        end = min(start + CHUNK, len(fresh))
        last = end == len(fresh)
        try:
            with sqlite_writers.turn(batch=True), transaction.atomic():
                columns = rows[start - offset:end - offset]
                count, new_ids = _insert(columns, returning=bool(payloads)) if columns else (0, {})
                if privacy_version(member) != paused.version:
                    raise PrivacyModeChanged
                chunk = fresh[start:end]
                carried = {row[0]: payloads[row[0]] for row in chunk if row[0] in payloads} if payloads else {}
                actions: dict[str, int] = {}
                if carried:  # with their location events: a replay finds both or neither
                    located = {c[_CID]: (new_ids[c[_CID]], c[_STATUS]) for c in columns if c[_CID] in new_ids}
                    actions = _store_actions(device, chunk, carried, located, columns)
                check_ins = 0
                if last:
                    check_ins = len(record_synced(device, directions)) if directions else 0
                    if stored + count and newest is not None:
                        alerts.track(member, *newest, fences=fence_cache.fences(device.organization_id))
                        new_fix(member, newest[1])  # e.g. a customer's arrival estimate (FW7)
                if count or check_ins or actions:  # one entry per chunk, what it stored
                    details: dict[str, Any] = {"stored": count,
                                               "duplicates": end - start - count + extra["duplicates"],
                                               "rejected": extra["rejected"], "check_ins": check_ins}
                    if actions:  # the other apps' rows (task entries, submissions, bid answers) by kind
                        details["actions"] = actions
                    audit.record(EVENTS_SYNCED, actor=member.user_id, organization=device.organization_id,
                                 subject=member.user_id, target=device, details=details)
                    extra = {"duplicates": 0, "rejected": 0}
        except PrivacyModeChanged:
            attempts += 1
            if attempts >= 3:
                raise ValidationError({"events": "Privacy mode keeps changing; send the batch again."}) from None
            paused = PausedPeriods(member)
            rows, newer = _rows(device, fresh[start:], now, paused) if fresh else ([], None)
            newest, offset, last = newer or newest, start, False
            continue
        stored += count
        result.actions += sum(actions.values())
        start = end
    return stored


Row = tuple[str, str, datetime, float | None, float | None, float | None]
COLUMNS = ("organization_id", "member_id", "device_id", "kind", "client_event_id", "occurred_at",
           "received_at", *coordinates.VALUE_FIELDS, "location_status", "suspected_mock")
_CID, _AT, _STATUS = COLUMNS.index("client_event_id"), COLUMNS.index("occurred_at"), COLUMNS.index("location_status")
# The statuses' stored values, read once (an enum member's ``.value`` is a slow descriptor).
_NONE, _NOT_COLLECTED, _PAUSED, _RECORDED = (str(s.value) for s in (
    LocationStatus.NONE, LocationStatus.NOT_COLLECTED, LocationStatus.PAUSED, LocationStatus.RECORDED))


def _rows(device: Device, rows: list[Row], now: datetime, paused: PausedPeriods,
          ) -> tuple[list[tuple[Any, ...]], tuple[Fix, datetime, tuple[Fix, datetime] | None] | None]:
    """Column tuples with privacy mode, the device profile and mock detection applied."""
    member = device.member
    allowed = DeviceProfile.kinds_for(member)
    paused_now = paused.now
    previous = last_fix(member.pk, before=rows[0][2], user_id=member.user_id)
    before_last: tuple[Fix, datetime] | None = previous
    newest: tuple[Fix, datetime, tuple[Fix, datetime] | None] | None = None
    adapt = datetime_adapter(connection.vendor)
    head = (device.organization_id, member.pk, device.pk)
    received = adapt(now)
    out, fixes = [], []
    for index, (cid, kind, at, lat, lon, acc) in enumerate(rows):
        if not index % STEP:
            priority.step_aside()
        fix = None
        mock = False
        if lat is None:
            status = _NONE
        elif kind not in allowed:
            status = _NOT_COLLECTED
        elif paused_now or paused.at(at):
            status = _PAUSED
        else:
            status = _RECORDED
            fix = Fix(lat, lon, acc)  # type: ignore[arg-type]
            if previous is not None:
                mock = implausible_speed(previous[0], previous[1], fix, at)
            before_last, previous = previous, (fix, at)
            newest = (fix, at, before_last)
        out.append((kind, cid, adapt(at), received, status, mock))
        fixes.append(fix)
    sealed = coordinates.Sealer(LocationEvent, member.user_id).rows(fixes)  # SE2
    return [(*head, kind, cid, at, received, *tokens, status, mock)
            for (kind, cid, at, received, status, mock), tokens in zip(out, sealed, strict=True)], newest


def _insert(rows: list[tuple[Any, ...]], returning: bool = False) -> tuple[int, dict[str, int]]:
    """One ``executemany`` through Django's connection, duplicates ignored by the constraint.

    Not ``bulk_create``: preparing each value of each model instance costs ten times the
    insert itself, and this is the path thousands of events per request take.
    """
    ops = connection.ops
    table = ops.quote_name(LocationEvent._meta.db_table)
    column_of = {f.attname: f.column for f in LocationEvent._meta.concrete_fields
                 if f.column is not None}  # a concrete field always has one
    names = ", ".join(ops.quote_name(column_of[c]) for c in COLUMNS)
    placeholders = ", ".join(["%s"] * len(COLUMNS))
    suffix = ops.on_conflict_suffix_sql(None, OnConflict.IGNORE, None, None)
    sql = f"{ops.insert_statement(on_conflict=OnConflict.IGNORE)} {table} ({names}) VALUES ({placeholders}) {suffix}"
    if returning and connection.vendor == "postgresql":
        # The new rows' ids (for the actions' rows that point at them), with no lookup after.
        back = executemany_returning(f"{sql} RETURNING {ops.quote_name(column_of['client_event_id'])}, "
                                     f"{ops.quote_name(column_of['id'])}", rows)
        return len(back), dict(back)
    if connection.vendor == "sqlite" and rows:
        # One multi-row INSERT, not executemany: SQLite steps it once, so the thread gives up
        # the GIL once per group instead of once per row (each time it may wait for another
        # thread's switch interval, all the while holding the database's write lock), and it
        # returns rows (executemany cannot): the new ids with no lookup after. Groups stay well
        # inside SQLite's 32,766 bound parameters.
        returned = (f"RETURNING {ops.quote_name(column_of['client_event_id'])}, {ops.quote_name(column_of['id'])}"
                    if returning else "")
        found: dict[str, int] = {}
        inserted = 0
        head = f"{ops.insert_statement(on_conflict=OnConflict.IGNORE)} {table} ({names}) VALUES "
        for start in range(0, len(rows), SQLITE_ROWS):
            group = rows[start:start + SQLITE_ROWS]

            def statement(mark: str, size: int = len(group)) -> str:
                values = ", ".join([f"({', '.join([mark] * len(COLUMNS))})"] * size)
                return f"{head}{values} {suffix} {returned}"

            params = [value for row in group for value in row]
            if returning:
                found.update(_run(statement, params, fetch_all))
            else:
                inserted += _run(statement, params, row_count)
        return (len(found), found) if returning else (inserted, {})
    return executemany(sql, rows), {}


SQLITE_ROWS = 500
"""Rows per multi-row INSERT on SQLite (500 x 14 columns = 7,000 bound parameters)."""
