"""The attendance report (WT7): check-in records filtered by local days, member, team and site,
paged by keyset, in local time with the zone named.

Who sees which rows is the engine's rule for check-in records (``for_purpose``): a member their
own, a manager their reports' (and their own), administrators everyone's. Coordinates are
fetched for a page through ``for_purpose`` on location events, so only readers with the right
get them and each fetch is audited as a sensitive read for the people it belongs to.

Paging is a keyset on (``occurred_at``, ``id``) descending: a page costs an index range scan of
the page's rows (``attendance_record`` is indexed on organization/member and ``occurred_at``),
whatever the size of the table and however deep the page; there is no cap on how far one pages.
Days are local days of the organization's zone: a record counts on its ``work_day`` (the local
day its shift started, WT1/WT2). The scan is bounded by the UTC instants of those days widened
by two days (zones and overnight shifts), so the index still bounds it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from officium.accounts import localtime
from officium.accounts.models import Membership
from officium.accounts.roles import ADMINISTRATORS
from officium.attendance import coordinates, purposes
from officium.attendance.geofence import Verdict
from officium.attendance.models import (
    AttendanceRecord,
    LocationEvent,
    LocationStatus,
    Review,
    ShiftStatus,
    Site,
)

DEFAULT_DAYS = 7
MAX_DAYS = 366
PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
SLACK = dt.timedelta(days=2)


@dataclass(frozen=True)
class Filters:
    """What a reader asked for, checked: local days ``start``..``end`` (inclusive)."""

    start: dt.date
    end: dt.date
    zone: ZoneInfo
    member: Membership | None = None
    team: Membership | None = None
    site: Site | None = None

    def query(self) -> dict[str, str]:
        """The filters as URL parameters (ids and dates only, no personal data)."""
        params = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        for name, value in (("member", self.member), ("team", self.team), ("site", self.site)):
            if value is not None:
                params[name] = str(value.pk)
        return params


@dataclass
class Row:
    """One record as a person reads it: local time with its zone, never bare UTC."""

    record_id: int
    member_id: int
    member: str
    direction: str
    occurred_at: dt.datetime
    zone: ZoneInfo
    work_day: dt.date | None
    result: str
    verdict: str
    shift_status: str
    site_id: int | None
    site: str
    latitude: float | None = None
    longitude: float | None = None
    accuracy: float | None = None
    suspected_mock: bool = False
    outside_hours: bool = False
    review: str = ""

    @property
    def local(self) -> dt.datetime:
        return self.occurred_at.astimezone(self.zone)

    @property
    def local_iso(self) -> str:
        """ISO 8601 with the UTC offset, e.g. 2026-01-14T08:30:00+01:00."""
        return self.local.isoformat(timespec="seconds")

    @property
    def utc_iso(self) -> str:
        return self.occurred_at.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")

    @property
    def shift_label(self) -> str:
        return str(ShiftStatus(self.shift_status).label) if self.shift_status in ShiftStatus.values else ""

    @property
    def verdict_label(self) -> str:
        return str(Verdict(self.verdict).label) if self.verdict in Verdict.values else self.verdict

    @property
    def local_text(self) -> str:
        return localtime.format_datetime(self.occurred_at, self.zone)


@dataclass
class Page:
    rows: list[Row]
    next_cursor: str | None
    filters: Filters
    locations: bool = field(default=False)


# --- input ------------------------------------------------------------------------------

def parse(actor: Membership, params: Mapping[str, Any], today: dt.date | None = None) -> Filters:
    """Filters from query parameters, or a ValidationError naming the field that is wrong.

    ``member``, ``team`` (a manager: their reports) and ``site`` must name someone or something
    the reader may report on; an id outside that answers 400 as unknown, without telling
    whether it exists elsewhere.
    """
    zone = localtime.zone_for(actor.organization)
    today = today or localtime.local_day(timezone.now(), zone)
    end = parse_date(params.get("end"), "end") or today
    start = parse_date(params.get("start"), "start") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if end < start:
        raise ValidationError({"end": "The end date must not be before the start date."})
    if (end - start).days >= MAX_DAYS:
        raise ValidationError({"end": f"Choose at most {MAX_DAYS} days."})
    member = _member(actor, params.get("member"), "member")
    team = _member(actor, params.get("team"), "team")
    if team is not None and actor.role not in ADMINISTRATORS and team.pk != actor.pk:
        raise ValidationError({"team": "You may report on your own team only."})
    site = None
    raw_site = _text(params.get("site"))
    if raw_site:
        site = Site.objects.filter(organization_id=actor.organization_id, pk=_int(raw_site, "site")).first()
        if site is None:
            raise ValidationError({"site": "No such site in this organization."})
    return Filters(start=start, end=end, zone=zone, member=member, team=team, site=site)


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def parse_date(value: Any, name: str) -> dt.date | None:
    text = _text(value)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError({name: "Enter a date as YYYY-MM-DD."}) from None


def _int(text: str, name: str) -> int:
    if not text.isdigit() or len(text) > 18:
        raise ValidationError({name: "Give an id (a whole number)."})
    return int(text)


def readable_members(actor: Membership) -> QuerySet[Membership]:
    """The people whose records the reader may report on (the records rule, as a member list)."""
    members = Membership.objects.filter(organization_id=actor.organization_id)
    if actor.role in ADMINISTRATORS:
        return members
    return members.filter(Q(pk=actor.pk) | Q(reports_to=actor))


def _member(actor: Membership, value: Any, name: str) -> Membership | None:
    text = _text(value)
    if not text:
        return None
    found = readable_members(actor).select_related("user").filter(pk=_int(text, name)).first()
    if found is None:
        raise ValidationError({name: "No such member among the people you may report on."})
    return found


def page_size(value: Any) -> int:
    text = _text(value)
    if not text:
        return PAGE_SIZE
    size = _int(text, "limit")
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationError({"limit": f"Choose between 1 and {MAX_PAGE_SIZE} rows per page."})
    return size


def encode_cursor(row: Row) -> str:
    raw = f"{row.occurred_at.astimezone(dt.UTC).isoformat()}|{row.record_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(value: Any) -> tuple[dt.datetime, int] | None:
    text = _text(value)
    if not text:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        at, pk = raw.split("|")
        moment = dt.datetime.fromisoformat(at)
        if moment.tzinfo is None or not pk.isdigit():
            raise ValueError
        return moment, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationError({"cursor": "This page link is not valid; start from the first page."}) from None


# --- reading ----------------------------------------------------------------------------

def records(actor: Membership, filters: Filters) -> QuerySet[AttendanceRecord]:
    """The reader's records matching the filters, newest first, through ``for_purpose``."""
    lo = localtime.day_bounds(filters.start, filters.zone)[0]
    hi = localtime.day_bounds(filters.end, filters.zone)[1]
    qs = (AttendanceRecord.objects.for_purpose(actor, purposes.location())
          .filter(occurred_at__gte=lo - SLACK, occurred_at__lt=hi + SLACK)
          .filter(Q(work_day__gte=filters.start, work_day__lte=filters.end)
                  | Q(work_day__isnull=True, occurred_at__gte=lo, occurred_at__lt=hi)))
    if filters.member is not None:
        qs = qs.filter(member_id=filters.member.pk)
    if filters.team is not None:
        # The team as a list of members, not a join: the records are then read through the
        # (member, occurred_at) index member by member, whatever the planner guesses of a join.
        qs = qs.filter(member_id__in=list(team_ids(filters.team)))
    if filters.site is not None:
        qs = qs.filter(site_id=filters.site.pk)
    return qs.select_related("member__user", "site").order_by("-occurred_at", "-pk")


