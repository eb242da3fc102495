"""WT4-WT6: timesheets derived from check-ins (overnight shifts, DST days, corrections, leave
and holidays), corrections approved by the reporting manager, leave against allowances."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from tests.api_answers import error_fields

from officium.attendance import services as attendance
from officium.attendance.models import AttendanceRecord
from officium.mail.models import OutboxEmail
from officium.privacy.audit.models import AuditEntry
from officium.workforce import services
from officium.workforce.models import Correction, Holiday, LeaveRequest, LeaveType, TimesheetDay

pytestmark = pytest.mark.django_db

DAY = {"name": "Day", "start": "08:00", "end": "16:00", "break_minutes": 30, "grace_minutes": 5,
       "weekdays": [0, 1, 2, 3, 4]}
NIGHT = {"name": "Night", "start": "22:00", "end": "06:00", "overnight": True, "break_minutes": 30,
         "grace_minutes": 5, "weekdays": [0, 1, 2, 3, 4]}
ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//holidays//EN\r
BEGIN:VEVENT\r
UID:1@test\r
DTSTART;VALUE=DATE:20260406\r
SUMMARY:Easter Monday\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:2@test\r
DTSTART;VALUE=DATE:20260501\r
SUMMARY:Labour Day\r
END:VEVENT\r
END:VCALENDAR\r
"""


@pytest.fixture
def accept(alice_m):
    attendance.change_settings(alice_m, "accept", None)


def clock(at, member, *moments):
    records = []
    for moment, direction in moments:
        at(moment)
        records.append(attendance.check_in(member, direction, None))
    return records


def week(api, client, day, member_id=None):
    query = f"?view=week&day={day}" + (f"&member_id={member_id}" if member_id else "")
    answer = api(client, "get", f"/workforce/orgs/alpha/timesheets{query}")
    assert answer.status_code == 200, answer.content
    return answer.json()


def day_of(sheet, day):
    return next(d for d in sheet["days"] if d["day"] == day)


def test_WT4_overnight_shift_counts_on_the_day_it_started(alice_m, bob_m, berlin, accept, at, api, bob_client):
    services.assign_shift(alice_m, services.save_shift_type(alice_m, NIGHT), member=bob_m,
                          starts_on=date(2026, 1, 1))
    clock(at, bob_m, ("2026-01-13T21:10", "in"),    # Tuesday 22:10 CET: late
          ("2026-01-14T01:00", "out"), ("2026-01-14T01:30", "in"),  # a half-hour break
          ("2026-01-14T05:40", "out"))              # Wednesday 06:40: overtime
    [sheet] = week(api, bob_client, "2026-01-14")
    tuesday, wednesday = day_of(sheet, "2026-01-13"), day_of(sheet, "2026-01-14")
    assert tuesday["worked_minutes"] == 3 * 60 + 50 + 4 * 60 + 10  # 8 h in two pairs
    assert tuesday["break_minutes"] == 30 and tuesday["expected_minutes"] == 7 * 60 + 30
    assert tuesday["overtime_minutes"] == 30 and "late" in tuesday["flags"]
    assert wednesday["worked_minutes"] == 0 and sheet["totals"]["worked_minutes"] == 480
    page = bob_client.get("/o/alpha/timesheets/?view=week&day=2026-01-14").content.decode()
    assert "8 h 00 min" in page and "Late" in page and "Europe/Berlin" in page


