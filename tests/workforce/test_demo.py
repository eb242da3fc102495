"""UX1 (this part): the demo organization works in Berlin time with a Lisbon site, a day and a
night shift and their assignments; seeding twice adds nothing."""

from __future__ import annotations

import pytest

from officium.accounts.demo import seed_demo
from officium.accounts.models import Organization
from officium.attendance.models import Site
from officium.workforce.demo import seed_working_time
from officium.workforce.models import ShiftAssignment, ShiftType


@pytest.mark.django_db
def test_WT1_WT2_demo_seeding_is_idempotent():
    for _ in range(2):
        seed_demo()
        seed_working_time()
    acme = Organization.objects.get(slug="acme")
    assert acme.time_zone == "Europe/Berlin"
    assert dict(Site.objects.filter(organization=acme).values_list("name", "time_zone")) == {
        "Berlin HQ": "", "Lisbon depot": "Europe/Lisbon"}
    assert set(ShiftType.objects.filter(organization=acme).values_list("name", "overnight")) == {
        ("Early", False), ("Night", True)}
    assert ShiftAssignment.objects.filter(organization=acme).count() == 3


@pytest.mark.django_db
def test_WT4_WT6_demo_has_a_month_of_attendance_leave_and_a_correction():
    from officium.attendance.models import AttendanceRecord
    from officium.workforce.models import Correction, LeaveRequest, TimesheetDay

    for _ in range(2):
        seed_demo()
        seed_working_time()
    acme = Organization.objects.get(slug="acme")
    records = AttendanceRecord.objects.filter(organization=acme)
    assert set(records.values_list("site__name", flat=True)) == {"Berlin HQ", "Lisbon depot"}
    assert records.values("member").distinct().count() == 3 and records.count() > 80
    assert set(LeaveRequest.objects.filter(organization=acme).values_list("state", flat=True)) == {
        "approved", "pending"}
    assert Correction.objects.filter(organization=acme, state="pending").count() == 1
    night = TimesheetDay.objects.filter(organization=acme, member__user__email="member2@acme.example")
    assert night.exists() and all(d.worked_minutes >= 8 * 60 for d in night)  # nights count on their first day
