"""The team board and the map (WT8): who is in now, per site; sites and check-in attempts.

"Who is in" is each readable member's latest check-in record that counts (accepted, or held
for review): in when it is a check-in. It is one indexed lookup per member (``member``,
``occurred_at``), so the board costs what the team is, not what the history is. The map shows
the organization's sites to everyone who works there; the attempts of a local day carry
coordinates, so they come only through ``for_purpose`` on location events (a reader's own, and
their reports' with ``can_see_report_locations``), and fetching them is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from officium.accounts import localtime
from officium.accounts.models import Membership
from officium.attendance import purposes, report
from officium.attendance.clock import COUNTING
from officium.attendance.models import AttendanceRecord, Direction, Site


@dataclass
class Present:
    member_id: int
    member: str
    since: dt.datetime
    since_local: str
    pending_review: bool


@dataclass
class SiteBoard:
    site_id: int | None
    name: str
    present: list[Present] = field(default_factory=list)


@dataclass
class Board:
    sites: list[SiteBoard]
    out: int
    zone: Any
    at: dt.datetime


def who_is_in(actor: Membership, now: dt.datetime | None = None) -> Board:
    """The board for the actor's readable members (administrators: everyone; a manager: their
    reports and themselves), grouped by the site of each open check-in."""
    now = now or timezone.now()
    records = AttendanceRecord.objects.for_purpose(actor, purposes.location())
    latest = (records.filter(COUNTING, member_id=OuterRef("pk"), occurred_at__lte=now)
              .order_by("-occurred_at", "-pk").values("pk")[:1])
    members = report.readable_members(actor).filter(user__is_active=True)
    last_ids = [pk for pk in members.annotate(last=Subquery(latest)).values_list("last", flat=True)
                if pk is not None]
    total = members.count()
    zone = localtime.zone_for(actor.organization)
    boards: dict[int | None, SiteBoard] = {
        s.pk: SiteBoard(s.pk, s.name) for s in Site.objects.filter(organization_id=actor.organization_id,
                                                                   active=True)}
    inside = 0
    for r in (records.filter(pk__in=last_ids, direction=Direction.IN)
              .select_related("member__user", "site").order_by("occurred_at", "pk")):
        board = boards.get(r.site_id)
        if board is None:
            board = boards.setdefault(r.site_id, SiteBoard(r.site_id, r.site.name if r.site else "No site"))
        user: Any = r.member.user
        site_zone = localtime.zone_for(actor.organization, r.site)
        board.present.append(Present(member_id=r.member_id, member=user.get_full_name() or user.email,
                                     since=r.occurred_at,
                                     since_local=localtime.format_datetime(r.occurred_at, site_zone),
                                     pending_review=not r.accepted))
        inside += 1
    ordered = sorted(boards.values(), key=lambda b: (b.site_id is None, b.name.lower()))
    return Board(sites=ordered, out=total - inside, zone=zone, at=now)


def site_shapes(actor: Membership) -> list[dict[str, Any]]:
    """The organization's active sites as the map draws them (no personal data)."""
    shapes = []
    for s in Site.objects.filter(organization_id=actor.organization_id, active=True):
        shapes.append({"id": s.pk, "name": s.name, "shape": s.shape,
                       "center": [s.center_latitude, s.center_longitude]
                       if s.center_latitude is not None and s.center_longitude is not None else None,
                       "radius_m": s.radius_m, "polygon": s.polygon or []})
    return shapes


def attempts(actor: Membership, day: dt.date) -> list[dict[str, Any]]:
    """The check-in attempts of a local day whose location the actor may see (audited)."""
    zone = localtime.zone_for(actor.organization)
    filters = report.Filters(start=day, end=day, zone=zone)
    found = list(report.records(actor, filters).filter(location__isnull=False))
    points = []
    for row in report.to_rows(actor, found, locations=True):
        if row.latitude is None or row.longitude is None:
            continue
        points.append({"record_id": row.record_id, "member": row.member, "direction": row.direction,
                       "result": row.result, "latitude": row.latitude, "longitude": row.longitude,
                       "accuracy": row.accuracy, "local_time": row.local_text})
    return points


def parse_day(actor: Membership, value: Any) -> dt.date:
    zone = localtime.zone_for(actor.organization)
    return report.parse_date(value, "day") or localtime.local_day(timezone.now(), zone)