def test_WT4_a_dst_night_lasts_an_hour_less(alice_m, bob_m, berlin, accept, at, api, bob_client):
    # 29 March 2026: Berlin's clocks jump from 02:00 to 03:00 during Saturday's night shift.
    services.assign_shift(alice_m, services.save_shift_type(alice_m, {**NIGHT, "weekdays": [5]}),
                          member=bob_m, starts_on=date(2026, 3, 1))
    clock(at, bob_m, ("2026-03-21T21:00", "in"), ("2026-03-22T05:00", "out"))  # 22:00-06:00 CET: 8 h
    clock(at, bob_m, ("2026-03-28T21:00", "in"), ("2026-03-29T04:00", "out"))  # 22:00 CET-06:00 CEST: 7 h
    assert set(AttendanceRecord.objects.filter(member=bob_m).values_list("work_day", flat=True)) == {
        date(2026, 3, 21), date(2026, 3, 28)}
    before, during = week(api, bob_client, "2026-03-21")[0], week(api, bob_client, "2026-03-28")[0]
    assert day_of(before, "2026-03-21")["worked_minutes"] == 480
    assert day_of(before, "2026-03-21")["expected_minutes"] == 450
    saturday = day_of(during, "2026-03-28")
    assert saturday["worked_minutes"] == 420 and saturday["expected_minutes"] == 390
    assert saturday["overtime_minutes"] == 30 and saturday["flags"] == ["no_location"]
    assert day_of(during, "2026-03-29")["worked_minutes"] == 0


def test_WT4_no_location_and_missing_check_out_are_flagged(bob_m, berlin, at, api, bob_client):
    clock(at, bob_m, ("2026-01-14T07:00", "in"))  # held for review (the default), no location
    [sheet] = week(api, bob_client, "2026-01-14")
    flags = day_of(sheet, "2026-01-14")["flags"]
    assert {"no_location", "missing_check_out", "pending_review"} <= set(flags)


def test_WT4_a_review_decision_rebuilds_the_day(alice_m, bob_m, berlin, at, api, bob_client, alice_client):
    came, left = clock(at, bob_m, ("2026-01-14T07:00", "in"), ("2026-01-14T15:00", "out"))
    assert TimesheetDay.objects.get(member=bob_m).worked_minutes == 480
    attendance.decide_review(alice_m, came, "reject")
    row = TimesheetDay.objects.get(member=bob_m)
    assert row.worked_minutes == 0 and "pending_review" in row.flags


def test_WT4_manager_sees_reports_member_sees_own_and_locks(alice_m, bob_m, berlin, accept, at, api,
                                                           alice_client, bob_client):
    clock(at, bob_m, ("2026-01-14T07:00", "in"), ("2026-01-14T15:00", "out"))
    clock(at, alice_m, ("2026-01-14T08:00", "in"), ("2026-01-14T09:00", "out"))
    team = week(api, alice_client, "2026-01-14")
    assert {s["member_id"] for s in team} == {alice_m.pk, bob_m.pk}
    assert [s["member_id"] for s in week(api, bob_client, "2026-01-14")] == [bob_m.pk]
    assert api(bob_client, "get", f"/workforce/orgs/alpha/timesheets?member_id={alice_m.pk}").status_code == 404
    own = api(bob_client, "post", "/workforce/orgs/alpha/timesheets/approvals",
              {"member_id": bob_m.pk, "starts_on": "2026-01-12", "ends_on": "2026-01-18"})
    assert own.status_code == 403
    locked = api(alice_client, "post", "/workforce/orgs/alpha/timesheets/approvals",
                 {"member_id": bob_m.pk, "starts_on": "2026-01-12", "ends_on": "2026-01-18"})
    assert locked.status_code == 201, locked.content
    assert all(d["locked"] for d in week(api, bob_client, "2026-01-14")[0]["days"])
    # A record arriving later on a locked day does not change it; a correction into it is refused.
    AttendanceRecord.objects.filter(member=bob_m, direction="out").update(occurred_at="2026-01-14T16:00Z")
    clock(at, bob_m, ("2026-01-14T17:00", "in"))
    assert TimesheetDay.objects.get(member=bob_m).worked_minutes == 480
    at("2026-01-20T09:00")
    record = AttendanceRecord.objects.filter(member=bob_m).order_by("occurred_at").first()
    refused = api(bob_client, "post", "/workforce/orgs/alpha/corrections", {
        "kind": "wrong_time", "record_id": record.pk, "occurred_at": "2026-01-14T08:30+01:00", "reason": "x"})
    assert refused.status_code == 400 and "occurred_at" in error_fields(refused)
    assert not Correction.objects.exists()
    assert AuditEntry.objects.filter(event="workforce.timesheet_approved").count() == 1


