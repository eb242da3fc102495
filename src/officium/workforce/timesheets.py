"""Timesheets (WT4): one row per member and local work day, derived, never edited by hand.

A day is rebuilt from what counts that day: the member's check-in records whose ``work_day``
it is (an overnight shift's check-out counts on the evening it started), minus originals an
approved correction replaced, plus approved leave and holidays. Attendance tells us when
records arrive (``attendance.workday.changed``: live check-ins, offline syncs, review
decisions); corrections and leave decisions call ``recompute`` themselves. Days inside an
approved period are locked: never recomputed, and no correction lands in them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import ExpressionWrapper, F, Q, TextField
from django.utils import timezone

from officium.accounts import localtime
from officium.accounts.models import Membership
from officium.accounts.roles import ADMINISTRATORS, WORKING_ROLES
from officium.attendance import purposes
from officium.attendance.clock import COUNTING
from officium.attendance.models import AttendanceRecord, Direction, Review, ShiftStatus, Verdict
from officium.privacy import audit
from officium.workforce.audit_events import TIMESHEET_APPROVED
from officium.workforce.models import (
    Correction,
    CorrectionKind,
    Holiday,
    LeaveRequest,
    LeaveType,
    RequestState,
    TimesheetApproval,
    TimesheetDay,
)
from officium.workforce.shifts import plan_for

FLAGS = {"late": "Late", "early": "Left early", "missing_check_out": "Missing check-out",
         "outside_fence": "Outside the fence", "no_location": "No location",
         "pending_review": "Waiting for review"}
MAX_PERIOD_DAYS = 62


def _minutes(span: dt.timedelta) -> int:
    return max(0, int(span.total_seconds() // 60))


def is_locked(member_id: int, day: dt.date) -> bool:
    return TimesheetApproval.objects.filter(member_id=member_id, starts_on__lte=day, ends_on__gte=day).exists()


def _locked_days(member_id: int, days: Iterable[dt.date]) -> set[dt.date]:
    wanted = sorted(set(days))
    if not wanted:
        return set()
    spans = list(TimesheetApproval.objects.filter(
        member_id=member_id, starts_on__lte=wanted[-1], ends_on__gte=wanted[0]).values_list("starts_on", "ends_on"))
    return {d for d in wanted if any(a <= d <= b for a, b in spans)}


def superseded_ids(member_id: int) -> Any:
    """Records that an approved wrong-time correction replaced: they stay, but no longer count."""
    return Correction.objects.filter(member_id=member_id, state=RequestState.APPROVED,
                                     kind=CorrectionKind.WRONG_TIME, original__isnull=False).values("original_id")


def recompute(member: Membership, days: Iterable[dt.date]) -> list[TimesheetDay]:
    """Rebuild the member's unlocked days among ``days``; returns the rows now stored."""
    wanted = sorted(set(days))
    if not wanted:
        return []
    locked = _locked_days(member.pk, wanted)
    wanted = [d for d in wanted if d not in locked]
    if not wanted:
        return []
    organization = member.organization
    org_zone = localtime.zone_for(organization)
    records = list(AttendanceRecord.objects.filter(COUNTING, member_id=member.pk, work_day__in=wanted)
                   .exclude(pk__in=superseded_ids(member.pk)).select_related("site")
                   .order_by("occurred_at", "pk"))
    by_day: dict[dt.date, list[AttendanceRecord]] = {d: [] for d in wanted}
    for record in records:
        by_day[record.work_day].append(record)  # type: ignore[index]
    leave = list(LeaveRequest.objects.filter(member_id=member.pk, state=RequestState.APPROVED,
                                             starts_on__lte=wanted[-1], ends_on__gte=wanted[0]))
    site_ids = {r.site_id for r in records}
    holidays = {(h.site_id, h.day): h.name for h in Holiday.objects.filter(
        Q(site__isnull=True) | Q(site_id__in=site_ids), organization_id=member.organization_id,
        day__in=wanted)}
    plan = plan_for(member.organization_id, member.pk, site_ids)
    stored: list[TimesheetDay] = []
    empty = []
    now = timezone.now()
    for day in wanted:
        rows = by_day[day]
        site = rows[0].site if rows else None
        tz = localtime.zone_for(organization, site)
        values = _day_values(day, rows, plan.slots_on(day, site.pk if site else None, tz), leave,
                             holidays.get((site.pk if site else None, day)) or holidays.get((None, day), ""))
        if values is None:
            empty.append(day)
            continue
        values["day_end"] = localtime.day_bounds(day + dt.timedelta(days=1), org_zone)[1]
        values["computed_at"] = now
        stored.append(TimesheetDay(organization_id=member.organization_id, member_id=member.pk, day=day, **values))
    if stored:  # one upsert for all the days (a concurrent rebuild of the same day cannot collide)
        # On PostgreSQL the unique key also holds organization_id (SC3: shard-ready keys), and
        # ON CONFLICT must name the key's columns exactly.
        unique = ["member", "day", "organization"] if connection.vendor == "postgresql" else ["member", "day"]
        TimesheetDay.objects.bulk_create(stored, update_conflicts=True, unique_fields=unique,
                                         update_fields=_STORED_FIELDS)
    if empty:
        TimesheetDay.objects.filter(member_id=member.pk, day__in=empty).delete()
    return stored


