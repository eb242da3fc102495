"""WT2: shift types assigned to members (with dates) or sites judge each check-in on time, late,
early or outside the shift in local time; an overnight shift counts on the day it started."""

from __future__ import annotations

from datetime import date, time

import pytest
from tests.api_answers import error_fields

from officium.attendance import services as attendance
from officium.privacy.audit.models import AuditEntry
from officium.workforce import services, shifts
from officium.workforce.models import ShiftAssignment, ShiftType

pytestmark = pytest.mark.django_db

DAY = {"name": "Day", "start": "08:00", "end": "16:00", "break_minutes": 30, "grace_minutes": 5,
       "weekdays": [0, 1, 2, 3, 4]}
NIGHT = {"name": "Night", "start": "22:00", "end": "06:00", "overnight": True, "break_minutes": 30,
         "grace_minutes": 5, "weekdays": ["mon", "tue", "wed", "thu", "fri"]}


@pytest.fixture
def accept(alice_m):
    attendance.change_settings(alice_m, "accept", None)


def test_WT2_check_ins_are_judged_in_local_time(alice_m, bob_m, berlin, accept, at, api, alice_client, bob_client):
    made = api(alice_client, "post", "/workforce/orgs/alpha/shift-types", DAY)
    assert made.status_code == 201, made.content
    assert api(alice_client, "post", "/workforce/orgs/alpha/assignments", {
        "shift_type_id": made.json()["id"], "member_id": bob_m.pk, "starts_on": "2026-01-01"}).status_code == 201
    moments = [("2026-01-14T07:04", "in", "on_time"),        # 08:04 CET, within 5 minutes' grace
               ("2026-01-14T14:00", "out", "early"),         # 15:00, an hour early
               ("2026-01-14T14:57", "in", "late"),           # back at 15:57: late for the day
               ("2026-01-14T15:10", "out", "on_time"),       # 16:10
               ("2026-01-14T19:00", "in", "outside_shift"),  # 20:00
               ("2026-01-14T19:30", "out", "outside_shift"),
               ("2026-01-17T09:00", "in", "outside_shift")]  # a Saturday: no shift that day
    for moment, direction, expected in moments:
        at(moment)
        answer = api(bob_client, "post", "/attendance/orgs/alpha/check-ins", {"direction": direction})
        assert answer.status_code == 201, answer.content
        assert answer.json()["shift_status"] == expected, moment
    page = bob_client.get("/o/alpha/attendance/").content.decode()
    assert "Late" in page and "Early" in page and "Outside the shift" in page


def test_WT2_overnight_shift_counts_on_the_day_it_started(alice_m, bob_m, berlin, accept, at):
    night = services.save_shift_type(alice_m, NIGHT)
    services.assign_shift(alice_m, night, member=bob_m, starts_on=date(2026, 1, 1))
    at("2026-01-13T20:55")  # Tuesday 21:55 CET
    came = attendance.check_in(bob_m, "in", None)
    at("2026-01-14T05:02")  # Wednesday 06:02 CET
    left = attendance.check_in(bob_m, "out", None)
    assert (came.work_day, came.shift_status) == (date(2026, 1, 13), "on_time")
    assert (left.work_day, left.shift_status) == (date(2026, 1, 13), "on_time")
    placed = shifts.placement_for(bob_m, left.occurred_at, direction="out")
    assert placed.slot is not None and placed.slot.spec.name == "Night" and placed.work_day == date(2026, 1, 13)


def test_WT2_a_site_shift_judges_members_without_their_own(alice_m, bob_m, hq, accept, at, inside):
    day = services.save_shift_type(alice_m, DAY)
    services.assign_shift(alice_m, day, site=hq, starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 31))
    at("2026-01-14T07:20")  # 08:20 CET
    assert attendance.check_in(bob_m, "in", inside).shift_status == "late"
    at("2026-02-04T07:20")  # after the assignment ended
    attendance.check_in(bob_m, "out", inside)
    assert attendance.check_in(bob_m, "in", inside).shift_status == ""


def test_WT2_a_member_schedule_wins_over_the_site(alice_m, bob_m, hq, accept, at, inside):
    services.assign_shift(alice_m, services.save_shift_type(alice_m, DAY), site=hq, starts_on=date(2026, 1, 1))
    late = services.save_shift_type(alice_m, {**DAY, "name": "Late", "start": "12:00", "end": "20:00"})
    services.assign_shift(alice_m, late, member=bob_m, starts_on=date(2026, 1, 1))
    at("2026-01-14T10:55")  # 11:55 CET
    assert attendance.check_in(bob_m, "in", inside).shift_status == "on_time"


