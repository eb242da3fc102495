"""Shared set-up for benchmarks: Django on a fresh temporary database (SQLite by default,
PostgreSQL with --postgres: database officium_bench, or OFFICIUM_BENCH_DATABASE), migrated,
nothing else."""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def parse(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="small sizes (CI)")
    parser.add_argument("--postgres", action="store_true",
                        help="use PostgreSQL at 127.0.0.1:5432 (database officium_bench)")
    return parser.parse_args()


def setup(postgres: bool = False) -> str:
    """Point Django at a new database, migrate it, return the vendor name."""
    var = tempfile.mkdtemp(prefix="officium-bench-")
    os.environ["OFFICIUM_VAR_DIR"] = var
    os.environ.setdefault("OFFICIUM_ENV", "test")
    os.environ["DJANGO_SETTINGS_MODULE"] = "officium.settings_test"
    if postgres:
        # OFFICIUM_BENCH_DATABASE: another name, so parallel runs do not drop each other's database.
        name = os.environ.get("OFFICIUM_BENCH_DATABASE", "officium_bench")
        _recreate_postgres(name)
        os.environ["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{name}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{var}/bench.sqlite3"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, skip_checks=True)
    from django.db import connection

    return connection.vendor


def _recreate_postgres(name: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def cpu_of(pids: list[int]) -> float:
    """User + system CPU seconds used so far by these processes, all their threads (Linux
    /proc): the load-robust figure next to wall time; a process gone counts nothing."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def best_of(runs: int, fn: Callable[[], float]) -> float:
    """Best (lowest) of several timings: the least disturbed by this noisy machine."""
    return min(fn() for _ in range(runs))


def median_of(runs: int, fn: Callable[[], float]) -> float:
    return statistics.median(fn() for _ in range(runs))


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def significant(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant digits, without an exponent (150123 -> 150000)."""
    if value == 0 or not math.isfinite(value):
        return str(value if value else 0)
    places = digits - 1 - math.floor(math.log10(abs(value)))
    text = f"{round(value, places):.{max(0, places)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def result(name: str, **figures: float) -> None:
    """Print the benchmark's last line, ``RESULT <name> k=v ...``, its headline figures.

    The project standard: every benchmark ends with this one line, so a run can be compared
    with another by machine (``make bench-quick`` checks that it is there)."""
    print(f"RESULT {name} " + " ".join(f"{key}={significant(value)}" for key, value in figures.items()),
          flush=True)


# A script for ``python -c`` (the server's settings, not this process's): one organization
# (Europe/Berlin, a repeated check-in counts as a check-out, WT3) with a circular site and
# ``devices`` members, each with a connected phone; prints [{token, device, member, org}] as JSON.
DEVICES_SEED = r"""
import json, django
django.setup()
from officium.accounts.models import Membership, Organization, User
from officium.attendance import services
from officium.attendance.models import AttendanceSettings, Site
org = Organization.objects.create(name=%(name)r, slug=%(slug)r, time_zone="Europe/Berlin")
# WT3: each client posts "in" back to back; the organization turns a repeated one into a check-out.
AttendanceSettings.objects.create(organization=org, repeat_check_in="check_out")
owner = User.objects.create_user("owner@%(slug)s.example", None, is_active=True)
owner_m = Membership.objects.create(organization=org, user=owner, role="owner")
Site.objects.create(organization=org, name="HQ", shape="circle", center_latitude=52.52,
                    center_longitude=13.405, radius_m=150)
devices = []
for i in range(%(devices)d):
    user = User.objects.create_user(f"m{i}@%(slug)s.example", None, is_active=True)
    member = Membership.objects.create(organization=org, user=user, role="member", reports_to=owner_m)
    _, code = services.create_connection_code(owner_m, member)
    device, token = services.connect_device(code, f"phone {i}", "bench")
    devices.append({"token": token, "device": device.pk, "member": member.pk, "org": org.pk})
print(json.dumps(devices))
"""


def devices_seed(devices: int, *, name: str, slug: str) -> str:
    """``DEVICES_SEED`` for ``devices`` phones in the organization ``name`` (``slug``)."""
    return DEVICES_SEED % {"devices": devices, "name": name, "slug": slug}
