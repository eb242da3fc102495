"""WT7: the attendance report and its exports: local days, filters, keyset paging with no cap,
CSV and XLSX with local times and their UTC offsets, rows and locations by role and right."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from openpyxl import load_workbook

from officium.accounts.roles import Role
from officium.attendance import report
from officium.attendance.coordinates import Fix
from officium.attendance.models import AttendanceRecord
from officium.privacy.audit.models import AuditEntry
from officium.privacy.audit_events import SENSITIVE_READ

from .conftest import make_member


@pytest.fixture
def berlin(alice_org):
    alice_org.time_zone = "Europe/Berlin"
    alice_org.save(update_fields=["time_zone"])
    return alice_org


def add(member, at, direction="in", site=None, accepted=True):
    """A stored record at a UTC instant, its work day the Berlin day (as check-in stores it)."""
    local = at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin"))
    return AttendanceRecord.objects.create(
        organization_id=member.organization_id, member=member, direction=direction, occurred_at=at,
        verdict="inside", accepted=accepted, site=site, work_day=local.date())


def utc(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def get(client, path, **params):
    return client.get(f"/api/attendance/orgs/alpha{path}", params)


@pytest.mark.django_db
def test_WT7_report_filters_by_local_day_member_team_and_site(berlin, alice_m, bob_m, hq, yard, alice_client):
    dora = make_member(berlin, "dora@alpha.example", "Dora", Role.MEMBER)  # reports to nobody
    late_evening = add(bob_m, utc("2026-01-14T23:30"), site=hq)  # 00:30 on the 15th in Berlin
    add(bob_m, utc("2026-01-14T12:00"), site=yard)
    add(dora, utc("2026-01-15T09:00"), site=hq)

    # The 15th is a Berlin day: bob's 23:30 UTC check-in is on it, shown at 00:30 CET.
    body = get(alice_client, "/report", start="2026-01-15", end="2026-01-15").json()
    assert body["time_zone"] == "Europe/Berlin"
    ids = [r["id"] for r in body["rows"]]
    assert late_evening.pk in ids and len(ids) == 2
    row = next(r for r in body["rows"] if r["id"] == late_evening.pk)
    assert row["local_time"] == "2026-01-15T00:30:00+01:00" and row["local_text"] == "2026-01-15 00:30 CET"

    by_member = get(alice_client, "/report", start="2026-01-14", end="2026-01-15", member=dora.pk).json()
    assert {r["member_id"] for r in by_member["rows"]} == {dora.pk}
    team = get(alice_client, "/report", start="2026-01-14", end="2026-01-15", team=alice_m.pk).json()
    assert {r["member_id"] for r in team["rows"]} == {bob_m.pk}  # alice's reports: bob only
    at_yard = get(alice_client, "/report", start="2026-01-14", end="2026-01-15", site=yard.pk).json()
    assert [r["site"] for r in at_yard["rows"]] == ["Yard"]


@pytest.mark.django_db
def test_WT7_report_pages_beyond_200_rows_without_a_cap(berlin, bob_m, alice_client):
    start = utc("2026-02-01T06:00")
    AttendanceRecord.objects.bulk_create([
        AttendanceRecord(organization=berlin, member=bob_m, direction="in" if i % 2 == 0 else "out",
                         occurred_at=start + timedelta(minutes=10 * i), verdict="inside", accepted=True,
                         work_day=date(2026, 2, 1) + timedelta(days=(10 * i) // (60 * 24)))
        for i in range(450)])
    seen, cursor, pages = [], "", 0
    while True:
        body = get(alice_client, "/report", start="2026-02-01", end="2026-02-28", limit=100, cursor=cursor).json()
        seen += [r["id"] for r in body["rows"]]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 450 == len(set(seen)) and pages == 5
    times = list(AttendanceRecord.objects.filter(pk__in=seen).order_by("-occurred_at").values_list("pk", flat=True))
    assert seen == times  # newest first, no row twice, none skipped

    # The HTML page pages the same way: 50 rows and a link to the next page.
    page = alice_client.get("/o/alpha/attendance/", {"start": "2026-02-01", "end": "2026-02-28"})
    assert page.status_code == 200 and page.content.decode().count("data-record=") == 50
    assert 'id="next-page"' in page.content.decode()


@pytest.mark.django_db
def test_WT7_report_page_is_an_index_range_scan(berlin, bob_m, alice_m):
    """The page's cost follows the page: the query walks the (organization, occurred_at) or
    (member, occurred_at) index, never the whole table."""
    filters = report.parse(alice_m, {"start": "2026-01-01", "end": "2026-01-31"})
    qs = report.records(alice_m, filters)[:51]
    plan = qs.explain()
    if connection.vendor == "sqlite":
        assert "attendancerecord USING INDEX" in plan and "TEMP B-TREE" not in plan
    else:
        assert "Index" in plan


@pytest.mark.django_db
def test_WT7_an_organization_page_stops_after_the_page_on_postgresql(berlin, bob_m, alice_m):
    """PostgreSQL would read the whole date range and sort it (it misjudges the work-day filter);
    the page query runs with sorting off, so it walks the (organization, occurred_at, id) index
    backwards and stops after the page."""
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    filters = report.parse(alice_m, {"start": "2026-01-01", "end": "2026-01-31"})
    with CaptureQueriesContext(connection) as seen:
        report.page(alice_m, filters)
    statements = [q["sql"] for q in seen.captured_queries]
    if connection.vendor == "sqlite":
        assert not any("enable_sort" in sql for sql in statements)
        return
    turned = next(i for i, sql in enumerate(statements) if "set_config('enable_sort', 'off'" in sql)
    assert "attendance_attendancerecord" in statements[turned + 1] and "LIMIT 51" in statements[turned + 1]
    assert "set_config('enable_sort'" in statements[turned + 2]  # put back at once
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        plan = report.records(alice_m, filters)[:51].explain()
    assert "Index Scan Backward using attendance_org_time_id" in plan and "Sort" not in plan


@pytest.mark.django_db
def test_WT7_a_team_page_sorts_ids_and_joins_people_for_its_own_rows_only(berlin, bob_m, alice_m):
    """A manager's team page: the scan reads the team's records by member (a list of ids, not a
    join PostgreSQL misjudges) and sorts ids only; names and sites are read for the page's rows
    alone, so the page costs the same however many records the organization keeps."""
    from django.test.utils import CaptureQueriesContext

    stranger = make_member(berlin, "sam@alpha.example", "Sam", Role.MEMBER)
    for day in range(1, 29):
        add(bob_m, utc(f"2026-02-{day:02d}T07:00"))
        add(stranger, utc(f"2026-02-{day:02d}T07:05"))
    filters = report.parse(alice_m, {"start": "2026-02-01", "end": "2026-02-28", "team": str(alice_m.pk)})
    with CaptureQueriesContext(connection) as seen:
        page = report.page(alice_m, filters, size=10)
    assert [r.member for r in page.rows] == ["Bob Berg"] * 10
    assert [r.local.day for r in page.rows] == list(range(28, 18, -1))  # newest first
    scan = next(q["sql"] for q in seen.captured_queries if "LIMIT 11" in q["sql"])
    assert scan.startswith('SELECT "attendance_attendancerecord"."id"') and "accounts_user" not in scan
    assert f'"member_id" IN ({bob_m.pk})' in scan
    nxt = report.page(alice_m, filters, cursor=page.next_cursor, size=10)
    assert [r.local.day for r in nxt.rows] == list(range(18, 8, -1))


@pytest.mark.django_db
def test_WT7_csv_and_xlsx_exports_carry_local_times_with_offsets(berlin, bob_m, hq, alice_client):
    summer = add(bob_m, utc("2026-07-01T06:15"), site=hq)   # 08:15 CEST
    add(bob_m, utc("2026-07-01T15:00"), direction="out", site=hq)

    answer = alice_client.get("/o/alpha/attendance/export/",
                              {"start": "2026-07-01", "end": "2026-07-01", "format": "csv"})
    assert answer.status_code == 200 and answer.streaming
    assert 'filename="attendance-2026-07-01-2026-07-01.csv"' in answer["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode())))
    header, rows = lines[0], lines[1:]
    assert "Latitude" not in header  # alice has no right to bob's coordinates
    first = dict(zip(header, rows[-1], strict=True))
    assert first["Local time"] == "2026-07-01T08:15:00+02:00"
    assert first["UTC time"] == "2026-07-01T06:15:00Z" and first["Time zone"] == "Europe/Berlin"
    assert first["Member"] == "Bob Berg" and first["Site"] == "HQ" and first["Work day"] == "2026-07-01"

    answer = get(alice_client, "/report/export", start="2026-07-01", end="2026-07-01", format="xlsx")
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(answer.streaming_content)))
    sheet = book["Attendance"]
    values = list(sheet.iter_rows(values_only=True))
    header = list(values[0])
    last = dict(zip(header, values[-1], strict=True))
    assert len(values) == 3 and last["Local time"] == "2026-07-01T08:15:00+02:00"
    assert last["Member id"] == bob_m.pk and last["In/out"] == "in"
    assert summer.pk  # the row is the stored record


@pytest.mark.django_db
def test_WT7_a_member_sees_only_their_own_rows(berlin, alice_m, bob_m, bob_client):
    add(alice_m, utc("2026-03-02T08:00"))
    mine = add(bob_m, utc("2026-03-02T08:05"))
    body = get(bob_client, "/report", start="2026-03-02", end="2026-03-02").json()
    assert [r["id"] for r in body["rows"]] == [mine.pk]
    refused = get(bob_client, "/report", start="2026-03-02", end="2026-03-02", member=alice_m.pk)
    assert refused.status_code == 400 and refused.json()["field"] == "member"
    csv_text = b"".join(bob_client.get("/o/alpha/attendance/export/", {
        "start": "2026-03-02", "end": "2026-03-02"}).streaming_content).decode()
    assert "Alice" not in csv_text and "Bob Berg" in csv_text


@pytest.mark.django_db
def test_WT7_location_columns_only_with_the_right_and_each_read_audited(berlin, alice_m, bob_m, hq, alice_client,
                                                                         clock, grant):
    record = clock(bob_m, Fix(52.5201, 13.4051, 10.0))
    day = record.work_day.isoformat()
    params = {"start": day, "end": day, "format": "csv"}

    def export():
        answer = alice_client.get("/o/alpha/attendance/export/", params)
        return list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode())))

    assert "Latitude" not in export()[0]
    assert not AuditEntry.objects.filter(event=SENSITIVE_READ.name, subject_id=bob_m.user_id).exists()
    api_row = get(alice_client, "/report", start=day, end=day).json()["rows"][0]
    assert api_row["latitude"] is None

    grant(alice_m)
    lines = export()
    row = dict(zip(lines[0], lines[1], strict=True))
    assert (row["Latitude"], row["Longitude"]) == ("52.5201", "13.4051")
    assert AuditEntry.objects.filter(event=SENSITIVE_READ.name, subject_id=bob_m.user_id,
                                     actor_id=alice_m.user_id).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("params", "field"), [
    ({"start": "2026-13-01"}, "start"),
    ({"start": "yesterday"}, "start"),
    ({"end": "2026-02-30"}, "end"),
    ({"start": "2026-03-10", "end": "2026-03-01"}, "end"),
    ({"start": "2024-01-01", "end": "2026-01-01"}, "end"),
    ({"member": "999999"}, "member"),
    ({"member": "bob"}, "member"),
    ({"team": "999999"}, "team"),
    ({"site": "999999"}, "site"),
    ({"cursor": "not-a-cursor"}, "cursor"),
    ({"limit": "0"}, "limit"),
    ({"format": "pdf"}, "format"),
])
def test_WT7_bad_report_input_answers_400_naming_the_field(berlin, alice_client, params, field):
    path = "/report/export" if "format" in params else "/report"
    answer = get(alice_client, path, **params)
    assert answer.status_code == 400
    assert answer.json()["field"] == field
    page = alice_client.get("/o/alpha/attendance/" if "format" not in params else "/o/alpha/attendance/export/",
                            params)
    assert page.status_code == 400 and field in page.content.decode()


@pytest.mark.django_db
def test_WT7_a_client_contact_gets_no_report(berlin, alice_org):
    from tests.conftest import client_for

    contact = make_member(alice_org, "carl@client.example", "Carl", Role.CLIENT)
    assert get(client_for(contact.user), "/report").status_code == 403
