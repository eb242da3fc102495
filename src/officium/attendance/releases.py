"""PV6: the attendance dataset offered for published statistics: check-ins per site per week.

Groups come from public structure (the organization's sites and the period's weeks); the count
takes each person's first ``cap`` accepted check-ins of a week (by day), so one person changes
the counts by at most cap x weeks, the sensitivity the release's noise is scaled to. Which of a
person's check-ins are counted is decided from that person's own records alone (days in order),
so the cap bounds what one person changes whatever the others did."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connection

from officium.attendance.models import AttendanceRecord, Site

DATASET = "checkins_per_site_week"


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _label(site: str, monday: date) -> str:
    return f"{site}, week of {monday:%d %b %Y}"


def groups(organization_id: int, since: date, until: date) -> list[str]:
    sites = list(Site.objects.filter(organization_id=organization_id).order_by("name")
                 .values_list("name", flat=True))
    weeks, monday = [], _monday(since)
    while monday < until:
        weeks.append(monday)
        monday += timedelta(days=7)
    return [_label(site, week) for site in sites for week in weeks]


def counts(organization_id: int, since: date, until: date, cap: int) -> dict[str, int]:
    """The database groups the check-ins per person, day and site (GROUP BY, streamed from the
    partial index ``attendance_dp_member_day_site``, so a million rows cost a scan of the index,
    not a sort); only those per-day counts reach Python, which caps each person at ``cap`` a week
    (days in order, a day's sites in site order) and adds them up per site and week."""
    table = AttendanceRecord._meta.db_table
    # SQLite: the day range must not drive the index (that sorts every row to group them); the
    # unary + keeps it a filter on the index's (organization, member, day, site) order.
    day = "+work_day" if connection.vendor == "sqlite" else "work_day"
    sql = (f"SELECT member_id, work_day, site_id, COUNT(*) FROM {table} "  # noqa: S608
           f"WHERE organization_id = %s AND direction = 'in' AND accepted AND site_id IS NOT NULL "
           f"AND {day} >= %s AND {day} < %s GROUP BY member_id, work_day, site_id "
           f"ORDER BY member_id, work_day, site_id")
    with connection.cursor() as cursor:
        cursor.execute(sql, [organization_id, since, until])
        rows = cursor.fetchall()
    names = dict(Site.objects.filter(organization_id=organization_id).values_list("id", "name"))
    totals: dict[tuple[int, date], int] = {}
    used: dict[tuple[int, date], int] = {}
    for member, work_day, site, n in rows:
        monday = _monday(work_day if isinstance(work_day, date) else date.fromisoformat(str(work_day)))
        taken = min(n, cap - used.get((member, monday), 0))
        if taken <= 0:
            continue
        used[(member, monday)] = used.get((member, monday), 0) + taken
        totals[(site, monday)] = totals.get((site, monday), 0) + taken
    found: dict[str, int] = {}
    for (site, monday), n in totals.items():
        if site in names:
            label = _label(names[site], monday)
            found[label] = found.get(label, 0) + n
    return found