def test_WT5_a_correction_approved_and_the_timesheet_recomputed(alice_m, bob_m, berlin, accept, at, api,
                                                               alice_client, bob_client):
    [came] = clock(at, bob_m, ("2026-01-14T07:00", "in"))  # forgot to check out
    at("2026-01-15T08:00")
    asked = api(bob_client, "post", "/workforce/orgs/alpha/corrections", {
        "kind": "missing_check_out", "record_id": came.pk, "occurred_at": "2026-01-14T17:00+01:00",
        "reason": "Forgot to check out at the end of the day."})
    assert asked.status_code == 201, asked.content
    assert "missing_check_out" in TimesheetDay.objects.get(member=bob_m, day=date(2026, 1, 14)).flags
    pending = api(alice_client, "get", "/workforce/orgs/alpha/corrections?which=waiting").json()
    assert [c["id"] for c in pending["items"]] == [asked.json()["id"]] and pending["next_cursor"] is None
    own_decision = api(bob_client, "post", f"/workforce/orgs/alpha/corrections/{asked.json()['id']}/decision",
                       {"decision": "approve"})
    assert own_decision.status_code == 403
    decided = api(alice_client, "post", f"/workforce/orgs/alpha/corrections/{asked.json()['id']}/decision",
                  {"decision": "approve"})
    assert decided.status_code == 200, decided.content
    assert decided.json()["state"] == "approved"
    day = TimesheetDay.objects.get(member=bob_m, day=date(2026, 1, 14))
    assert day.worked_minutes == 9 * 60 and "missing_check_out" not in day.flags
    assert AttendanceRecord.objects.filter(pk=came.pk).exists()  # the original stays
    assert AttendanceRecord.objects.filter(member=bob_m).count() == 2
    events = set(AuditEntry.objects.filter(event__startswith="workforce.correction").values_list("event", flat=True))
    assert events == {"workforce.correction_requested", "workforce.correction_approved"}
    mail = OutboxEmail.objects.filter(to_address=bob_m.user.email).latest("pk")
    assert "approved" in mail.subject


def test_WT5_a_wrong_time_replaces_the_original_in_the_timesheet(alice_m, bob_m, berlin, accept, at):
    from officium.workforce import corrections

    came, _left = clock(at, bob_m, ("2026-01-14T09:00", "in"), ("2026-01-14T15:00", "out"))
    at("2026-01-14T18:00")
    asked = corrections.request_correction(bob_m, {"kind": "wrong_time", "record_id": came.pk,
                                                   "occurred_at": "2026-01-14T08:00+01:00", "reason": "Door reader"})
    corrections.decide(alice_m, asked, "approve")
    assert TimesheetDay.objects.get(member=bob_m).worked_minutes == 8 * 60
    rejected = corrections.request_correction(bob_m, {"kind": "missing_check_in", "occurred_at": "2026-01-14T16:00+01:00",
                                                      "reason": "Came back"})
    corrections.decide(alice_m, rejected, "reject")
    assert TimesheetDay.objects.get(member=bob_m).worked_minutes == 8 * 60
    assert "rejected" in OutboxEmail.objects.filter(to_address=bob_m.user.email).latest("pk").subject


def test_WT5_bad_corrections_are_refused_nothing_written(bob_m, berlin, accept, at, api, bob_client, alice_m):
    [came] = clock(at, bob_m, ("2026-01-14T07:00", "in"))
    at("2026-01-15T08:00")
    cases = [({"kind": "lunch", "occurred_at": "2026-01-14T17:00+01:00", "reason": "r"}, "kind"),
             ({"kind": "missing_check_out", "record_id": came.pk, "occurred_at": "2026-01-14T17:00",
               "reason": "r"}, "occurred_at"),
             ({"kind": "missing_check_out", "record_id": came.pk, "occurred_at": "2026-01-14T07:00+01:00",
               "reason": "r"}, "occurred_at"),
             ({"kind": "missing_check_out", "record_id": came.pk, "occurred_at": "2026-01-14T17:00+01:00",
               "reason": " "}, "reason"),
             ({"kind": "missing_check_out", "record_id": 999999, "occurred_at": "2026-01-14T17:00+01:00",
               "reason": "r"}, "record_id")]
    for payload, field in cases:
        answer = api(bob_client, "post", "/workforce/orgs/alpha/corrections", payload)
        assert answer.status_code == 400 and field in error_fields(answer), (payload, answer.content)
    assert not Correction.objects.exists()


