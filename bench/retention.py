"""Retention sweeps against a raw ``DELETE ... WHERE`` of the same rows, in the same run.

    python bench/retention.py [--quick] [--backend sqlite|postgresql|both]

Seeds N expired location events (plus fresh ones that must stay) under the officetrack
policy (90 days), then times ``engine.sweep()`` (chunks of 5,000, one transaction each, with
DeletionEvidence and an audit entry per chunk) and, on an identical second seed, one raw
``DELETE FROM attendance_locationevent WHERE occurred_at < cutoff``. Goal: ratio >= 0.5.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import result  # noqa: E402
from vault import PG_URL, recreate_pg, setup_django  # noqa: E402

# A child's machine-readable figures: one line, this prefix and a JSON object, read by the parent.
FIGURES = "BENCH-FIGURES "


def seed(tag: str, due: int, fresh: int) -> None:
    from django.utils import timezone

    from officium.accounts.models import Membership, Organization, User
    from officium.attendance.models import LocationEvent

    org = Organization.objects.create(name=f"Sweep {tag}", slug=f"sweep-{tag}")
    user = User.objects.create_user(f"{tag}@sweep.example", None, is_active=True)
    member = Membership.objects.create(organization=org, user=user, role="member")
    now = timezone.now()
    for days, count in ((120, due), (10, fresh)):
        for start in range(0, count, 5000):
            LocationEvent.objects.bulk_create([
                LocationEvent(organization=org, member=member, kind="check_in",
                              occurred_at=now - timedelta(days=days, seconds=i), received_at=now,
                              latitude=52.5, longitude=13.4, location_status="inside")
                for i in range(start, min(count, start + 5000))])


def child(backend: str, quick: bool) -> None:
    import os

    os.environ["OFFICIUM_POLICY"] = "officetrack"
    if backend == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp(prefix='ofc-bench-')}/sweep.sqlite3"
    else:
        recreate_pg()
        url = PG_URL
    setup_django(url)
    from django.db import connection, transaction
    from django.utils import timezone

    from officium.attendance.models import LocationEvent
    from officium.privacy.retention import engine
    from officium.privacy.retention.models import DeletionEvidence

    due, fresh = (20_000, 2_000) if quick else (200_000, 20_000)
    seed("ours", due, fresh)
    started = time.perf_counter()
    run = engine.sweep()
    ours = time.perf_counter() - started
    evidence = sum(DeletionEvidence.objects.filter(run=run, model_label="attendance.LocationEvent")
                   .values_list("count", flat=True))
    assert evidence == due and LocationEvent.objects.count() == fresh, (evidence, LocationEvent.objects.count())

    LocationEvent.objects.all().delete()
    seed("raw", due, fresh)
    cutoff = timezone.now() - timedelta(days=90)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {LocationEvent._meta.db_table} WHERE occurred_at < %s", [cutoff])
    raw = time.perf_counter() - started
    chunks = DeletionEvidence.objects.filter(run=run).count()
    print(f"[{backend}] sweep of {due:,} due rows ({chunks} chunks with evidence): "
          f"{due / ours:,.0f} rows/s ({ours:.3f} s)  raw DELETE {due / raw:,.0f} rows/s ({raw:.3f} s)  "
          f"ratio {raw / ours:.2f} (goal >= 0.5)")
    print(FIGURES + json.dumps({"ratio": raw / ours, "rows_per_s": due / ours, "raw_rows_per_s": due / raw}),
          flush=True)


def run_child(backend: str, quick: bool) -> tuple[int, dict[str, float]]:
    """One backend in its own process (Django is set up once per process): its output echoed
    as it comes, its figures line kept. Returns (exit status, figures)."""
    figures: dict[str, float] = {}
    with subprocess.Popen([sys.executable, __file__, "--child", "--backend", backend,  # noqa: S603
                           *(["--quick"] if quick else [])], stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith(FIGURES):
                figures = json.loads(line[len(FIGURES):])
            else:
                print(line, end="", flush=True)
    return child.returncode, figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.backend, args.quick)
        return 0
    status = 0
    headline: dict[str, float] = {}
    for backend in (["sqlite", "postgresql"] if args.backend == "both" else [args.backend]):
        code, figures = run_child(backend, args.quick)
        status |= code
        if code == 0 and not figures:
            print(f"[{backend}] the child printed no figures line")
            status |= 1
        headline |= {f"{backend}_{name}": value for name, value in figures.items()}
    result("retention", **headline)
    return status


if __name__ == "__main__":
    sys.exit(main())
