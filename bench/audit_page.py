"""The privacy office's audit page (PV1): the filtered page's cost follows the page, not the table.

The audit table is filled to 100,000 entries, then to 1,000,000 (50 organizations, 500 people,
60% of entries sensitive reads, as in a working deployment), and three pages are timed at each
size: one member's location reads (event + subject), the organization's entries in a time range,
and an older page reached by the keyset cursor. The raw baseline is the cheapest page a database
can serve: the newest 50 rows by primary key. Goal: 1M within 1.2x of 100k.

(The DP release over 1,000,000 check-ins is timed by bench/dp_release.py once PV6 lands.)
"""

from __future__ import annotations

from datetime import UTC, timedelta

from _harness import best_of, parse, result, setup, timed

ORGS, PEOPLE, EVENTS = 50, 500, 10


def fill(total: int, start: int) -> None:
    """Append entries ``start`` .. ``total`` (seq) with made-up hashes: paging never reads them."""
    from django.db import connection

    n = total - start + 1
    if n <= 0:
        return
    # entry i: organization i % 50, subject/actor among that organization's 10 people, one entry
    # a second from 2026-01-01, events: 6 in 10 are sensitive reads.
    select = (
        "SELECT {i}, {t}, ({i} % 50) + 1, (({i} / 50) % 10) * 50 + ({i} % 50) + 1, "
        "(({i} / 5000) % 10) * 50 + ({i} % 50) + 1, "
        "CASE WHEN ({i} / 500) % 10 < 6 THEN 'privacy.sensitive_read' "
        "ELSE 'bench.other' || (({i} / 500) % 4) END, "
        "'attendance.locationevent', '', '{{\"purpose\":\"attendance\"}}', 'x', 'y'")
    columns = ("seq, created_at, organization_id, subject_id, actor_id, event, target_type, "
               "target_id, details, prev_hash, entry_hash")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            expr = select.format(i="g", t="timestamptz '2026-01-01' + g * interval '1 second'")
            cursor.execute(f"INSERT INTO audit_auditentry ({columns}) "  # noqa: S608
                           f"{expr} FROM generate_series(%s, %s) g", [start, total])
            cursor.execute("ANALYZE audit_auditentry")
        else:
            expr = select.format(i="i", t="datetime('2026-01-01', '+' || i || ' seconds')")
            cursor.execute("WITH RECURSIVE n(i) AS (SELECT %s UNION ALL SELECT i + 1 FROM n "
                           f"WHERE i < %s) INSERT INTO audit_auditentry ({columns}) "
                           f"{expr} FROM n", [start, total])
            cursor.execute("ANALYZE")


def measure(runs: int, size: int, start: int) -> dict[str, float]:
    from datetime import datetime

    from django.db import connection

    from officium.privacy.audit.models import AuditEntry
    from officium.privacy.office import auditlog

    org = 7
    base = AuditEntry.objects.filter(organization_id=org)
    member = auditlog.Filters(event="privacy.sensitive_read", subject_id=(3 * 50) + org)
    since = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=start)
    window = auditlog.Filters(since=since, until=since + timedelta(hours=6))
    newest = auditlog.page(base, auditlog.Filters(), size=size)
    cursor = newest.next_cursor

    def raw() -> None:
        with connection.cursor() as c:
            c.execute("SELECT * FROM audit_auditentry ORDER BY seq DESC LIMIT %s", [size + 1])
            c.fetchall()

    figures = {
        "raw": best_of(runs, lambda: timed(raw)),
        "member": best_of(runs, lambda: timed(lambda: auditlog.page(base, member, size=size))),
        "window": best_of(runs, lambda: timed(lambda: auditlog.page(base, window, size=size))),
        "older": best_of(runs, lambda: timed(lambda: auditlog.page(base, auditlog.Filters(),
                                                                   cursor, size))),
    }
    pages = [auditlog.page(base, member, size=size), auditlog.page(base, window, size=size)]
    assert all(len(p.rows) == size for p in pages), "a page came back short"
    return figures


def main() -> None:
    args = parse(__doc__ or "")
    vendor = setup(postgres=args.postgres)
    from officium.privacy.audit.events import declare

    for k in range(4):
        declare(f"bench.other{k}", "A benchmark entry")
    small, large = (20_000, 100_000) if args.quick else (100_000, 1_000_000)
    runs, size = (5, 20) if args.quick else (9, 50)
    fill(small, 1)
    at_small = measure(runs, size, small // 4)
    fill(large, small + 1)
    at_large = measure(runs, size, small // 4)
    print(f"database: {vendor}; entries: {small:,} then {large:,}; best of {runs}")
    for name in ("raw", "member", "window", "older"):
        print(f"  {name:7} {at_small[name] * 1000:8.2f} ms  {at_large[name] * 1000:8.2f} ms  "
              f"x{at_large[name] / at_small[name]:.2f}  ({at_large[name] / at_large['raw']:.1f}x raw)")
    worst = max(at_large[k] / at_small[k] for k in ("member", "window", "older"))
    print(f"worst page growth {worst:.2f}x (goal <= 1.2x)")
    result("audit_page", db=0 if vendor == "sqlite" else 1, entries=large,
           member_ms=at_large["member"] * 1000, window_ms=at_large["window"] * 1000,
           older_ms=at_large["older"] * 1000, raw_ms=at_large["raw"] * 1000, growth=worst)


if __name__ == "__main__":
    main()
