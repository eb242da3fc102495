"""WT5/WT6 in Chromium at phone size (390x844): a member asks for leave with the balance in view
and asks a correction from a timesheet day; the manager approves both on the requests page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from officium.attendance.models import AttendanceRecord
from officium.workforce import timesheets
from officium.workforce.models import Correction, LeaveRequest, LeaveType

PHONE = {"width": 390, "height": 844}


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_WT6_WT5_member_asks_on_a_phone_and_the_manager_approves(browser_login, live_server, alice, bob, berlin,
                                                                 tmp_path):
    bob_m = bob.memberships.select_related("organization", "user").get()
    LeaveType.objects.create(organization=berlin, name="Annual leave", yearly_days=20,
                             created_at=datetime(2020, 1, 1, tzinfo=UTC))
    day = (datetime.now(UTC) - timedelta(days=1)).date()
    came = AttendanceRecord.objects.create(
        organization=berlin, member=bob_m, direction="in", verdict="inside", accepted=True, work_day=day,
        occurred_at=datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=7))
    timesheets.recompute(bob_m, [day])
    monday = day + timedelta(days=7 - day.weekday() + 7)  # a Monday at least a week ahead

    _, page = browser_login(bob, viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(f"{live_server.url}/o/alpha/leave/")
    assert "Annual leave" in page.inner_text("#balances")
    page.select_option("#id_leave_type_id", label="Annual leave")
    page.fill("#id_starts_on", f"{monday:%Y-%m-%d}")
    page.fill("#id_ends_on", f"{monday + timedelta(days=1):%Y-%m-%d}")
    page.click("#leave-form button[type=submit]")
    page.wait_for_selector("text=Your request for 2 working days was sent")
    assert "Waiting for the manager" in page.inner_text("#my-leave")
    fits(page)
    page.screenshot(path=str(tmp_path / "leave-phone.png"), full_page=True)

    page.goto(f"{live_server.url}/o/alpha/timesheets/?view=week&day={day:%Y-%m-%d}")
    page.click(f"tr[data-day='{day:%Y-%m-%d}'] a.fix")
    assert page.locator(f"#id_record_id option[value='{came.pk}']").count() == 1
    page.select_option("#id_record_id", value=str(came.pk))
    page.fill("#id_occurred_at", f"{day:%Y-%m-%d}T17:00")
    page.fill("#id_reason", "Forgot to check out")
    page.click("#correction-form button[type=submit]")
    page.wait_for_selector("text=was sent to your manager")
    assert "Forgot to check out" in page.inner_text("#my-corrections")
    fits(page)

    _, boss = browser_login(alice, viewport=PHONE, is_mobile=True, has_touch=True)
    boss.goto(f"{live_server.url}/o/alpha/requests/")
    boss.click("#leave-requests button.approve")
    boss.wait_for_selector("text=The leave request was approved")
    boss.click("#corrections button.approve")
    boss.wait_for_selector("text=The correction was approved")
    fits(boss)
    boss.screenshot(path=str(tmp_path / "requests-phone.png"), full_page=True)
    assert LeaveRequest.objects.get().state == "approved" and Correction.objects.get().state == "approved"
    row = boss.goto(f"{live_server.url}/o/alpha/timesheets/?view=week&day={day:%Y-%m-%d}")
    assert row is not None
    worked = boss.locator(f"section[data-member='{bob_m.pk}'] tr[data-day='{day:%Y-%m-%d}'] .worked").inner_text()
    assert worked == "9 h 00 min"  # 08:00 to 17:00 Berlin time
