"""Old check-in records get their local work day (WT1, WT4), and the workforce lists page
without a silent cap (WT7)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from tests.api_answers import error_fields

from officium.attendance.backfill import fill_work_days
from officium.attendance.models import AttendanceRecord, Site
from officium.workforce import services
from officium.workforce.models import Correction, Holiday, LeaveRequest, LeaveType, TimesheetDay

pytestmark = pytest.mark.django_db

NIGHT = {"name": "Night", "start": "22:00", "end": "06:00", "overnight": True, "break_minutes": 0,
         "grace_minutes": 5, "weekdays": [0, 1, 2, 3, 4]}


def old_record(member, at, direction="in", site=None):
    """A record as written before the work_day column existed."""
    return AttendanceRecord.objects.create(organization_id=member.organization_id, member=member,
                                           direction=direction, occurred_at=at, verdict="inside",
                                           accepted=True, site=site, work_day=None)


def test_WT1_backfill_fills_old_records_with_their_local_day(alice_org, alice_m, bob_m, capsys):
    alice_org.time_zone = "Pacific/Tongatapu"
    alice_org.save(update_fields=["time_zone"])
    lisbon = Site.objects.create(organization=alice_org, name="Lisbon", shape="circle", center_latitude=38.7,
                                 center_longitude=-9.1, radius_m=100, time_zone="Europe/Lisbon")
    tonga = old_record(bob_m, datetime(2026, 1, 13, 11, 30, tzinfo=UTC))           # 00:30 on the 14th, UTC+13
    site = old_record(bob_m, datetime(2026, 1, 13, 23, 30, tzinfo=UTC), site=lisbon)  # 23:30 on the 13th in Lisbon
    placed = AttendanceRecord.objects.create(organization=alice_org, member=bob_m, direction="in",
                                             occurred_at=datetime(2026, 1, 20, 9, tzinfo=UTC), verdict="inside",
                                             accepted=True, work_day=date(2026, 1, 19))
    call_command("backfill_work_days", "--batch", "1")
    assert "2 check-in records got their work day" in capsys.readouterr().out
    tonga.refresh_from_db()
    site.refresh_from_db()
    placed.refresh_from_db()
    assert tonga.work_day == date(2026, 1, 14) and site.work_day == date(2026, 1, 13)
    assert placed.work_day == date(2026, 1, 19)  # already placed: left alone
    assert fill_work_days() == 0  # nothing left: running it again is harmless


def test_WT4_backfill_puts_an_overnight_check_out_on_its_evening_and_rebuilds_the_timesheet(
        alice_org, alice_m, bob_m):
    alice_org.time_zone = "Europe/Berlin"
    alice_org.save(update_fields=["time_zone"])
    services.assign_shift(alice_m, services.save_shift_type(alice_m, NIGHT), member=bob_m,
                          starts_on=date(2026, 1, 1))
    came = old_record(bob_m, datetime(2026, 1, 13, 21, tzinfo=UTC))           # Tuesday 22:00 CET
    left = old_record(bob_m, datetime(2026, 1, 14, 5, tzinfo=UTC), "out")     # Wednesday 06:00
    others = [old_record(alice_m, datetime(2026, 2, 2, 8, tzinfo=UTC) + timedelta(minutes=n)) for n in range(5)]
    assert fill_work_days(batch=2) == 7
    came.refresh_from_db()
    left.refresh_from_db()
    assert came.work_day == left.work_day == date(2026, 1, 13)
    assert {r.work_day for r in AttendanceRecord.objects.filter(pk__in=[o.pk for o in others])} == {date(2026, 2, 2)}
    day = TimesheetDay.objects.get(member=bob_m, day=date(2026, 1, 13))  # the worker's task ran it
    assert day.worked_minutes == 8 * 60 and day.records == 2


def everything(api, client, path):
    """Follow next_cursor to the end; return every item's id and how many pages it took."""
    ids, pages, cursor = [], 0, ""
    while True:
        answer = api(client, "get", f"{path}{'&' if '?' in path else '?'}cursor={cursor}")
        assert answer.status_code == 200, answer.content
        body = answer.json()
        ids += [item["id"] for item in body["items"]]
        pages += 1
        if body["next_cursor"] is None:
            return ids, pages
        cursor = body["next_cursor"]


def test_WT7_own_corrections_and_leave_page_beyond_200_without_a_cap(alice_org, bob_m, api, bob_client,
                                                                      alice_client):
    record = AttendanceRecord.objects.create(organization=alice_org, member=bob_m, direction="in", verdict="inside",
                                             accepted=True, occurred_at=datetime(2026, 1, 14, 7, tzinfo=UTC),
                                             work_day=date(2026, 1, 14))
    moment = datetime(2026, 1, 14, 16, tzinfo=UTC)
    made = Correction.objects.bulk_create([Correction(
        organization=alice_org, member=bob_m, kind="missing_check_out", original=record, direction="out",
        occurred_at=moment, reason="Forgot", created_at=moment) for _ in range(230)])  # same instant: ids break ties
    annual = LeaveType.objects.create(organization=alice_org, name="Annual", yearly_days=Decimal(20))
    leave = LeaveRequest.objects.bulk_create([LeaveRequest(
        organization=alice_org, member=bob_m, leave_type=annual, starts_on=date(2020, 1, 1) + timedelta(days=n // 2),
        ends_on=date(2020, 1, 1) + timedelta(days=n // 2), days=1, ended_at=moment) for n in range(210)])
    ids, pages = everything(api, bob_client, "/workforce/orgs/alpha/corrections")
    assert sorted(ids) == sorted(c.pk for c in made) and len(ids) == len(set(ids)) == 230 and pages == 5
    ids, pages = everything(api, bob_client, "/workforce/orgs/alpha/leave-requests?limit=100")
    assert len(ids) == len(set(ids)) == 210 and pages == 3
    assert ids[0] in {r.pk for r in leave if r.starts_on == date(2020, 4, 14)}  # latest first
    waiting, _ = everything(api, alice_client, "/workforce/orgs/alpha/corrections?which=waiting&limit=500")
    assert len(waiting) == 230  # bob reports to alice
    leave_waiting, _ = everything(api, alice_client, "/workforce/orgs/alpha/leave-requests?which=waiting")
    assert len(leave_waiting) == 210
    assert everything(api, bob_client, "/workforce/orgs/alpha/corrections?which=waiting")[0] == []


def test_WT7_holidays_page_and_bad_paging_input_answers_400_naming_the_field(alice_org, api, alice_client):
    Holiday.objects.bulk_create([Holiday(organization=alice_org, day=date(2000, 1, 1) + timedelta(days=n), name="H")
                                 for n in range(1100)])
    ids, pages = everything(api, alice_client, "/workforce/orgs/alpha/holidays?limit=500")
    assert len(set(ids)) == 1100 and pages == 3
    for query, field in (("cursor=not-a-cursor", "cursor"), ("limit=0", "limit"), ("limit=501", "limit"),
                         ("which=everyone", "which")):
        answer = api(alice_client, "get", f"/workforce/orgs/alpha/corrections?{query}")
        assert answer.status_code == 400 and error_fields(answer) == {field}, (query, answer.content)