_STORED_FIELDS = ["first_in", "last_out", "worked_minutes", "break_minutes", "expected_minutes", "overtime_minutes",
                  "leave_minutes", "leave_type", "holiday", "flags", "records", "day_end", "computed_at"]


def _day_values(day: dt.date, rows: Sequence[AttendanceRecord], slots: Sequence[Any],
                leave: Sequence[LeaveRequest], holiday: str) -> dict[str, Any] | None:
    worked = breaks = dt.timedelta(0)
    opened: dt.datetime | None = None
    last_out: dt.datetime | None = None
    first_in: dt.datetime | None = None
    flags: set[str] = set()
    for record in rows:
        if record.direction == Direction.IN:
            first_in = first_in or record.occurred_at
            if opened is None:
                if last_out is not None:
                    breaks += record.occurred_at - last_out
                opened = record.occurred_at
            if record.shift_status == ShiftStatus.LATE:
                flags.add("late")
        else:
            if opened is not None:
                worked += record.occurred_at - opened
                opened = None
            last_out = record.occurred_at
            if record.shift_status == ShiftStatus.EARLY:
                flags.add("early")
        if record.verdict in (Verdict.OUTSIDE, Verdict.UNDECIDED):
            flags.add("outside_fence")
        if record.verdict == Verdict.NO_LOCATION:
            flags.add("no_location")
        if record.review == Review.PENDING:
            flags.add("pending_review")
    if opened is not None:
        flags.add("missing_check_out")
    expected = sum((_minutes(s.ends_at - s.starts_at) - s.spec.break_minutes for s in slots), 0)
    on_leave = next((r for r in leave if r.starts_on <= day <= r.ends_on), None)
    if not rows and on_leave is None and not holiday:
        return None
    leave_minutes = (expected or 8 * 60) if on_leave is not None and day.weekday() < 5 or (
        on_leave is not None and expected) else 0
    worked_minutes = _minutes(worked)
    credited = worked_minutes + leave_minutes
    return {"first_in": first_in, "last_out": last_out, "worked_minutes": worked_minutes,
            "break_minutes": _minutes(breaks), "expected_minutes": expected,
            "overtime_minutes": max(0, credited - expected) if expected and not holiday else (
                worked_minutes if holiday and expected else 0),
            "leave_minutes": leave_minutes, "leave_type_id": on_leave.leave_type_id if on_leave else None,
            "holiday": holiday, "flags": sorted(flags), "records": len(rows)}


def on_records_changed(organization_id: int, days: Sequence[tuple[int, dt.date]]) -> None:
    """Attendance's listener: the days records arrived on (live, synced, reviewed) are rebuilt
    by the worker, so a check-in does not pay for its day's timesheet. The task row is written
    in the caller's transaction: a rolled-back check-in queues nothing."""
    from officium.worker.enqueue import enqueue
    from officium.workforce.tasks import rebuild_timesheet_days

    enqueue(rebuild_timesheet_days, organization_id, [[m, d.isoformat()] for m, d in days])


def rebuild_days(organization_id: int, days: Sequence[tuple[int, dt.date]]) -> None:
    """Rebuild each member's listed days."""
    per_member: dict[int, list[dt.date]] = {}
    for member_id, day in days:
        per_member.setdefault(member_id, []).append(day)
    for member in Membership.objects.filter(pk__in=per_member, organization_id=organization_id
                                            ).select_related("organization"):
        recompute(member, per_member[member.pk])


# --- reading ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date

    @property
    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def period_of(view: str, anchor: dt.date) -> Period:
    """The local week (Monday-Sunday) or calendar month containing ``anchor``."""
    if view == "week":
        monday = anchor - dt.timedelta(days=anchor.weekday())
        return Period(monday, monday + dt.timedelta(days=6))
    if view == "month":
        first = anchor.replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        return Period(first, following - dt.timedelta(days=1))
    raise ValidationError({"view": "Choose week or month."})


