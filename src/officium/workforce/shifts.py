"""Where a moment falls in a member's shifts (WT2), in local time.

A member's own assignments active on a day rule that day; without one, the assignments of the
site they check in at. An overnight shift belongs to the day it started: a check-out at 02:00
after a 22:00-06:00 shift counts on the evening before. Each check-in is judged once, when it
is stored (``judge_moments``, registered with attendance), and ``placement_for`` answers the
same question for anyone who needs it later (timesheets, reports).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q

from officium.accounts import localtime
from officium.accounts.models import Membership
from officium.attendance.models import Direction, ShiftStatus
from officium.attendance.workday import Moment
from officium.db import Prepared
from officium.workforce.models import ShiftAssignment, ShiftType

WINDOW = dt.timedelta(hours=2)
"""How long before its start a check-in, or after its end a check-out, still belongs to a shift."""

DAY_MINUTES = 24 * 60
WEEK_MINUTES = 7 * DAY_MINUTES

_COLUMNS = ("member_id", "site_id", "starts_on", "ends_on", "shift_type_id", "shift_type__name",
            "shift_type__start", "shift_type__end", "shift_type__break_minutes",
            "shift_type__grace_minutes", "shift_type__weekdays", "shift_type__overnight")
_PLAN = Prepared(lambda org, member, site: ShiftAssignment.objects.filter(
    Q(member_id=member) | Q(site_id=site), organization_id=org, shift_type__active=True)
    .order_by("starts_on", "pk").values_list(*_COLUMNS), kinds=(int, int, int))


@dataclass(frozen=True)
class Spec:
    """A shift type's pattern, as judged (plain values: cheap to build from a row)."""

    id: int
    name: str
    start: dt.time
    end: dt.time
    break_minutes: int
    grace_minutes: int
    weekdays: frozenset[int]
    overnight: bool

    @classmethod
    def of(cls, shift: ShiftType) -> Spec:
        return cls(shift.pk, shift.name, shift.start, shift.end, shift.break_minutes,
                   shift.grace_minutes, frozenset(shift.weekdays), shift.overnight)

    def bounds(self, day: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        """[start, end] of this shift begun on local ``day``, in UTC (DST-aware: a night shift
        across the change lasts an hour more or less)."""
        end_day = day + dt.timedelta(days=1) if self.overnight else day
        return localtime.at_local(day, self.start, tz), localtime.at_local(end_day, self.end, tz)

    def week_intervals(self) -> list[tuple[int, int]]:
        """Its hours as [start, end) minutes from Monday 00:00, wrapped around the week."""
        begin = self.start.hour * 60 + self.start.minute
        finish = self.end.hour * 60 + self.end.minute + (DAY_MINUTES if self.overnight else 0)
        out = []
        for weekday in sorted(self.weekdays):
            a, b = weekday * DAY_MINUTES + begin, weekday * DAY_MINUTES + finish
            out.extend([(a, WEEK_MINUTES), (0, b - WEEK_MINUTES)] if b > WEEK_MINUTES else [(a, b)])
        return out

    def overlaps(self, other: Spec) -> bool:
        return any(a < d and c < b for a, b in self.week_intervals() for c, d in other.week_intervals())


@dataclass(frozen=True)
class Assigned:
    spec: Spec
    starts_on: dt.date
    ends_on: dt.date | None
    member_id: int | None
    site_id: int | None

    def covers(self, day: dt.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


@dataclass(frozen=True)
class Slot:
    """One shift on one day: the day it started and its bounds in UTC."""

    spec: Spec
    day: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime


@dataclass(frozen=True)
class Placement:
    """Where a moment falls: the local work day it counts on, the shift (if any), the status."""

    work_day: dt.date
    slot: Slot | None
    status: str


@dataclass
class Plan:
    """A member's assignments and those of the sites in question."""

    rows: list[Assigned] = field(default_factory=list)

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence[Any]]) -> Plan:
        plan = cls()
        for (member_id, site_id, starts_on, ends_on, type_id, name, start, end, breaks, grace,
             weekdays, overnight) in rows:
            spec = Spec(type_id, name, start, end, breaks, grace, frozenset(weekdays), bool(overnight))
            plan.rows.append(Assigned(spec, starts_on, ends_on, member_id, site_id))
        return plan

    def shifts_on(self, day: dt.date, site_id: int | None) -> list[Spec]:
        """The member's own shifts that day, else the site's."""
        own = [a.spec for a in self.rows if a.member_id is not None and a.covers(day)
               and day.weekday() in a.spec.weekdays]
        if own:
            return own
        return [a.spec for a in self.rows if site_id is not None and a.site_id == site_id
                and a.covers(day) and day.weekday() in a.spec.weekdays]

    def scheduled(self, day: dt.date, site_id: int | None) -> bool:
        """Whether the member or the site has any assignment running on ``day``."""
        return any(a.covers(day) and (a.member_id is not None or a.site_id == site_id) for a in self.rows)

    def slots_on(self, day: dt.date, site_id: int | None, tz: ZoneInfo) -> list[Slot]:
        return [Slot(spec, day, *spec.bounds(day, tz)) for spec in self.shifts_on(day, site_id)]

    def place(self, direction: str, at: dt.datetime, tz: ZoneInfo, site_id: int | None = None) -> Placement:
        today = localtime.local_day(at, tz)
        slots = [slot for day in (today - dt.timedelta(days=1), today)
                 for slot in self.slots_on(day, site_id, tz)
                 if slot.starts_at - WINDOW <= at <= slot.ends_at + WINDOW]
        if not slots:
            scheduled = self.scheduled(today, site_id)
            return Placement(today, None, ShiftStatus.OUTSIDE if scheduled else ShiftStatus.NONE)
        anchor = (lambda s: abs(at - s.starts_at)) if direction == Direction.IN else (lambda s: abs(at - s.ends_at))
        slot = min(slots, key=anchor)
        return Placement(slot.day, slot, status(direction, at, slot))


