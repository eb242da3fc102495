"""PV6: the attendance dataset offered for published statistics: check-ins per site per week.

Groups come from public structure (the organization's sites and the period's weeks); the count
takes each person's first ``cap`` accepted check-ins of a week (by time), so one person changes
the counts by at most cap x weeks, the sensitivity the release's noise is scaled to."""

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
    table, sites = AttendanceRecord._meta.db_table, Site._meta.db_table
    if connection.vendor == "postgresql":
        week = "(date_trunc('week', r.work_day))::date"
    else:
        week = "date(r.work_day, '-' || ((CAST(strftime('%%w', r.work_day) AS INTEGER) + 6) %% 7) || ' days')"
    sql = (f"SELECT s.name, t.wk, COUNT(*) FROM (SELECT r.site_id, {week} AS wk, "  # noqa: S608
           f"ROW_NUMBER() OVER (PARTITION BY r.member_id, {week} ORDER BY r.occurred_at, r.id) AS rn "
           f"FROM {table} r WHERE r.organization_id = %s AND r.direction = 'in' AND r.accepted "
           f"AND r.site_id IS NOT NULL AND r.work_day >= %s AND r.work_day < %s) t "
           f"JOIN {sites} s ON s.id = t.site_id WHERE t.rn <= %s GROUP BY s.name, t.wk")
    with connection.cursor() as cursor:
        cursor.execute(sql, [organization_id, since, until, cap])
        rows = cursor.fetchall()
    return {_label(name, wk if isinstance(wk, date) else date.fromisoformat(str(wk))): n
            for name, wk, n in rows}
