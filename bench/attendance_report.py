"""The attendance report's cost follows the page, not the table (WT7), and its XLSX export
keeps up with openpyxl itself.

    python bench/attendance_report.py [--quick] [--postgres]

One organization of 1,000 members (100 with --quick), two check-in records per member per
working day. The table is filled from the newest month backwards to 100,000 records (10,000),
then measured; filled on to 1,000,000 (100,000), then measured again. The month measured is the
same newest month both times (about 44,000 records; 4,400). Figures, each the best of rounds:

- team page: the first report page of a manager's team (20 reports) for the month;
- month report: the first report page of the whole organization for the month, as its owner,
  and its 20th page by cursor;
- XLSX export of the month (query, local times, openpyxl write-only) against writing the same
  rows, already in memory, with openpyxl directly.

Goals: each page at 10x the table within 1.2x of its time at 1x; the export at least 0.3x the
speed of openpyxl alone. The last line starts with RESULT.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import best_of, parse, result, setup  # noqa: E402

PER_DAY = 2
TEAM = 20


def workdays_back(end: dt.date) -> Any:
    day = end
    while True:
        if day.weekday() < 5:
            yield day
        day -= dt.timedelta(days=1)


def populate_members(count: int) -> Any:
    from django.contrib.auth.hashers import make_password

    from officium.accounts.models import Membership, Organization, User
    from officium.accounts.roles import Role

    org = Organization.objects.create(name="Bench Org", slug="bench-org", time_zone="Europe/Berlin")
    unusable = make_password(None)
    users = User.objects.bulk_create(
        User(email=f"user{i}@bench.example", first_name=f"First{i}", last_name=f"Last{i}",
             password=unusable, is_active=True) for i in range(count))
    owner = Membership.objects.create(organization=org, user=users[0], role=Role.OWNER)
    manager = Membership.objects.create(organization=org, user=users[1], role=Role.MANAGER)
    members = Membership.objects.bulk_create(
        Membership(organization=org, user=u, role=Role.MEMBER, reports_to=manager if i < TEAM else None)
        for i, u in enumerate(users[2:]))
    return org, owner, manager, [owner, manager, *members]


class Filler:
    """Adds records day by day going back in time, from the newest month."""

    def __init__(self, org: Any, members: list[Any], newest: dt.date) -> None:
        self.org, self.members = org, members
        self.days = workdays_back(newest)
        self.count = 0

    def fill_to(self, total: int) -> None:
        from zoneinfo import ZoneInfo

        from officium.attendance.models import AttendanceRecord

        zone = ZoneInfo("Europe/Berlin")
        while self.count < total:
            day = next(self.days)
            start = dt.datetime.combine(day, dt.time(8), tzinfo=zone)
            batch = []
            for i, m in enumerate(self.members):
                at = start + dt.timedelta(seconds=i)
                batch.append(AttendanceRecord(organization=self.org, member=m, direction="in", occurred_at=at,
                                              verdict="inside", accepted=True, work_day=day))
                batch.append(AttendanceRecord(organization=self.org, member=m, direction="out",
                                              occurred_at=at + dt.timedelta(hours=8), verdict="inside",
                                              accepted=True, work_day=day))
            AttendanceRecord.objects.bulk_create(batch, batch_size=2000)
            self.count += len(batch)


def measure(owner: Any, manager: Any, month: tuple[dt.date, dt.date], rounds: int) -> dict[str, float]:
    from officium.attendance import report

    params = {"start": month[0].isoformat(), "end": month[1].isoformat()}
    whole = report.parse(owner, params)
    team = report.parse(manager, {**params, "team": str(manager.pk)})

    def team_page() -> float:
        started = time.perf_counter()
        assert report.page(manager, team).rows
        return time.perf_counter() - started

    def month_page() -> float:
        started = time.perf_counter()
        assert report.page(owner, whole).rows
        return time.perf_counter() - started

    def deep_page() -> float:
        cursor = None
        for _ in range(19):
            cursor = report.page(owner, whole, cursor=cursor).next_cursor
        started = time.perf_counter()
        assert report.page(owner, whole, cursor=cursor).rows
        return time.perf_counter() - started

    return {"team_page": best_of(rounds, team_page), "month_page": best_of(rounds, month_page),
            "page_20": best_of(rounds, deep_page)}


def export_ratio(owner: Any, month: tuple[dt.date, dt.date], rounds: int) -> tuple[float, float, int]:
    from openpyxl import Workbook

    from officium.attendance import exports, report

    filters = report.parse(owner, {"start": month[0].isoformat(), "end": month[1].isoformat()})
    lines = list(exports.rows(owner, filters, False))

    def ours() -> float:
        started = time.perf_counter()
        exports.xlsx_file(exports.rows(owner, filters, False)).close()
        return time.perf_counter() - started

    def direct() -> float:
        started = time.perf_counter()
        book = Workbook(write_only=True)
        sheet = book.create_sheet("Attendance")
        for line in lines:
            sheet.append(line)
        with tempfile.TemporaryFile() as out:
            book.save(out)
        return time.perf_counter() - started

    return best_of(rounds, ours), best_of(rounds, direct), len(lines) - 1


def main() -> None:
    args = parse(__doc__.splitlines()[0])
    vendor = setup(postgres=args.postgres)
    people = 100 if args.quick else 1000
    small, large = (10_000, 100_000) if args.quick else (100_000, 1_000_000)
    rounds = 7 if args.quick else 21  # pages take milliseconds: many rounds, the best of each
    org, owner, manager, members = populate_members(people)
    newest = dt.date(2026, 6, 30)
    month = (dt.date(2026, 6, 1), newest)
    filler = Filler(org, members, newest)

    from django.db import connection

    filler.fill_to(small)
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    at_small = measure(owner, manager, month, rounds)
    print(f"{vendor}: {filler.count} records: " + ", ".join(f"{k} {v * 1000:.1f} ms" for k, v in at_small.items()))
    filler.fill_to(large)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    at_large = measure(owner, manager, month, rounds)
    print(f"{vendor}: {filler.count} records: " + ", ".join(f"{k} {v * 1000:.1f} ms" for k, v in at_large.items()))
    ratios = {k: at_large[k] / at_small[k] for k in at_small}
    ours, direct, count = export_ratio(owner, month, 2 if args.quick else 3)
    speed = direct / ours
    print(f"XLSX export of the month ({count} rows): ours {ours:.2f} s, openpyxl alone {direct:.2f} s, "
          f"speed {speed:.2f}x of openpyxl")
    ok = all(r <= 1.2 for r in ratios.values()) and speed >= 0.3
    print(f"goals (page time at 10x the table <= 1.2x, XLSX >= 0.3x of openpyxl): "
          f"{'met' if ok else 'MISSED'} on {vendor}")
    result("attendance_report", **{k.replace(" ", "_"): r for k, r in ratios.items()},
           xlsx_speed=speed, goals_met=float(ok))

if __name__ == "__main__":
    main()
