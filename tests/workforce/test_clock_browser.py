"""WT3 in Chromium at phone size (390x844): a member checks in, sees that they are in, since when
(local time, zone named) and today's hours, then checks out."""

from __future__ import annotations

import pytest

from officium.attendance.models import AttendanceRecord

INSIDE = {"latitude": 52.5201, "longitude": 13.4051, "accuracy": 10}
PHONE = {"width": 390, "height": 844}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_WT3_member_checks_in_on_a_phone_and_sees_state_and_hours(browser_login, live_server, bob, hq):
    url = f"{live_server.url}/o/alpha/attendance/check-in/"
    _, page = browser_login(bob, geolocation=INSIDE, permissions=["geolocation"], viewport=PHONE,
                            is_mobile=True, has_touch=True)
    page.goto(url)
    assert "You are checked out." in page.inner_text("#clock-state")
    page.click("#check-in")
    page.wait_for_selector("#check-out")
    record = AttendanceRecord.objects.get()
    assert record.accepted and record.direction == "in"
    state = page.inner_text("#clock-state")
    assert "You are checked in" in state
    assert ("CET" in state or "CEST" in state) and "Worked today" in state
    assert page.inner_text("#worked-today") == "0 h 00 min"
    button = page.locator("#check-out")
    assert button.is_visible() and page.locator("#check-in").count() == 0
    box = button.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # fits the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    button.click()
    page.wait_for_selector("#check-in")
    assert "Checked out at HQ" in page.content()
    assert "You are checked out." in page.inner_text("#clock-state")
    assert list(AttendanceRecord.objects.order_by("pk").values_list("direction", flat=True)) == ["in", "out"]