def status(direction: str, at: dt.datetime, slot: Slot) -> str:
    """On time, late, early or outside the shift (the grace minutes forgive lateness on the
    way in and an early leave on the way out)."""
    grace = dt.timedelta(minutes=slot.spec.grace_minutes)
    if direction == Direction.IN:
        if at < slot.starts_at - WINDOW or at >= slot.ends_at:
            return ShiftStatus.OUTSIDE
        return ShiftStatus.ON_TIME if at <= slot.starts_at + grace else ShiftStatus.LATE
    if at <= slot.starts_at or at > slot.ends_at + WINDOW:
        return ShiftStatus.OUTSIDE
    return ShiftStatus.EARLY if at < slot.ends_at - grace else ShiftStatus.ON_TIME


def plan_for(organization_id: int, member_id: int, site_ids: Iterable[int | None] = ()) -> Plan:
    sites = sorted({s for s in site_ids if s is not None})
    if len(sites) <= 1:  # the check-in path: one prepared query
        return Plan.from_rows(_PLAN.rows(organization_id, member_id, sites[0] if sites else 0))
    return Plan.from_rows(ShiftAssignment.objects.filter(
        Q(member_id=member_id) | Q(site_id__in=sites), organization_id=organization_id,
        shift_type__active=True).order_by("starts_on", "pk").values_list(*_COLUMNS))


def judge_moments(organization_id: int, member_id: int, moments: Sequence[Moment]) -> list[tuple[dt.date, str]]:
    """Attendance's judge: the work day and shift status of each check-in being stored."""
    plan = plan_for(organization_id, member_id, (m.site_id for m in moments))
    out = []
    for m in moments:
        placed = plan.place(m.direction, m.at, m.zone, m.site_id)
        out.append((placed.work_day, placed.status))
    return out


def placement_for(member: Membership, at: dt.datetime, *, site: object = None,
                  direction: str = Direction.IN) -> Placement:
    """The local work day and shift of ``member`` at ``at`` (in the site's zone, else the
    organization's): what timesheets and reports build on."""
    tz = localtime.zone_for(member.organization, site)
    site_id = getattr(site, "pk", None)
    return plan_for(member.organization_id, member.pk, [site_id]).place(direction, at, tz, site_id)


def slots_for_day(member: Membership, day: dt.date, *, site: object = None) -> list[Slot]:
    """The shifts ``member`` is expected to work that started on local ``day``."""
    tz = localtime.zone_for(member.organization, site)
    site_id = getattr(site, "pk", None)
    return plan_for(member.organization_id, member.pk, [site_id]).slots_on(day, site_id, tz)