def visible_members(actor: Membership) -> list[Membership]:
    """Whose timesheets the actor reads: administrators everyone working; a manager their
    reports and themself; anyone else themself."""
    qs = Membership.objects.filter(organization_id=actor.organization_id, role__in=WORKING_ROLES
                                   ).select_related("user")
    if actor.role not in ADMINISTRATORS:
        qs = qs.filter(Q(pk=actor.pk) | Q(reports_to=actor))
    members = list(qs.order_by("user__last_name", "user__first_name", "pk"))
    for member in members:  # one organization: the actor's, already loaded
        member.organization = actor.organization
    return members


def approvable_q(actor: Membership) -> Q:
    """Rows (with a ``member``) whose requests the actor decides: their reports'; everyone's
    but their own for administrators (``can_approve`` as a filter)."""
    q = Q(organization_id=actor.organization_id) & ~Q(member_id=actor.pk)
    return q if actor.role in ADMINISTRATORS else q & Q(member__reports_to_id=actor.pk)


def can_approve(actor: Membership, member: Membership) -> bool:
    return member.organization_id == actor.organization_id and member.pk != actor.pk and (
        actor.role in ADMINISTRATORS or member.reports_to_id == actor.pk)


_AS_TEXT = TextField()
# Read as they come from the driver and parsed here once (no per-value ORM converters: SQLite
# hands back text, PostgreSQL dates and datetimes; flags are JSON text on both).
_SHEET_COLUMNS = {"day_raw": ExpressionWrapper(F("day"), output_field=_AS_TEXT),
                  "first_in_raw": ExpressionWrapper(F("first_in"), output_field=_AS_TEXT),
                  "last_out_raw": ExpressionWrapper(F("last_out"), output_field=_AS_TEXT),
                  "flags_raw": ExpressionWrapper(F("flags"), output_field=_AS_TEXT)}
_PLAIN_COLUMNS = ("member_id", "worked_minutes", "break_minutes", "expected_minutes", "overtime_minutes",
                  "leave_minutes", "leave_type_id", "holiday")
# A member list this long is read by organization and day (an index range) and filtered here,
# rather than sent as a long IN list.
_MANY_MEMBERS = 200


def _moment_of(value: Any) -> dt.datetime | None:
    """A stored moment as an aware UTC datetime (SQLite's driver hands back naive ones or text)."""
    if value is None:
        return None
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _flags_of(value: Any) -> list[str]:
    if value is None or value == "[]":
        return []
    return list(json.loads(value) if isinstance(value, str) else value)