def test_WT6_leave_counted_in_the_timesheet_and_balance(alice_m, bob_m, berlin, at, api, alice_client, bob_client):
    made = api(alice_client, "post", "/workforce/orgs/alpha/leave-types",
               {"name": "Annual leave", "yearly_days": 5, "carry_over_days": 2})
    assert made.status_code == 201, made.content
    at("2026-01-05T08:00")
    asked = api(bob_client, "post", "/workforce/orgs/alpha/leave-requests", {
        "leave_type_id": made.json()["id"], "starts_on": "2026-01-14", "ends_on": "2026-01-16"})
    assert asked.status_code == 201, asked.content
    assert asked.json()["days"] == 3
    assert "leave request" in OutboxEmail.objects.filter(to_address=alice_m.user.email).latest("pk").subject
    decided = api(alice_client, "post", f"/workforce/orgs/alpha/leave-requests/{asked.json()['id']}/decision",
                  {"decision": "approve"})
    assert decided.status_code == 200 and decided.json()["state"] == "approved"
    [sheet] = week(api, bob_client, "2026-01-14")
    assert day_of(sheet, "2026-01-15")["leave"] == "Annual leave"
    assert day_of(sheet, "2026-01-15")["leave_minutes"] == 480 and sheet["totals"]["leave_minutes"] == 3 * 480
    [balance] = api(bob_client, "get", "/workforce/orgs/alpha/leave/balances?year=2026").json()
    assert (balance["allowance"], balance["taken"], balance["remaining"]) == (5, 3, 2)
    assert "approved" in OutboxEmail.objects.filter(to_address=bob_m.user.email).latest("pk").subject


def test_WT6_unused_days_carry_over_up_to_the_cap(bob_m, berlin):
    from officium.workforce import leave

    kind = LeaveType.objects.create(organization=berlin, name="Annual", yearly_days=5, carry_over_days=2,
                                    created_at=datetime(2025, 1, 1, tzinfo=UTC))
    LeaveRequest.objects.create(organization=berlin, member=bob_m, leave_type=kind, starts_on=date(2025, 6, 2),
                                ends_on=date(2025, 6, 3), days=2, state="approved", ended_at="2025-06-04T00:00Z")
    assert leave.allowance(bob_m, kind, 2025) == 5 and leave.allowance(bob_m, kind, 2026) == 7


def test_WT6_leave_beyond_allowance_or_overlapping_is_refused(alice_m, bob_m, berlin, at, api, bob_client):
    kind = LeaveType.objects.create(organization=berlin, name="Annual", yearly_days=3)
    at("2026-01-05T08:00")
    base = {"leave_type_id": kind.pk}
    assert api(bob_client, "post", "/workforce/orgs/alpha/leave-requests",
               {**base, "starts_on": "2026-01-14", "ends_on": "2026-01-15"}).status_code == 201
    cases = [({**base, "starts_on": "2026-01-15", "ends_on": "2026-01-15"}, "starts_on"),  # overlaps
             ({**base, "starts_on": "2026-02-02", "ends_on": "2026-02-03"}, "ends_on"),    # beyond: 1 left
             ({**base, "starts_on": "2026-02-03", "ends_on": "2026-02-02"}, "ends_on"),
             ({"leave_type_id": 99999, "starts_on": "2026-02-02", "ends_on": "2026-02-02"}, "leave_type_id"),
             ({**base, "starts_on": "soon", "ends_on": "2026-02-02"}, "starts_on")]
    for payload, field in cases:
        answer = api(bob_client, "post", "/workforce/orgs/alpha/leave-requests", payload)
        assert answer.status_code == 400 and field in error_fields(answer), (payload, answer.content)
    assert LeaveRequest.objects.count() == 1


