"""LO1, LO3, SE1 in Chromium with geolocation overridden: inside succeeds, outside fails and is
stored with its location, privacy mode stores no location though the browser sent one, and a
manager sees locations only with the right."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from officium.attendance import services
from officium.attendance.models import AttendanceRecord, LocationEvent, LocationStatus

INSIDE = {"latitude": 52.5201, "longitude": 13.4051, "accuracy": 10}
OUTSIDE = {"latitude": 52.5300, "longitude": 13.4050, "accuracy": 10}


def check_in(page, url, button="#check-in"):
    page.goto(url)
    with page.expect_request(lambda r: r.method == "POST" and "/check-in/" in r.url) as sent:
        page.click(button)
    page.wait_for_load_state("networkidle")
    return sent.value.post_data or ""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_LO1_LO3_SE1_check_in_in_chromium(browser_login, live_server, alice, bob, hq):
    url = f"{live_server.url}/o/alpha/attendance/check-in/"
    context, page = browser_login(bob, geolocation=INSIDE, permissions=["geolocation"])

    # LO1: inside the fence -> success.
    body = check_in(page, url)
    assert "latitude=52.5201" in body
    assert "Checked in at HQ" in page.content()
    inside = AttendanceRecord.objects.get()
    assert inside.accepted and inside.verdict == "inside"

    # LO1: outside (an hour later: no implausible speed) -> failure, stored with its location.
    # (WT3: bob is in, so the page offers the check-out.)
    LocationEvent.objects.update(occurred_at=timezone.now() - timedelta(hours=1))
    context.set_geolocation(OUTSIDE)
    check_in(page, url, "#check-out")
    assert "outside the geofence" in page.content()
    outside = AttendanceRecord.objects.order_by("-pk").first()
    assert not outside.accepted and outside.verdict == "outside"
    assert (outside.location.latitude, outside.location.longitude) == (52.53, 13.405)

    # LO3: the page was loaded before privacy mode went on (from the phone, say): the browser
    # still sends a fix, and the server drops it.
    context.set_geolocation(INSIDE)
    page.goto(url)
    services.set_privacy_mode(bob.memberships.get(), True, source="device")
    with page.expect_request(lambda r: r.method == "POST" and "/check-in/" in r.url) as sent:
        page.click("#check-out")
    page.wait_for_load_state("networkidle")
    assert "latitude=52.5201" in (sent.value.post_data or "")
    paused = AttendanceRecord.objects.order_by("-pk").first()
    assert paused.location.latitude is None and paused.location.location_status == LocationStatus.PAUSED
    assert "without a location" in page.content()

    # LO6: the header switch turns it off again, from any page.
    page.goto(f"{live_server.url}/o/alpha/attendance/sites/")
    page.click("#privacy-mode-toggle")
    page.wait_for_load_state("networkidle")
    assert "Privacy mode is off" in page.content()
    assert page.url.endswith("/o/alpha/attendance/sites/")

    # SE1: the manager without the right sees in/out and times, no coordinates.
    _, manager = browser_login(alice)
    manager.goto(f"{live_server.url}/o/alpha/attendance/")
    assert manager.locator("#records tbody tr").count() == 3
    assert "52.53000" not in manager.content()

    # ... and with the right, sees them; bob sees that she looked.
    alice_m = alice.memberships.get()
    alice_m.can_see_report_locations = True
    alice_m.save(update_fields=["can_see_report_locations"])
    manager.reload()
    assert "52.53000, 13.40500" in manager.content()
    page.goto(f"{live_server.url}/o/alpha/attendance/location-reads/")
    assert "Alice Anders" in page.locator("#my-reads").inner_text()
