"""WT4/WT5 in Chromium at phone size (390x844): the manager opens the team's week, sees a
report's missing check-out, approves the correction, and the day's hours appear."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from officium.attendance.models import AttendanceRecord
from officium.workforce import corrections, timesheets
from officium.workforce.models import Correction

PHONE = {"width": 390, "height": 844}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_WT5_manager_reviews_the_week_and_approves_a_correction_on_a_phone(browser_login, live_server, alice,
                                                                           bob, berlin):
    bob_m = bob.memberships.select_related("organization", "user").get()
    day = (datetime.now(UTC) - timedelta(days=2)).date()
    came = AttendanceRecord.objects.create(
        organization=berlin, member=bob_m, direction="in", verdict="inside", accepted=True, work_day=day,
        occurred_at=datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=7))
    timesheets.recompute(bob_m, [day])
    corrections.request_correction(bob_m, {
        "kind": "missing_check_out", "record_id": came.pk, "reason": "Forgot to check out",
        "occurred_at": (came.occurred_at + timedelta(hours=8)).isoformat()})
    _, page = browser_login(alice, viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(f"{live_server.url}/o/alpha/timesheets/?view=week&day={day:%Y-%m-%d}")
    row = page.locator(f"section[data-member='{bob_m.pk}'] tr[data-day='{day:%Y-%m-%d}']")
    assert "Missing check-out" in row.inner_text()
    assert "Forgot to check out" in page.inner_text("#corrections")
    approve = page.locator("#corrections button.approve")
    box = approve.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    approve.click()
    page.wait_for_selector("text=The correction was approved")
    row = page.locator(f"section[data-member='{bob_m.pk}'] tr[data-day='{day:%Y-%m-%d}']")
    assert row.locator(".worked").inner_text() == "8 h 00 min"
    assert "Missing check-out" not in row.inner_text()
    assert Correction.objects.get().state == "approved"
    assert AttendanceRecord.objects.filter(member=bob_m).count() == 2 and day <= date.today()  # noqa: DTZ011
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