def team_ids(manager: Membership) -> QuerySet[Membership, int]:
    """The ids of the people who report to ``manager`` (a team filter)."""
    return Membership.objects.filter(organization_id=manager.organization_id,
                                     reports_to_id=manager.pk).values_list("pk", flat=True)


def shows_locations(actor: Membership, filters: Filters) -> bool:
    """Whether an export carries location columns: the reader may see some of its coordinates
    (their own always; their reports' only with ``can_see_report_locations``)."""
    if actor.can_see_report_locations:
        return True
    if filters.member is not None:
        return filters.member.pk == actor.pk
    if filters.team is not None:
        return False
    return actor.role not in ADMINISTRATORS and not Membership.objects.filter(reports_to=actor).exists()


def page(actor: Membership, filters: Filters, *, cursor: Any = None, size: int = PAGE_SIZE,
         locations: bool = True) -> Page:
    """One page of rows after ``cursor`` (None: the newest), and the cursor of the next one."""
    after = decode_cursor(cursor)
    qs = records(actor, filters)
    if after is not None:
        at, pk = after
        qs = qs.filter(Q(occurred_at__lt=at) | Q(occurred_at=at, pk__lt=pk))
    keys = _newest(qs, size + 1, walk=filters.member is None and filters.team is None)
    more = len(keys) > size
    found = _load(actor, keys[:size])
    rows = to_rows(actor, found, locations=locations)
    return Page(rows=rows, next_cursor=encode_cursor(rows[-1]) if more and rows else None,
                filters=filters, locations=locations)


