"""Audit log: appends per second inside transactions and entries verified per second, against
plain inserts into a table of the same shape, in the same run.

Goals (issue 3): appends at least 0.5x the plain rate; verification at least 100k entries/s.
"""

from __future__ import annotations

import json

from _harness import best_of, parse, result, setup, timed

PLAIN_TABLE = """CREATE TABLE bench_plain_audit (
  id {pk}, seq BIGINT NOT NULL UNIQUE, created_at TIMESTAMP NOT NULL, organization_id BIGINT,
  actor_id BIGINT, subject_id BIGINT, event VARCHAR(64) NOT NULL, target_type VARCHAR(64) NOT NULL,
  target_id VARCHAR(64) NOT NULL, details TEXT NOT NULL, payload TEXT NOT NULL,
  prev_hash VARCHAR(64) NOT NULL, entry_hash VARCHAR(64) NOT NULL)"""
# The audit table's own indexes, so the baseline differs from it only by the chain.
PLAIN_INDEXES = (
    "CREATE INDEX bench_plain_created ON bench_plain_audit (created_at)",
    "CREATE INDEX bench_plain_org_event ON bench_plain_audit (organization_id, event, created_at)",
    # the audit pages' keyset indexes (PV1)
    "CREATE INDEX bench_plain_org_seq ON bench_plain_audit (organization_id, seq)",
    "CREATE INDEX bench_plain_org_event_seq ON bench_plain_audit (organization_id, event, seq)",
    "CREATE INDEX bench_plain_org_actor_seq ON bench_plain_audit (organization_id, actor_id, seq)",
    "CREATE INDEX bench_plain_org_subject_seq ON bench_plain_audit (organization_id, subject_id, seq)",
    "CREATE INDEX bench_plain_subject_event_seq ON bench_plain_audit (subject_id, event, seq)",
)


def main() -> None:
    args = parse(__doc__ or "")
    vendor = setup(postgres=args.postgres)
    from django.db import connection, transaction
    from django.utils import timezone

    from officium.privacy import audit
    from officium.privacy.audit.chain import verify
    from officium.privacy.audit.events import declare

    bench_event = declare("bench.event", "A benchmark entry")  # every event name is declared

    transactions = 300 if args.quick else 3000
    per_txn = 3
    verify_size = 20_000 if args.quick else 200_000

    pk = "BIGSERIAL PRIMARY KEY" if vendor == "postgresql" else "INTEGER PRIMARY KEY AUTOINCREMENT"
    with connection.cursor() as cursor:
        cursor.execute(PLAIN_TABLE.format(pk=pk))
        for statement in PLAIN_INDEXES:
            cursor.execute(statement)
    counter = iter(range(1, 10**9))

    def plain() -> float:
        def run() -> None:
            now = timezone.now()
            for _ in range(transactions):
                with transaction.atomic(), connection.cursor() as cursor:
                    for _ in range(per_txn):
                        cursor.execute(
                            "INSERT INTO bench_plain_audit (seq, created_at, organization_id, actor_id, "
                            "subject_id, event, target_type, target_id, details, payload, prev_hash, "
                            "entry_hash) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                            [next(counter), now, 7, 1, 42, "bench.event", "accounts.user", "42",
                             json.dumps({"n": 1}), "[]", "0" * 64, "0" * 64])
        return timed(run)

    def chained() -> float:
        def run() -> None:
            for _ in range(transactions):
                with transaction.atomic():
                    for _ in range(per_txn):
                        audit.record(bench_event, actor=1, organization=7, subject=42, details={"n": 1})
        return timed(run)

    appends = transactions * per_txn
    t_plain, t_chain = [], []
    for _ in range(3):  # alternate so both see the same machine
        t_plain.append(plain())
        t_chain.append(chained())
    plain_rate, chain_rate = appends / min(t_plain), appends / min(t_chain)
    print(f"audit appends ({vendor}, {transactions} transactions x {per_txn} entries, best of 3)")
    print(f"  plain INSERT into same-shape table: {plain_rate:10,.0f} rows/s")
    print(f"  hash-chained audit.record():         {chain_rate:10,.0f} entries/s")
    print(f"  ratio: {chain_rate / plain_rate:.2f}x (goal >= 0.5x)")

    from officium.privacy.audit.chain import Draft, append

    existing = verify().checked
    batch = [Draft(timezone.now(), 7, 1, n, "bench.bulk", "", "", {"n": n}) for n in range(5000)]
    while existing < verify_size:
        append(batch)
        existing += len(batch)
    seconds = best_of(3, lambda: timed(verify))
    verified = verify()
    assert verified.ok, verified.problem
    print(f"audit verification ({vendor}): {verified.checked:,} entries in {seconds:.3f}s = "
          f"{verified.checked / seconds:,.0f} entries/s (goal >= 100,000/s)")
    result("audit", append_ratio=chain_rate / plain_rate, appends_per_s=chain_rate,
           plain_rows_per_s=plain_rate, verify_entries_per_s=verified.checked / seconds)


if __name__ == "__main__":
    main()