@pytest.mark.parametrize(("payload", "field"), [
    ({**DAY, "end": "07:00"}, "end"),                         # ends before it starts, not overnight
    ({**DAY, "weekdays": [0, 7]}, "weekdays"),                # no such weekday
    ({**DAY, "weekdays": ["Funday"]}, "weekdays"),
    ({**DAY, "weekdays": []}, "weekdays"),
    ({**DAY, "start": "25:00"}, "start"),
    ({**NIGHT, "end": "23:00"}, "overnight"),                 # an overnight shift longer than a day
    ({**DAY, "break_minutes": -5}, "break_minutes"),
    ({**DAY, "name": ""}, "name"),
])
def test_WT2_bad_shift_types_are_refused_naming_the_field(alice_client, berlin, api, payload, field):
    answer = api(alice_client, "post", "/workforce/orgs/alpha/shift-types", payload)
    assert answer.status_code == 400 and field in error_fields(answer), answer.content
    assert not ShiftType.objects.exists()
    assert not AuditEntry.objects.filter(event__startswith="workforce.").exists()


def test_WT2_overlapping_assignments_are_refused_nothing_written(alice_m, alice_client, bob_m, berlin, api):
    day = services.save_shift_type(alice_m, DAY)
    middle = services.save_shift_type(alice_m, {**DAY, "name": "Middle", "start": "12:00", "end": "18:00"})
    night = services.save_shift_type(alice_m, NIGHT)
    first = api(alice_client, "post", "/workforce/orgs/alpha/assignments", {
        "shift_type_id": day.pk, "member_id": bob_m.pk, "starts_on": "2026-01-01", "ends_on": "2026-06-30"})
    assert first.status_code == 201
    clash = api(alice_client, "post", "/workforce/orgs/alpha/assignments", {
        "shift_type_id": middle.pk, "member_id": bob_m.pk, "starts_on": "2026-03-01"})
    assert clash.status_code == 400 and "starts_on" in error_fields(clash)
    backwards = api(alice_client, "post", "/workforce/orgs/alpha/assignments", {
        "shift_type_id": night.pk, "member_id": bob_m.pk, "starts_on": "2026-03-01", "ends_on": "2026-02-01"})
    assert backwards.status_code == 400 and "ends_on" in error_fields(backwards)
    both = api(alice_client, "post", "/workforce/orgs/alpha/assignments", {
        "shift_type_id": night.pk, "starts_on": "2026-03-01"})
    assert both.status_code == 400 and "member" in error_fields(both)
    assert ShiftAssignment.objects.count() == 1
    # A night shift does not overlap a day shift: a double shift is allowed.
    assert api(alice_client, "post", "/workforce/orgs/alpha/assignments", {
        "shift_type_id": night.pk, "member_id": bob_m.pk, "starts_on": "2026-03-01"}).status_code == 201
    # Moving the day shift's hours into the night would now overlap: refused, unchanged.
    moved = api(alice_client, "put", f"/workforce/orgs/alpha/shift-types/{day.pk}", {**DAY, "end": "23:00"})
    assert moved.status_code == 400 and "start" in error_fields(moved)
    assert ShiftType.objects.get(pk=day.pk).end == time(16)


def test_WT2_managers_plan_on_pages_members_may_not(alice_client, bob_client, bob_m, berlin, hq):
    assert bob_client.get("/o/alpha/shifts/").status_code == 403
    assert bob_client.post("/o/alpha/shifts/new/", {**DAY, "weekdays": ["0"]}).status_code == 403
    bad = alice_client.post("/o/alpha/shifts/new/", {**DAY, "end": "07:00", "weekdays": ["0", "1"]})
    assert bad.status_code == 400 and b"must end after it starts" in bad.content and not ShiftType.objects.exists()
    assert alice_client.post("/o/alpha/shifts/new/", {**DAY, "weekdays": ["0", "1"]}).status_code == 302
    day = ShiftType.objects.get()
    assert day.weekdays == [0, 1] and day.break_minutes == 30
    answer = alice_client.post("/o/alpha/shifts/assignments/new/", {
        "shift_type": day.pk, "member": bob_m.pk, "starts_on": "2026-01-05"})
    assert answer.status_code == 302
    page = alice_client.get("/o/alpha/shifts/").content.decode()
    assert "Day" in page and "08:00–16:00" in page and "Bob Berg" in page and "Mon, Tue" in page
    assignment = ShiftAssignment.objects.get()
    assert alice_client.post(f"/o/alpha/shifts/assignments/{assignment.pk}/delete/").status_code == 302
    assert not ShiftAssignment.objects.exists()
    events = list(AuditEntry.objects.filter(event__startswith="workforce.").values_list("event", flat=True))
    assert events == ["workforce.shift_type_created", "workforce.shift_assigned", "workforce.shift_unassigned"]


def test_WT2_members_read_their_own_schedule_only(alice_m, bob_m, berlin, api, bob_client, alice_org):
    from tests.workforce.conftest import make_user

    from officium.accounts.models import Membership
    other = Membership.objects.create(organization=alice_org, user=make_user("eve@alpha.example", "Eve"),
                                      role="member")
    day = services.save_shift_type(alice_m, DAY)
    services.assign_shift(alice_m, day, member=bob_m, starts_on=date(2026, 1, 1))
    services.assign_shift(alice_m, day, member=other, starts_on=date(2026, 1, 1))
    mine = api(bob_client, "get", "/workforce/orgs/alpha/assignments").json()
    assert [a["member_id"] for a in mine] == [bob_m.pk]