def _newest(qs: QuerySet[AttendanceRecord], count: int, *, walk: bool) -> list[int]:
    """The ids of the first ``count`` rows of ``qs`` (newest first).

    Only the ids: the scan and its sort carry two narrow columns, and the people and sites of
    the page are joined afterwards for its rows alone (``_load``), never for every row the scan
    passes (PostgreSQL, misjudging how few rows a team's month has, otherwise joins each of
    them to its user before sorting: the page then costs the team's month several times over).

    PostgreSQL misjudges how many of a date range's rows the work-day filter keeps (the two
    columns move together; the planner takes them as independent), expects fewer than a page
    and then prefers reading the whole range and sorting it: a page would cost the month.
    With sorting off for this one statement it walks ``attendance_org_time_id`` backwards and
    stops after the page, whatever the size of the range or the table. ``walk`` is for
    organization-wide pages; one member's or one team's rows come through the member index.
    """
    ids = qs.select_related(None).values_list("pk", flat=True)[:count]
    if not walk or connection.vendor != "postgresql":
        return list(ids)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_sort'), set_config('enable_sort', 'off', true)")
        before = cursor.fetchone()[0]
        try:
            return list(ids)
        finally:
            cursor.execute("SELECT set_config('enable_sort', %s, true)", [before])


def _load(actor: Membership, keys: list[int]) -> list[AttendanceRecord]:
    """The records ``keys`` (a page), newest first, with their people and sites, read through
    ``for_purpose`` like the scan that chose them."""
    if not keys:
        return []
    return list(AttendanceRecord.objects.for_purpose(actor, purposes.location())
                .select_related("member__user", "site").filter(pk__in=keys).order_by("-occurred_at", "-pk"))


def batches(actor: Membership, filters: Filters, *, size: int = 2000,
            locations: bool = False) -> Iterator[list[Row]]:
    """Every matching row, a keyset batch at a time (exports stream these)."""
    cursor: str | None = None
    while True:
        chunk = page(actor, filters, cursor=cursor, size=size, locations=locations)
        if chunk.rows:
            yield chunk.rows
        if chunk.next_cursor is None:
            return
        cursor = chunk.next_cursor


def to_rows(actor: Membership, found: list[AttendanceRecord], *, locations: bool) -> list[Row]:
    fixes = _fixes(actor, [r.location_id for r in found if r.location_id is not None]) if locations else {}
    organization = actor.organization
    zones: dict[int | None, ZoneInfo] = {}
    rows = []
    for r in found:
        zone = zones.get(r.site_id)
        if zone is None:
            zone = zones.setdefault(r.site_id, localtime.zone_for(organization, r.site))
        user: Any = r.member.user
        fix = fixes.get(r.location_id) if r.location_id is not None else None
        rows.append(Row(
            record_id=r.pk, member_id=r.member_id, member=user.get_full_name() or user.email,
            direction=r.direction, occurred_at=r.occurred_at, zone=zone, work_day=r.work_day,
            result=result_of(r), verdict=r.verdict, shift_status=r.shift_status, site_id=r.site_id,
            site=r.site.name if r.site is not None else "",
            latitude=fix.latitude if fix else None, longitude=fix.longitude if fix else None,
            accuracy=fix.accuracy if fix else None, suspected_mock=r.suspected_mock,
            outside_hours=r.within_schedule is False, review=r.review))
    return rows


def result_of(record: AttendanceRecord) -> str:
    if record.accepted:
        return "accepted"
    if record.review == Review.PENDING:
        return "pending_review"
    return "refused"


def _fixes(actor: Membership, wanted: list[int]) -> dict[int, Any]:
    """The coordinates the reader may see among ``wanted``; fetching them is audited (SE1)."""
    if not wanted:
        return {}
    events = LocationEvent.objects.for_purpose(actor, purposes.location()).select_related("member").filter(
        pk__in=wanted, location_status=LocationStatus.RECORDED)
    return {e.pk: coordinates.point_of(e) for e in events}
