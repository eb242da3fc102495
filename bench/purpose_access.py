"""A purpose-bound read of N rows against the same unguarded query, in one run.

    python bench/purpose_access.py [--quick] [--rows N] [--postgres]

Reads every membership of one organization (10k rows; 500 with --quick), fetching model
instances, twice per round: ``for_purpose(actor, "service_provision")`` (purpose check,
category check, tenant scope, rules, the engine's subject filters) and the plain
``Membership.objects.filter(organization=...)`` it reduces to. Each figure is the best of
several rounds, alternating the two so background load affects both alike. Goal: the
guarded read takes at most 1.3x the plain one.

The database is a temporary SQLite file, migrated here; with --postgres (or a PostgreSQL
DATABASE_URL in the environment) the database officium_bench, dropped and created afresh.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import result  # noqa: E402


def setup_django(use_postgres: bool) -> str:
    """A fresh migrated database (the shared harness recreates the PostgreSQL one)."""
    from _harness import setup

    setup(postgres=use_postgres)
    from django.db import connection

    return f"{connection.vendor} ({connection.settings_dict['NAME']})"


def populate(rows: int):  # type: ignore[no-untyped-def]
    from django.contrib.auth.hashers import make_password

    from officium.accounts.models import Membership, Organization, User
    from officium.accounts.roles import Role

    unusable = make_password(None)
    org = Organization.objects.create(name="Bench Org", slug="bench-org")
    other = Organization.objects.create(name="Other Org", slug="other-org")
    users = User.objects.bulk_create(
        User(email=f"user{i}@bench.example", first_name=f"First{i}", last_name=f"Last{i}",
             password=unusable, is_active=True) for i in range(rows + rows // 10))
    Membership.objects.bulk_create(
        Membership(organization=org if i < rows else other, user=u,
                   role=Role.OWNER if i == 0 else Role.MEMBER) for i, u in enumerate(users))
    actor = Membership.objects.get(organization=org, role=Role.OWNER)
    return org, actor


def best(fn: Callable[[], int], rounds: int) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(rounds):
        started = time.perf_counter()
        count = fn()
        times.append(time.perf_counter() - started)
    return min(times), count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for CI")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--postgres", action="store_true",
                        help="use PostgreSQL at 127.0.0.1:5432 (database officium_bench, recreated)")
    args = parser.parse_args()
    rows = args.rows or (500 if args.quick else 10_000)
    rounds = 5 if args.quick else 15
    database = setup_django(args.postgres or bool(os.environ.get("DATABASE_URL", "").startswith("postgres")))

    from officium.accounts.models import Membership
    from officium.privacy.access import PurposeQuerySet

    org, actor = populate(rows)

    def plain() -> int:
        return len(list(Membership.objects.filter(organization_id=org.pk)))

    def guarded() -> int:
        return len(list(PurposeQuerySet(model=Membership).for_purpose(actor, "service_provision")))

    assert plain() == guarded() == rows, "the two reads must return the same rows"
    plain_times, guarded_times = [], []
    for _ in range(rounds):  # alternate so drift affects both alike
        plain_times.append(best(plain, 1)[0])
        guarded_times.append(best(guarded, 1)[0])
    raw, ours = min(plain_times), min(guarded_times)
    print(f"purpose-bound read of {rows} rows on {database}, best of {rounds}")
    print(f"  plain query      {raw * 1000:8.2f} ms  ({rows / raw:,.0f} rows/s)")
    print(f"  for_purpose      {ours * 1000:8.2f} ms  ({rows / ours:,.0f} rows/s)")
    print(f"  ratio            {ours / raw:8.3f}x  (goal <= 1.3x)")
    result("purpose_access", ratio=ours / raw, guarded_rows_per_s=rows / ours, plain_rows_per_s=rows / raw)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
