"""Access export benchmark (issue 6): the complete answer for one subject (every registered
model queried, the Art. 15 context built, the ZIP written and renamed) for a subject with
10,000 location records and 100 documents among 10k, 100k and 1M location rows, against a
raw SQL select of the same rows measured in the same run.

    .venv/bin/python bench/rights.py              # SQLite, 10k / 100k / 1M
    .venv/bin/python bench/rights.py --postgres   # PostgreSQL (database ofc_rights)
    .venv/bin/python bench/rights.py --quick      # 10k only, for CI

Goals: at most 0.25 s, within 3x of the raw select, and flat (within 1.5x) from 10k to 1M
rows. A peer's figure (Fides, say) is printed only when it is measured in the same run on the
same machine; this bench measures none, so it prints none.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from _harness import result  # noqa: E402

SUBJECT_EVENTS = 10_000
SUBJECT_DOCUMENTS = 100
OTHER_MEMBERS = 200
RUNS = 7


def setup(postgres: bool) -> str:
    var = tempfile.mkdtemp(prefix="officium-bench-rights-")
    os.environ["OFFICIUM_VAR_DIR"] = var
    os.environ.setdefault("OFFICIUM_ENV", "test")
    os.environ["DJANGO_SETTINGS_MODULE"] = "officium.settings_test"
    url = os.environ.get("DATABASE_URL", "")
    if postgres or url.startswith("postgres"):
        import psycopg

        name = "ofc_rights"
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{name}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{var}/bench.sqlite3"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, skip_checks=True)
    from django.db import connection

    return connection.vendor


def seed_subject():
    """The subject (10,000 events, 100 documents) and the members whose rows fill the table."""
    from officium.accounts.models import Membership, Organization, User
    from officium.attendance.models import LocationEvent
    from officium.portal.models import File, Space

    org = Organization.objects.create(name="Bench", slug="bench", country="DE")
    subject = User.objects.create_user("subject@bench.example", None, first_name="Sub", is_active=True)
    member = Membership.objects.create(organization=org, user=subject)
    others = [Membership.objects.create(organization=org, user=User.objects.create_user(
        f"other{i}@bench.example", None, is_active=True)) for i in range(OTHER_MEMBERS)]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    LocationEvent.objects.bulk_create([LocationEvent(
        organization=org, member=member, kind="attendance", occurred_at=start + timedelta(minutes=i),
        received_at=start + timedelta(minutes=i), latitude=52.5 + i * 1e-6, longitude=13.4,
        accuracy_m=12.0, location_status="recorded") for i in range(SUBJECT_EVENTS)], batch_size=2000)
    space = Space.objects.create(organization=org, name="Docs", wrapped_key=b"k" * 40, key_id="k1",
                                 created_by=subject)
    File.objects.bulk_create([File(
        organization=org, space=space, uploaded_by=subject, name=f"contract-{i}.pdf",
        extension="pdf", size=1000 + i, sha256="0" * 64, record_size=65536,
        wrapped_key=b"w" * 40) for i in range(SUBJECT_DOCUMENTS)])
    return org, subject, member, others


def fill_to(total: int, org, others) -> None:
    """Add other members' location rows until the table holds ``total`` rows (raw inserts)."""
    from django.db import connection, transaction

    from officium.attendance.models import LocationEvent

    have = LocationEvent.objects.count()
    table = LocationEvent._meta.db_table
    columns = ("organization_id", "member_id", "kind", "occurred_at", "received_at", "latitude",
               "longitude", "accuracy_m", "location_status", "suspected_mock")
    base = datetime(2024, 1, 1, tzinfo=UTC)
    batch = 50_000
    while have < total:
        n = min(batch, total - have)
        rows = [(org.pk, others[(have + i) % len(others)].pk, "attendance",
                 base + timedelta(seconds=have + i), base + timedelta(seconds=have + i),
                 # Other people's rows only pad the table: no coordinates (the columns are
                 # encrypted under each member's key, and these rows are never read).
                 None, None, None, "recorded", False) for i in range(n)]
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                rows = [(*r[:3], r[3].isoformat(" "), r[4].isoformat(" "), *r[5:]) for r in rows]
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
                    rows)
        have += n
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


RAW_SQL = [
    ("SELECT e.* FROM attendance_locationevent e JOIN accounts_membership m ON e.member_id = m.id "
     "WHERE m.user_id = %s ORDER BY e.id"),
    "SELECT * FROM portal_file WHERE uploaded_by_id = %s ORDER BY id",
    "SELECT * FROM accounts_user WHERE id = %s",
    "SELECT * FROM accounts_membership WHERE user_id = %s",
]


def raw_select(subject_id: int) -> int:
    from django.db import connection

    n = 0
    with connection.cursor() as cursor:
        for sql in RAW_SQL:
            cursor.execute(sql, [subject_id])
            n += len(cursor.fetchall())
    return n


def export(subject_id: int, ref: str) -> dict[str, int]:
    from officium.privacy.rights.context import art15_context
    from officium.privacy.rights.export import write_export
    from officium.privacy.rights.records import Subject

    result = write_export(ref, "access", Subject(user_id=subject_id),
                          context=lambda terms: art15_context(terms, "DE"))
    assert result.path.is_file() and result.size > 0
    return result.counts


def median_times(ours, raw, runs: int = RUNS) -> tuple[float, float]:
    """Median of ``runs`` timings of each, taken in turns so both see the same machine."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for fn, into in ((ours, times[0]), (raw, times[1])):
            start = time.perf_counter()
            fn()
            into.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k rows only (CI)")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL (database ofc_rights)")
    args = parser.parse_args()
    vendor = setup(args.postgres)
    sizes = [10_000] if args.quick else [10_000, 100_000, 1_000_000]
    org, subject, member, others = seed_subject()
    print(f"Access export, {vendor}: subject with {SUBJECT_EVENTS} location records and "
          f"{SUBJECT_DOCUMENTS} documents; median of {RUNS}")
    print(f"{'total rows':>11} {'export s':>9} {'raw s':>8} {'ratio':>6}  records")
    results = {}
    for total in sizes:
        fill_to(total, org, others)
        counts = export(subject.pk, "warm")  # warm caches (policy, registry, DPV terms)
        assert counts["attendance.LocationEvent"] == SUBJECT_EVENTS
        assert counts["portal.File"] == SUBJECT_DOCUMENTS
        ours, raw = median_times(lambda: export(subject.pk, uuid.uuid4().hex[:16]),
                                 lambda: raw_select(subject.pk))
        results[total] = ours
        print(f"{total:>11,} {ours:>9.4f} {raw:>8.4f} {ours / raw:>5.1f}x"
              f"  {sum(counts.values())}")
    flat = max(results.values()) / min(results.values())
    worst = max(results.values())
    print(f"Goals: <= 0.25 s "
          f"(worst {worst:.3f} s), within 3x of raw, flat within 1.5x (here {flat:.2f}x).")
    result("rights", worst_export_s=worst, export_vs_raw=ours / raw, flat=flat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