def sheet(actor: Membership, members: Sequence[Membership], period: Period, *,
          texts: bool = False) -> list[dict[str, Any]]:
    """Each member's days in the period (empty days included, holidays named) and totals,
    read through ``for_purpose`` in one query of plain values (``texts``: person-facing
    times with the zone named, for pages)."""
    ids = {m.pk for m in members}
    qs = (TimesheetDay.objects.for_purpose(actor, purposes.location())
          .filter(day__gte=period.first, day__lte=period.last))
    if len(ids) <= _MANY_MEMBERS:
        qs = qs.filter(member_id__in=ids)
    stored: dict[tuple[int, dt.date], tuple[Any, ...]] = {}
    day_of: dict[Any, dt.date] = {}
    for row in qs.order_by().values_list(*_PLAIN_COLUMNS, *_SHEET_COLUMNS.values()):
        if row[0] not in ids:
            continue
        raw_day = row[8]
        day = day_of.get(raw_day)
        if day is None:
            day = day_of[raw_day] = raw_day if isinstance(raw_day, dt.date) else dt.date.fromisoformat(raw_day)
        stored[(row[0], day)] = row
    leave_names = dict(LeaveType.objects.filter(organization_id=actor.organization_id).values_list("pk", "name")) \
        if any(r[6] is not None for r in stored.values()) else {}
    holidays = dict(Holiday.objects.filter(organization_id=actor.organization_id, site__isnull=True,
                                           day__gte=period.first, day__lte=period.last).values_list("day", "name"))
    approvals: dict[int, list[tuple[dt.date, dt.date]]] = {}
    spans_qs = TimesheetApproval.objects.filter(organization_id=actor.organization_id,
                                                starts_on__lte=period.last, ends_on__gte=period.first)
    if len(ids) <= _MANY_MEMBERS:
        spans_qs = spans_qs.filter(member_id__in=ids)
    for member_id, first, last in spans_qs.values_list(
            "member_id", "starts_on", "ends_on"):
        approvals.setdefault(member_id, []).append((first, last))
    zone = localtime.zone_for(actor.organization)
    today = localtime.local_day(timezone.now(), zone)
    days = period.days
    empty = [{**_EMPTY, "day": day, "holiday": holidays.get(day, "")} for day in days]
    out = []
    for member in members:
        spans = approvals.get(member.pk)
        entries = []
        worked = overtime = leave_minutes = expected = 0
        for index, day in enumerate(days):
            locked = spans is not None and any(a <= day <= b for a, b in spans)
            row = stored.get((member.pk, day))
            if row is None:
                entries.append({**empty[index], "flags": [], "locked": locked})
                continue
            (_member, day_worked, breaks, day_expected, day_overtime, day_leave, leave_type_id, own_holiday,
             _raw_day, first_in, last_out, flags) = row
            worked += day_worked
            overtime += day_overtime
            leave_minutes += day_leave
            expected += day_expected
            entry = {"day": day, "first_in": _moment_of(first_in), "last_out": _moment_of(last_out),
                     "worked_minutes": day_worked, "break_minutes": breaks, "expected_minutes": day_expected,
                     "overtime_minutes": day_overtime, "leave_minutes": day_leave,
                     "leave": leave_names.get(leave_type_id, "") if leave_type_id is not None else "",
                     "holiday": own_holiday or empty[index]["holiday"], "flags": _flags_of(flags),
                     "locked": locked}
            if texts:
                entry.update(first_in_text=localtime.format_time(entry["first_in"], zone),
                             last_out_text=localtime.format_time(entry["last_out"], zone),
                             worked_text=localtime.format_duration(dt.timedelta(minutes=day_worked)),
                             flag_labels=[flag_label(f, day, today) for f in entry["flags"]])
            entries.append(entry)
        totals = {"worked_minutes": worked, "overtime_minutes": overtime, "leave_minutes": leave_minutes,
                  "expected_minutes": expected}
        sheet_row: dict[str, Any] = {
            "member_id": member.pk, "name": member.user.get_full_name() or member.user.email,
            "days": entries, "totals": totals, "locked": all(d["locked"] for d in entries)}
        if texts:
            sheet_row.update(
                worked_text=localtime.format_duration(dt.timedelta(minutes=worked)),
                overtime_text=localtime.format_duration(dt.timedelta(minutes=overtime)))
        out.append(sheet_row)
    return out


def flag_label(flag: str, day: dt.date, today: dt.date) -> str:
    """A flag as a person reads it: today's open check-in is someone still at work, not yet a
    missing check-out."""
    if flag == "missing_check_out" and day >= today:
        return "Still checked in"
    return str(FLAGS.get(flag, flag))


_EMPTY: dict[str, object] = {"first_in": None, "last_out": None, "worked_minutes": 0, "break_minutes": 0,
                             "expected_minutes": 0, "overtime_minutes": 0, "leave_minutes": 0, "leave": "",
                             "flags": [], "first_in_text": "", "last_out_text": "", "worked_text": "",
                             "flag_labels": []}


# --- approving and locking -------------------------------------------------------------------

def approve_period(actor: Membership, member: Membership, period: Period) -> TimesheetApproval:
    """Approve and lock the member's days in ``period`` (recomputed one last time first)."""
    if not can_approve(actor, member):
        raise PermissionDenied("Only the member's manager or an administrator approves their timesheet.")
    if (period.last - period.first).days >= MAX_PERIOD_DAYS or period.last < period.first:
        raise ValidationError({"ends_on": f"Approve a period of 1 to {MAX_PERIOD_DAYS} days."})
    if is_locked(member.pk, period.first) and is_locked(member.pk, period.last) and all(
            is_locked(member.pk, d) for d in period.days):
        raise ValidationError({"starts_on": "This period is already approved."})
    with transaction.atomic():
        recompute(member, period.days)
        approval = TimesheetApproval.objects.create(
            organization_id=member.organization_id, member=member, starts_on=period.first,
            ends_on=period.last, approved_by=actor,
            locked_until=localtime.day_bounds(period.last + dt.timedelta(days=1), localtime.UTC)[1])
        audit.record(TIMESHEET_APPROVED, actor=actor.user_id, organization=actor.organization_id,
                     subject=member.user_id, target=approval,
                     details={"starts_on": period.first.isoformat(), "ends_on": period.last.isoformat()})
    return approval


def parse_day(value: Any, field: str = "day") -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError({field: "Enter a date (YYYY-MM-DD)."}) from None
