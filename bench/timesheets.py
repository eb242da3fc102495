"""Month timesheets against a raw SQL aggregate of the same in/out pairs, in the same run.

    python bench/timesheets.py [--quick] [--postgres]

Seeds one organization of N members (1,000; --quick 50) with a month of weekday check-ins and
check-outs (about 44,000 events) among 1,000,000 check-in records in all (other months and
another organization; --quick 20,000), builds the month's timesheets with
``timesheets.recompute`` (once, timed: "build"), then times the month report every manager
page and the API read (``timesheets.sheet`` for all N members) against one raw
``GROUP BY member, work_day`` aggregate of the same pairs (first in, last out, worked time).
Target: sheet / raw at most 3x.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import best_of, parse, result, setup, timed  # noqa: E402

MONTH = dt.date(2026, 3, 1)


def seed(members: int, total: int) -> tuple[object, list[object]]:
    from officium.accounts.models import Membership, Organization, User
    from officium.attendance.models import AttendanceRecord

    org = Organization.objects.create(name="Bench", slug="bench", time_zone="Europe/Berlin")
    other = Organization.objects.create(name="Other", slug="other", time_zone="UTC")
    owner = Membership.objects.create(organization=org, role="owner",
                                      user=User.objects.create_user("owner@bench.example", None, is_active=True))
    users = User.objects.bulk_create([User(email=f"m{i}@bench.example", is_active=True) for i in range(members)])
    staff = Membership.objects.bulk_create([Membership(organization=org, user=u, role="member") for u in users])
    filler_member = Membership.objects.create(organization=other, role="member", user=User.objects.create_user(
        "filler@other.example", None, is_active=True))
    days = [MONTH + dt.timedelta(days=n) for n in range(31) if (MONTH + dt.timedelta(days=n)).weekday() < 5]
    batch: list[AttendanceRecord] = []
    made = 0

    def flush() -> None:
        nonlocal batch
        AttendanceRecord.objects.bulk_create(batch, batch_size=5000)
        batch = []

    for member in staff:
        for day in days:
            start = dt.datetime.combine(day, dt.time(7), tzinfo=dt.UTC)
            for direction, at in (("in", start), ("out", start + dt.timedelta(hours=8, minutes=member.pk % 60))):
                batch.append(AttendanceRecord(organization=org, member=member, direction=direction, occurred_at=at,
                                              verdict="inside", accepted=True, work_day=day, shift_status=""))
                made += 1
        if len(batch) >= 20000:
            flush()
    flush()
    month_events = made
    while made < total:
        n = min(20000, total - made)
        base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        batch = [AttendanceRecord(organization=other, member=filler_member, direction="in" if i % 2 else "out",
                                  occurred_at=base + dt.timedelta(minutes=made + i), verdict="inside", accepted=True,
                                  work_day=(base + dt.timedelta(minutes=made + i)).date(), shift_status="")
                 for i in range(n)]
        flush()
        made += n
    print(f"seeded {members} members, {month_events} month events among {made} records", flush=True)
    return owner, staff


def raw_aggregate(org_id: int, first: dt.date, last: dt.date) -> int:
    from django.db import connection

    epoch = ("EXTRACT(EPOCH FROM occurred_at)" if connection.vendor == "postgresql"
             else "CAST(strftime('%%s', occurred_at) AS INTEGER)")
    sql = f"""SELECT member_id, work_day,
                     MIN(CASE WHEN direction = 'in' THEN occurred_at END),
                     MAX(CASE WHEN direction = 'out' THEN occurred_at END),
                     SUM(CASE WHEN direction = 'out' THEN {epoch} ELSE -{epoch} END) / 60
              FROM attendance_attendancerecord
              WHERE organization_id = %s AND work_day >= %s AND work_day <= %s AND accepted
              GROUP BY member_id, work_day ORDER BY member_id, work_day"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [org_id, first, last])
        return len(cursor.fetchall())


def main() -> None:
    args = parse(__doc__ or "")
    vendor = setup(args.postgres)
    members, total = (50, 20_000) if args.quick else (1_000, 1_000_000)
    owner, staff = seed(members, total)
    from officium.accounts.models import Membership
    from officium.workforce import timesheets

    period = timesheets.period_of("month", MONTH)
    owner = Membership.objects.select_related("organization", "user").get(pk=owner.pk)
    staff = list(Membership.objects.filter(pk__in=[m.pk for m in staff]).select_related("organization", "user"))
    build = timed(lambda: [timesheets.recompute(m, period.days) for m in staff])
    rows = raw_aggregate(owner.organization_id, period.first, period.last)
    stored = sum(len([d for d in s["days"] if d["worked_minutes"]])
                 for s in timesheets.sheet(owner, staff, period))
    assert rows == stored, (rows, stored)
    raw = best_of(5, lambda: timed(lambda: raw_aggregate(owner.organization_id, period.first, period.last)))
    sheet = best_of(5, lambda: timed(lambda: timesheets.sheet(owner, timesheets.visible_members(owner), period)))
    print(f"{vendor}: raw aggregate {raw * 1000:.1f} ms, month sheet {sheet * 1000:.1f} ms, "
          f"first build {build:.2f} s ({build * 1000 / max(1, rows):.2f} ms per member-day)")
    result("timesheets", members=members, records=total, month_days=rows, raw_ms=raw * 1000,
           sheet_ms=sheet * 1000, sheet_vs_raw=sheet / raw, build_s=build,
           build_vs_raw=build / raw)  # goal: sheet_vs_raw <= 3

if __name__ == "__main__":
    main()