def test_WT6_holidays_imported_from_icalendar_count_in_timesheets(alice_m, bob_m, berlin, accept, at, api,
                                                                 alice_client, bob_client):
    clock(at, bob_m, ("2026-04-06T07:00", "in"), ("2026-04-06T09:00", "out"))
    done = api(alice_client, "post", "/workforce/orgs/alpha/holidays/import", {"file": ICS})
    assert done.status_code == 201 and done.json()["count"] == 2
    [sheet] = week(api, bob_client, "2026-04-06")
    assert day_of(sheet, "2026-04-06")["holiday"] == "Easter Monday"
    assert TimesheetDay.objects.get(member=bob_m, day=date(2026, 4, 6)).holiday == "Easter Monday"
    member_try = api(bob_client, "post", "/workforce/orgs/alpha/holidays/import", {"file": ICS})
    assert member_try.status_code == 403


@pytest.mark.parametrize("content", ["Name,Date\nEaster,2026-04-06\n", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", ""])
def test_WT6_a_file_that_is_not_icalendar_is_refused(alice_m, berlin, api, alice_client, content):
    answer = api(alice_client, "post", "/workforce/orgs/alpha/holidays/import", {"file": content})
    assert answer.status_code == 400 and "file" in error_fields(answer), answer.content
    assert not Holiday.objects.exists()


def test_WT4_month_view_totals_the_month_for_the_manager_and_the_member(alice_m, bob_m, berlin, accept, at,
                                                                        alice_client, bob_client):
    """The month page: every local day of January, bob's two days and their sum; the manager sees
    bob's month next to her own, bob sees his own only; the API's month agrees."""
    clock(at, bob_m, ("2026-01-14T07:00", "in"), ("2026-01-14T15:00", "out"),
          ("2026-01-30T23:30", "in"))  # 00:30 on 31 January, Berlin time: the month's last day
    clock(at, bob_m, ("2026-01-31T04:00", "out"))
    page = alice_client.get("/o/alpha/timesheets/?view=month&day=2026-01-20")
    assert page.status_code == 200
    html = page.content.decode()
    assert "2026-01-01 to 2026-01-31, times in Europe/Berlin" in html
    assert f'data-member="{bob_m.pk}"' in html and f'data-member="{alice_m.pk}"' in html
    assert html.count('<tr data-day="2026-01-') == 2 * 31
    assert "Worked 12 h 30 min" in html  # 08:00-16:00 CET on the 14th, 00:30-05:00 on the 31st
    assert '<td data-label="In">00:30 CET</td><td data-label="Out">05:00 CET</td>' in html
    assert 'id="week"' in html and "day=2026-02-01" in html  # the next month's link
    own = bob_client.get("/o/alpha/timesheets/?view=month&day=2026-01-20").content.decode()
    assert f'data-member="{bob_m.pk}"' in own and f'data-member="{alice_m.pk}"' not in own
    answer = bob_client.get("/api/workforce/orgs/alpha/timesheets?view=month&day=2026-01-20").json()
    days = answer[0]["days"]
    assert (days[0]["day"], days[-1]["day"], len(days)) == ("2026-01-01", "2026-01-31", 31)
    assert sum(d["worked_minutes"] for d in days) == 750


def test_WT4_today_s_open_check_in_reads_still_checked_in_and_a_past_one_missing(bob_m, berlin, accept, at,
                                                                                 bob_client):
    """A member at work since 08:00 is not told their check-out is missing; the next day it is."""
    import re

    clock(at, bob_m, ("2026-01-14T07:00", "in"))

    def notes() -> str:
        html = bob_client.get("/o/alpha/timesheets/?day=2026-01-14").content.decode()
        found = re.search(r'<tr data-day="2026-01-14">.*?<td data-label="Notes">(.*?)</td>', html, re.S)
        assert found is not None
        return found.group(1)

    at("2026-01-14T15:00")
    assert "Still checked in" in notes() and "Missing check-out" not in notes()
    at("2026-01-15T09:00")
    bob_client.force_login(bob_m.user)  # a new day, a new session
    assert "Missing check-out" in notes() and "Still checked in" not in notes()
