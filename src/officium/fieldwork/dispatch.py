"""The dispatcher board (FW6): a local day's tasks by member and status, late ones flagged,
and the team's last known positions for readers entitled to them.

Positions are read through attendance's purpose-bound ``LocationEvent`` access: a reader sees
a member's position only where attendance's rule lets them (their own; their reports' when
an administrator gave them the right), and every read is audited as a sensitive read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from officium.accounts import localtime
from officium.accounts.models import Membership
from officium.attendance import coordinates
from officium.attendance import purposes as attendance_purposes
from officium.attendance.models import LocationEvent, LocationStatus
from officium.fieldwork.models import Status, Task
from officium.fieldwork.services import FINAL, visible_tasks

STARTED = (Status.EN_ROUTE, Status.ON_SITE)
POSITIONS_SINCE = dt.timedelta(hours=12)


def is_late(task: Task, now: dt.datetime | None = None) -> bool:
    """Not finished by the window's end, or not under way by its start."""
    now = now or timezone.now()
    if task.status in FINAL:
        return False
    if task.window_end is not None and task.window_end < now:
        return True
    return task.window_start is not None and task.window_start < now and task.status not in STARTED


def parse_day(actor: Membership, day: str) -> dt.date:
    zone = localtime.zone_for(actor.organization)
    if not day:
        return localtime.local_day(timezone.now(), zone)
    try:
        return dt.date.fromisoformat(day)
    except ValueError:
        raise ValidationError({"day": "Give the day as YYYY-MM-DD."}) from None


def filtered(actor: Membership, day: str = "", status: str = "") -> QuerySet[Task]:
    tasks = visible_tasks(actor).prefetch_related("assignments__member__user")
    if day:
        start, end = localtime.day_bounds(parse_day(actor, day), localtime.zone_for(actor.organization))
        tasks = tasks.filter(Q(window_start__lt=end) & (Q(window_end__gte=start) | Q(window_end=None,
                                                                                   window_start__gte=start)))
    if status:
        if status not in Status.values:
            raise ValidationError({"status": "Unknown status."})
        tasks = tasks.filter(status=status)
    return tasks.order_by("window_start", "pk")


@dataclass
class Row:
    member_id: int | None
    member: str
    tasks: list[Task] = field(default_factory=list)


@dataclass
class Board:
    day: dt.date
    rows: list[Row]


def board(actor: Membership, day: str = "") -> Board:
    """Today's (or ``day``'s) tasks, one row per assignee and one for unassigned tasks;
    within a row, ordered by status then time."""
    when = parse_day(actor, day)
    rows: dict[int | None, Row] = {None: Row(None, "Unassigned")}
    order = {s: i for i, s in enumerate(Status.values)}
    for task in filtered(actor, when.isoformat()):
        assignments = list(task.assignments.all())
        if not assignments:
            rows[None].tasks.append(task)
        for a in assignments:
            user = a.member.user
            rows.setdefault(a.member_id, Row(a.member_id, user.get_full_name() or user.email)).tasks.append(task)
    for row in rows.values():
        row.tasks.sort(key=lambda t: (order[t.status], t.window_start or timezone.now(), t.pk))
    ordered = sorted((r for k, r in rows.items() if k is not None), key=lambda r: r.member.lower())
    return Board(when, ([rows[None]] if rows[None].tasks else []) + ordered)


def positions(actor: Membership) -> list[dict[str, Any]]:
    """Each readable member's newest recorded fix of the last hours (audited reads)."""
    since = timezone.now() - POSITIONS_SINCE
    events = (LocationEvent.objects.for_purpose(actor, attendance_purposes.location())
              .filter(location_status=LocationStatus.RECORDED, occurred_at__gte=since)
              .select_related("member__user").order_by("member_id", "-occurred_at", "-pk"))
    newest: dict[int, Any] = {}
    for event in events:
        newest.setdefault(event.member_id, event)
    out = []
    for event in newest.values():
        fix = coordinates.point_of(event)
        if fix is None:
            continue
        user = event.member.user
        out.append({"member_id": event.member_id, "member": user.get_full_name() or user.email,
                    "latitude": fix.latitude, "longitude": fix.longitude, "accuracy": fix.accuracy,
                    "at": event.occurred_at})
    return out
