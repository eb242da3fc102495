"""Cost follows the subject, not the table: every statement that finds one subject's rows of a
registered model can be answered from an index on PostgreSQL.

For each registered model the statements the engine runs for one person (export, erasure,
holds: ``subject_q`` by account id; the export's search by email address) are EXPLAINed with
sequential scans priced out (``enable_seqscan = off``): the planner then takes any usable
index, so a ``Seq Scan`` left in a plan means no index can find that subject's rows and the
statement reads the whole table, however large it grows. SQLite has no such planner contract;
the test runs on PostgreSQL only.
"""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import EmptyResultSet
from django.db import connection

from officium.privacy.registry import SELF, registrations
from officium.privacy.rights import records
from officium.privacy.rights.records import Subject

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")

EMAIL = "someone@example.com"


def _seq_scans(queryset) -> list[str]:
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # Django runs no statement at all
        return []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found: list[str] = []

    def walk(node: dict) -> None:
        if node.get("Node Type") == "Seq Scan":
            found.append(node["Relation Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return found


@pytest.mark.django_db
def test_every_registered_model_finds_one_subjects_rows_through_an_index(alice) -> None:
    failures = []
    subject_id = alice.pk  # a member of an organization: relation paths resolve to real ids
    for reg in registrations():
        statements = {
            "rows of an account (export, erasure, holds)":
                reg.model._base_manager.filter(reg.subject_q(subject_id)).values("pk"),
        }
        if reg.subject != SELF:
            statements["rows of an account, ids resolved (erasure, holds)"] = (
                reg.model._base_manager.filter(reg.subject_rows_q(subject_id)).values_list("pk", flat=True))
        if records.email_fields(reg):
            statements["rows of an email address (export)"] = records.queryset(
                reg, Subject(user_id=None, email=EMAIL)).values("pk")
        for what, queryset in statements.items():
            scanned = _seq_scans(queryset)
            if scanned:
                failures.append(f"{reg.label} ({reg.subject}), {what}: Seq Scan on {scanned}")
    assert not failures, "\n".join(failures)


def _plan_reads_whole_table(sql: str, table: str) -> list[str]:
    """Scans of ``table`` that are not narrowed by an index condition: a Seq Scan, or an index
    walked end to end with the subject only as a filter."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found: list[str] = []

    def walk(node: dict) -> None:
        if node.get("Relation Name") == table:
            kind = node["Node Type"]
            if kind == "Seq Scan" or (kind in ("Index Scan", "Index Only Scan")
                                      and "Index Cond" not in node):
                found.append(f"{kind} {node.get('Index Name', '')}".strip())
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return found


@pytest.mark.django_db
def test_erasure_of_one_subject_reads_only_that_subjects_location_rows(alice, bob, alice_org) -> None:
    """Issue 20 item 5: 20,000 location rows of someone else, 12 of the person erased; every
    statement the erasure runs on the location table is narrowed by an index (the existence
    check and each 5,000-row chunk used to read the whole table)."""
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from officium.accounts.models import Membership
    from officium.attendance.models import LocationEvent
    from officium.privacy.vault.shredding import shred_subject

    other = Membership.objects.get(user=alice, organization=alice_org)
    erased = Membership.objects.get(user=bob, organization=alice_org)
    now = timezone.now()

    def events(member, n):
        return [LocationEvent(organization=alice_org, member=member, kind="check_in", occurred_at=now,
                              received_at=now, latitude=52.5, longitude=13.4, accuracy_m=5,
                              location_status="inside") for _ in range(n)]

    first = LocationEvent.objects.bulk_create(events(other, 1))[0]
    table = LocationEvent._meta.db_table
    columns = ", ".join(f'"{f.column}"' for f in LocationEvent._meta.concrete_fields if not f.primary_key)
    with connection.cursor() as cursor:  # 19,999 copies of the first row, in one statement
        cursor.execute(f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM "{table}", '
                       f"generate_series(1, 19999) WHERE id = %s", [first.pk])
    LocationEvent.objects.bulk_create(events(erased, 12))
    with connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{table}"')
    with CaptureQueriesContext(connection) as captured:
        report = shred_subject(bob.pk, reason="test")
    assert report.deleted["attendance.LocationEvent"] == 12
    assert LocationEvent.objects.filter(member=other).count() == 20_000
    statements = [q["sql"] for q in captured.captured_queries
                  if f'"{table}"' in q["sql"] and q["sql"].lstrip().upper().startswith(
                      ("SELECT", "DELETE", "UPDATE"))]
    assert statements
    failures = [f"{scans}: {sql[:300]}" for sql in statements
                if (scans := _plan_reads_whole_table(sql, table))]
    assert not failures, "\n".join(failures)
