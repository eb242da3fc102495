"""WT4/WT5 in Chromium at phone size (390x844): the manager opens the team's week, sees a
report's missing check-out, approves the correction, and the day's hours appear."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from officium.accounts import localtime
from officium.attendance.models import AttendanceRecord
from officium.workforce import corrections, timesheets
from officium.workforce.models import Correction

PHONE = {"width": 390, "height": 844}
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_WT5_manager_reviews_the_week_and_approves_a_correction_on_a_phone(browser_login, live_server, alice,
                                                                           bob, berlin):
    """Bob came in at 08:00 Berlin time two local days ago and forgot to check out; he asks for a
    16:00 check-out. Alice, his manager, sees on her phone: his day with the check-in and no
    check-out, flagged; the request with his name, the asked time in Berlin time and his reason.
    She approves: the request leaves her list, the day shows 16:00 out and 8 hours, unflagged,
    and Bob's original check-in is still there (the correction adds a record, it never rewrites)."""
    bob_m = bob.memberships.select_related("organization", "user").get()
    day = localtime.local_day(timezone.now(), BERLIN) - timedelta(days=2)
    came = AttendanceRecord.objects.create(
        organization=berlin, member=bob_m, direction="in", verdict="inside", accepted=True, work_day=day,
        occurred_at=datetime.combine(day, time(8), tzinfo=BERLIN))
    timesheets.recompute(bob_m, [day])
    corrections.request_correction(bob_m, {
        "kind": "missing_check_out", "record_id": came.pk, "reason": "Forgot to check out",
        "occurred_at": datetime.combine(day, time(16), tzinfo=BERLIN).isoformat()})
    zone_name = localtime.zone_label(came.occurred_at, BERLIN)  # CET or CEST, as the page names it

    _, page = browser_login(alice, viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(f"{live_server.url}/o/alpha/timesheets/?view=week&day={day:%Y-%m-%d}")
    assert "times in Europe/Berlin" in page.inner_text("main")
    row = page.locator(f"section[data-member='{bob_m.pk}'] tr[data-day='{day:%Y-%m-%d}']")
    cells = row.locator("td")  # In, Out, Worked, Notes; on a phone each named by its column
    assert cells.nth(0).inner_text() == f"08:00 {zone_name}"
    assert cells.nth(1).inner_text() == ""
    assert "Missing check-out" in cells.nth(3).inner_text()
    waiting = page.inner_text("#corrections")
    assert "Bob" in waiting and "Forgot to check out" in waiting
    assert f"{day:%Y-%m-%d} 16:00 {zone_name}" in waiting
    approve = page.locator("#corrections button.approve")
    box = approve.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    approve.click()
    page.wait_for_selector("text=The correction was approved")
    assert page.locator("#corrections").count() == 0
    row = page.locator(f"section[data-member='{bob_m.pk}'] tr[data-day='{day:%Y-%m-%d}']")
    cells = row.locator("td")
    assert cells.nth(0).inner_text() == f"08:00 {zone_name}"
    assert cells.nth(1).inner_text() == f"16:00 {zone_name}"
    assert row.locator(".worked").inner_text() == "8 h 00 min"
    assert "Missing check-out" not in cells.nth(3).inner_text()
    assert Correction.objects.get().state == "approved"
    assert AttendanceRecord.objects.filter(pk=came.pk, occurred_at=came.occurred_at).exists()
    assert AttendanceRecord.objects.filter(member=bob_m).count() == 2
