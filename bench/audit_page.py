"""The privacy office's audit page (PV1): the filtered page's cost follows the page, not the table.

The audit table is filled to 100,000 entries, then to 1,000,000 (50 organizations, 500 people,
60% of entries sensitive reads, as in a working deployment), and three pages are timed at each
size: one member's location reads (event + subject), the organization's entries in a time range,
and an older page reached by the keyset cursor. The raw baseline is the cheapest page a database
can serve: the newest 50 rows by primary key. Goal: 1M within 1.2x of 100k.

Then a differential-privacy release (PV6) of check-ins per site per week over 26 weeks of
1,000,000 check-ins (100,000 with --quick): the whole publish (capped counts, OpenDP Laplace
noise, the release row and its audit entry), against the raw baseline of a plain
COUNT(*) ... GROUP BY site over the same rows. Goal: under 2 s.
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
            expr = expr.replace("%", "%%")  # psycopg: a literal modulo next to parameters
            cursor.execute(f"INSERT INTO audit_auditentry ({columns}) "  # noqa: S608
                           f"{expr} FROM generate_series(%s, %s) g", [start, total])
            cursor.execute("VACUUM ANALYZE audit_auditentry")  # as autovacuum leaves it at rest
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


def fill_checkins(total: int) -> tuple[object, object]:
    """An organization with 5 sites and 200 members, and ``total`` accepted check-ins spread
    over 26 weeks from 2026-01-05 (a Monday)."""
    from datetime import date

    from django.db import connection

    from officium.accounts.models import Membership, Organization, User
    from officium.attendance.models import AttendanceRecord, Site

    org = Organization.objects.create(name="Bench DP", slug="bench-dp", country="DE")
    for k in range(5):
        Site.objects.create(organization=org, name=f"Site {k}", shape="circle",
                            center_latitude=52.5, center_longitude=13.4, radius_m=150)
    users = User.objects.bulk_create([User(email=f"dp{k}@bench.example") for k in range(200)])
    members = Membership.objects.bulk_create([Membership(organization=org, user=u, role="member")
                                              for u in users])
    owner = Membership.objects.create(organization=org, user=User.objects.create(
        email="dp-owner@bench.example"), role="owner")
    first_member, first_site = members[0].pk, Site.objects.filter(organization=org).first().pk
    table = AttendanceRecord._meta.db_table
    columns = ("organization_id, member_id, direction, occurred_at, verdict, accepted, site_id, "
               "suspected_mock, review, work_day, shift_status")
    select = ("SELECT {org}, {m0} + ({i} % 200), 'in', {t}, 'inside', TRUE, {s0} + ({i} % 5), "
              "FALSE, '', {d}, 'none'")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            expr = select.format(org=org.pk, m0=first_member, s0=first_site, i="g",
                                 t="timestamptz '2026-01-05' + (g % 182) * interval '1 day'",
                                 d="date '2026-01-05' + (g % 182)")
            expr = expr.replace("%", "%%")  # psycopg: a literal modulo next to parameters
            cursor.execute(f"INSERT INTO {table} ({columns}) {expr} "  # noqa: S608
                           "FROM generate_series(1, %s) g", [total])
            # A table at rest has been vacuumed by autovacuum: its visibility map lets the release's
            # index-only scan skip the heap (unvacuumed, each of the million rows costs a heap visit).
            cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            expr = select.format(org=org.pk, m0=first_member, s0=first_site, i="i",
                                 t="datetime('2026-01-05', '+' || (i % 182) || ' days')",
                                 d="date('2026-01-05', '+' || (i % 182) || ' days')")
            cursor.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                           f"WHERE i < %s) INSERT INTO {table} ({columns}) {expr} FROM n", [total])
            cursor.execute("ANALYZE")
    return owner, date(2026, 1, 5)


def bench_release(quick: bool) -> dict[str, float]:
    from datetime import timedelta

    from django.db import connection

    from officium.attendance.models import AttendanceRecord
    from officium.privacy.office import releases

    total = 100_000 if quick else 1_000_000
    owner, monday = fill_checkins(total)

    def raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT site_id, COUNT(*) FROM {AttendanceRecord._meta.db_table} "  # noqa: S608
                           "WHERE organization_id = %s GROUP BY site_id", [owner.organization_id])
            cursor.fetchall()

    def publish() -> None:
        releases.publish(owner, dataset="checkins_per_site_week", since=monday,
                         until=monday + timedelta(weeks=26), epsilon=0.01)

    raw_s = best_of(3, lambda: timed(raw))
    release_s = best_of(3, lambda: timed(publish))
    print(f"DP release over {total:,} check-ins (26 weeks x 5 sites): {release_s:.2f} s "
          f"(raw GROUP BY {raw_s:.2f} s, x{release_s / raw_s:.1f}; goal < 2 s)")
    return {"checkins": total, "release_s": release_s, "release_raw_s": raw_s}


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
    dp = bench_release(args.quick)
    result("audit_page", db=0 if vendor == "sqlite" else 1, entries=large,
           member_ms=at_large["member"] * 1000, window_ms=at_large["window"] * 1000,
           older_ms=at_large["older"] * 1000, raw_ms=at_large["raw"] * 1000, growth=worst,
           **dp)


if __name__ == "__main__":
    main()
