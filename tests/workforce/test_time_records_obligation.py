"""WT10: working-time records under a legal obligation. The officeportal policy keeps them two
years (German Working Time Act, section 16(2)); erasure keeps exactly those records, without
location, names the obligation in its answer, and the retention engine deletes them after."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from officium.attendance import services as attendance
from officium.attendance.models import AttendanceRecord, LocationEvent
from officium.privacy.policy.loader import active_policy
from officium.privacy.retention import engine
from officium.privacy.rights.erasure import erase_subject
from officium.privacy.rights.records import Subject
from officium.workforce.models import LeaveRequest, LeaveType, TimesheetDay

pytestmark = pytest.mark.django_db


def test_WT10_the_officeportal_policy_keeps_working_time_two_years():
    obligation = next(o for o in active_policy().record_obligations if o.id == "working_time")
    assert obligation.keep_days == 730 and set(obligation.data_types) == {"attendance", "timesheet"}
    assert "Working Time Act" in obligation.law


def test_WT10_erasure_keeps_time_records_without_location_and_says_why(alice_m, bob_m, bob, hq, inside, at):
    attendance.change_settings(alice_m, "accept", None)
    at("2026-01-14T07:00")
    attendance.check_in(bob_m, "in", inside)
    at("2026-01-14T15:00")
    attendance.check_in(bob_m, "out", inside)
    kind = LeaveType.objects.create(organization=bob_m.organization, name="Annual", yearly_days=5)
    LeaveRequest.objects.create(organization=bob_m.organization, member=bob_m, leave_type=kind, days=1,
                                starts_on="2026-02-02", ends_on="2026-02-02", ended_at="2026-02-03T00:00Z")
    assert LocationEvent.objects.filter(member=bob_m).count() == 2
    answer = erase_subject(Subject(user_id=bob.pk), reason="erasure_request")
    kept = AttendanceRecord.objects.filter(member_id=bob_m.pk)
    assert kept.count() == 2 and all(r.location_id is None for r in kept)  # times stay, location goes
    assert not LocationEvent.objects.filter(member_id=bob_m.pk).exists()
    assert TimesheetDay.objects.filter(member_id=bob_m.pk, worked_minutes=480).count() == 1
    assert not LeaveRequest.objects.exists()  # not a working-time record: erased
    reasons = " ".join(k.reason for k in answer.kept)
    assert "Working Time Act" in reasons
    # Two years on, the retention engine deletes what the obligation kept.
    engine.sweep(now=timezone.now() + timedelta(days=365))
    assert AttendanceRecord.objects.filter(member_id=bob_m.pk).count() == 2
    engine.sweep(now=timezone.now() + timedelta(days=733))
    assert not AttendanceRecord.objects.filter(member_id=bob_m.pk).exists()
    assert not TimesheetDay.objects.filter(member_id=bob_m.pk).exists()
