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

Goals: each page at 10x the table within 1.2x of its time at 1x, judged on CPU time (this
process's and, on PostgreSQL, its server process's: robust to the other programs of a loaded
machine; wall-time ratios are printed next to them); the export at least 0.3x the speed of
openpyxl alone. The load average is printed with each figure. The last line starts with RESULT.

PostgreSQL: the database is dropped and made again: name it with OFFICIUM_BENCH_DATABASE
(default officium_bench) so parallel runs do not drop each other's.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import parse, result, setup  # noqa: E402

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


class Clock:
    """Wall time and CPU time of one call. CPU time is this process's plus, on PostgreSQL, that
    of its server process (``/proc/<pid>/schedstat``, nanoseconds, when the server runs on this
    machine): the work a page costs, which other programs on a loaded machine do not stretch
    the way they stretch wall time."""

    def __init__(self) -> None:
        from django.db import connection

        self.server: Path | None = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                path = Path(f"/proc/{cursor.fetchone()[0]}/schedstat")
            self.server = path if path.exists() else None

    def server_ns(self) -> int:
        return int(self.server.read_text().split()[0]) if self.server is not None else 0

    def __call__(self, fn: Any) -> tuple[float, float]:
        server = self.server_ns()
        cpu, wall = time.process_time(), time.perf_counter()
        fn()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        return wall, cpu + (self.server_ns() - server) / 1e9


def measure(owner: Any, manager: Any, month: tuple[dt.date, dt.date], rounds: int) -> dict[str, tuple[float, float]]:
    """Each page's (wall, CPU) seconds, each the least of ``rounds`` calls."""
    from officium.attendance import report

    params = {"start": month[0].isoformat(), "end": month[1].isoformat()}
    whole = report.parse(owner, params)
    team = report.parse(manager, {**params, "team": str(manager.pk)})
    clock = Clock()
    deep: dict[str, str | None] = {}

    def team_page() -> None:
        assert report.page(manager, team).rows

    def month_page() -> None:
        assert report.page(owner, whole).rows

    def deep_page() -> None:
        assert report.page(owner, whole, cursor=deep["cursor"]).rows

    cursor = None
    for _ in range(19):
        cursor = report.page(owner, whole, cursor=cursor).next_cursor
    deep["cursor"] = cursor
    figures = {}
    for name, fn in (("team_page", team_page), ("month_page", month_page), ("page_20", deep_page)):
        runs = [clock(fn) for _ in range(rounds)]
        figures[name] = (min(w for w, _ in runs), min(c for _, c in runs))
    return figures


def export_ratio(owner: Any, month: tuple[dt.date, dt.date], rounds: int) -> tuple[float, float, float, float, int]:
    """(ours wall, ours CPU, openpyxl wall, openpyxl CPU, rows), each the least of ``rounds``;
    the two are measured in turn, so a busy spell of the machine falls on both."""
    from openpyxl import Workbook

    from officium.attendance import exports, report

    filters = report.parse(owner, {"start": month[0].isoformat(), "end": month[1].isoformat()})
    lines = list(exports.rows(owner, filters, False))
    clock = Clock()

    def ours() -> None:
        exports.xlsx_file(exports.rows(owner, filters, False)).close()

    def direct() -> None:
        book = Workbook(write_only=True)
        sheet = book.create_sheet("Attendance")
        for line in lines:
            sheet.append(line)
        with tempfile.TemporaryFile() as out:
            book.save(out)

    runs = [(clock(ours), clock(direct)) for _ in range(rounds)]
    return (min(o[0] for o, _ in runs), min(o[1] for o, _ in runs), min(d[0] for _, d in runs),
            min(d[1] for _, d in runs), len(lines) - 1)


def load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def report_sizes(vendor: str, count: int, figures: dict[str, tuple[float, float]]) -> None:
    print(f"{vendor}: {count} records: " + ", ".join(
        f"{k} {w * 1000:.1f} ms wall, {c * 1000:.1f} ms CPU" for k, (w, c) in figures.items()) + f"; load {load()}",
        flush=True)


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
    with connection.cursor() as cursor:  # statistics at both sizes on both databases: the same footing
        cursor.execute("ANALYZE")
    at_small = measure(owner, manager, month, rounds)
    report_sizes(vendor, filler.count, at_small)
    filler.fill_to(large)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    at_large = measure(owner, manager, month, rounds)
    report_sizes(vendor, filler.count, at_large)
    ratios = {k: at_large[k][1] / at_small[k][1] for k in at_small}
    wall = {k: at_large[k][0] / at_small[k][0] for k in at_small}
    print("at 10x the table, CPU time: " + ", ".join(f"{k} {v:.2f}x" for k, v in ratios.items())
          + "; wall time: " + ", ".join(f"{k} {v:.2f}x" for k, v in wall.items()) + f"; load {load()}")
    ours, ours_cpu, direct, direct_cpu, count = export_ratio(owner, month, 2 if args.quick else 3)
    speed, speed_wall = direct_cpu / ours_cpu, direct / ours
    print(f"XLSX export of the month ({count} rows): ours {ours:.2f} s wall, {ours_cpu:.2f} s CPU; openpyxl alone "
          f"{direct:.2f} s wall, {direct_cpu:.2f} s CPU: speed {speed:.2f}x of openpyxl (CPU), {speed_wall:.2f}x (wall); "
          f"load {load()}")
    ok = all(r <= 1.2 for r in ratios.values()) and speed >= 0.3
    print(f"goals (page CPU time at 10x the table <= 1.2x, XLSX >= 0.3x of openpyxl): "
          f"{'met' if ok else 'MISSED'} on {vendor}")
    result("attendance_report", **{k.replace(" ", "_"): r for k, r in ratios.items()},
           **{f"{k}_wall": r for k, r in wall.items()}, xlsx_speed=speed, xlsx_speed_wall=speed_wall, goals_met=float(ok),
           load_average=os.getloadavg()[0])

if __name__ == "__main__":
    main()
