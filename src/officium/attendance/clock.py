"""Whether a member is checked in, since when, and their worked time today (WT3).

Derived from the member's check-in records that count (accepted, or held for review), read
through ``for_purpose``; "today" is the local day of the organization's zone, so its bounds
move with DST (a day of 23 or 25 hours). Worked time is the sum of in/out pairs within the
day; a check-in still open counts until now, one that began before midnight from midnight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from officium.accounts import localtime
from officium.accounts.models import Membership
from officium.attendance import purposes
from officium.attendance.models import AttendanceRecord, Direction, Review

COUNTING = Q(accepted=True) | Q(review=Review.PENDING)


@dataclass(frozen=True)
class ClockState:
    checked_in: bool
    since: datetime | None
    worked_today: timedelta
    day: date
    zone: ZoneInfo
    pending_review: bool

    @property
    def since_local(self) -> str:
        return localtime.format_time(self.since, self.zone)

    @property
    def worked_today_text(self) -> str:
        return localtime.format_duration(self.worked_today)


def clock_state(actor: Membership, member: Membership | None = None, now: datetime | None = None) -> ClockState:
    """The state of ``member`` (the actor by default) as the actor may read it."""
    member = member or actor
    now = now or timezone.now()
    zone = localtime.zone_for(actor.organization)
    day = localtime.local_day(now, zone)
    start, end = localtime.day_bounds(day, zone)
    records = (AttendanceRecord.objects.for_purpose(actor, purposes.location())
               .filter(COUNTING, member_id=member.pk).order_by("occurred_at", "pk"))
    before = records.filter(occurred_at__lt=start).order_by("-occurred_at", "-pk").values_list(
        "direction", "occurred_at", "review").first()
    today = list(records.filter(occurred_at__gte=start, occurred_at__lte=now).values_list(
        "direction", "occurred_at", "review"))
    rows = ([before] if before else []) + today
    worked, opened = worked_between(rows, start, min(end, now))
    last = rows[-1] if rows else None
    checked_in = last is not None and last[0] == Direction.IN
    return ClockState(checked_in=checked_in, since=last[1] if checked_in and last else None,
                      worked_today=worked, day=day, zone=zone,
                      pending_review=bool(last and last[2] == Review.PENDING))


def worked_between(rows: list[tuple[str, datetime, str]], start: datetime, end: datetime) -> tuple[timedelta, datetime | None]:
    """Time within [start, end) covered by in/out pairs of ``rows`` (in time order); a second
    "in" before an "out" keeps the first. Returns the total and the still-open check-in."""
    total = timedelta(0)
    opened: datetime | None = None
    for direction, at, _review in rows:
        if direction == Direction.IN:
            opened = opened or at
        elif opened is not None:
            total += _overlap(opened, at, start, end)
            opened = None
    if opened is not None:
        total += _overlap(opened, end, start, end)
    return total, opened


def _overlap(a: datetime, b: datetime, start: datetime, end: datetime) -> timedelta:
    return max(timedelta(0), min(b, end) - max(a, start))
