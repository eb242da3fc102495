"""WT3: the member sees whether they are in or out, since when and today's worked time; a second
check-in while in is refused (or becomes a check-out, per organization); client contacts never
clock in and see no attendance pages or tiles."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from tests.api_answers import error_messages
from tests.conftest import client_for

from officium.attendance import services
from officium.attendance.models import AttendanceRecord, AttendanceSettings

pytestmark = pytest.mark.django_db


def test_WT3_page_and_api_know_in_or_out_since_when_and_hours(bob_client, hq, at, api, inside):
    at("2026-01-14T07:30")
    out = bob_client.get("/o/alpha/attendance/check-in/").content.decode()
    assert "You are checked out." in out and 'id="check-in"' in out and 'id="check-out"' not in out
    services.check_in(_bob(bob_client), "in", inside)
    at("2026-01-14T09:45")
    page = bob_client.get("/o/alpha/attendance/check-in/").content.decode()
    assert "You are checked in" in page and "since 08:30 CET" in page
    assert "2 h 15 min" in page and 'id="check-out"' in page and 'id="check-in"' not in page
    state = api(bob_client, "get", "/attendance/orgs/alpha/clock").json()
    assert state == {"checked_in": True, "since": "2026-01-14T07:30:00Z", "since_local": "08:30 CET",
                     "worked_today_minutes": 135, "worked_today": "2 h 15 min", "day": "2026-01-14",
                     "time_zone": "Europe/Berlin", "pending_review": False}


def _bob(client):
    from officium.accounts.models import Membership
    return Membership.objects.select_related("organization").get(user__email="bob@alpha.example")


def test_WT3_a_second_check_in_while_in_is_refused_with_a_clear_message(bob_client, bob_m, hq, at, api, inside):
    at("2026-01-14T07:30")
    first = api(bob_client, "post", "/attendance/orgs/alpha/check-ins", {
        "direction": "in", "latitude": inside.latitude, "longitude": inside.longitude, "accuracy": 10})
    assert first.status_code == 201
    at("2026-01-14T07:31")
    again = api(bob_client, "post", "/attendance/orgs/alpha/check-ins", {
        "direction": "in", "latitude": inside.latitude, "longitude": inside.longitude, "accuracy": 10})
    assert again.status_code == 400
    assert error_messages(again, "direction") == ["You are already checked in (since 08:30 CET). Check out first."]
    page = bob_client.post("/o/alpha/attendance/check-in/", {"direction": "in"}, follow=True)
    assert "already checked in (since 08:30 CET)" in page.content.decode()
    assert AttendanceRecord.objects.count() == 1
    # ... and a check-out while out is refused the same way.
    services.check_in(bob_m, "out", inside)
    nothing = api(bob_client, "post", "/attendance/orgs/alpha/check-ins", {"direction": "out"})
    assert nothing.status_code == 400 and "not checked in" in error_messages(nothing, "direction")[0]
    assert AttendanceRecord.objects.count() == 2


def test_WT3_a_second_check_in_becomes_a_check_out_where_the_organization_says_so(
        alice_m, alice_client, bob_m, hq, at, api, inside):
    assert api(alice_client, "put", "/attendance/orgs/alpha/settings", {
        "without_location": "review", "repeat_check_in": "check_out"}).status_code == 200
    assert AttendanceSettings.of(hq.organization).repeat_check_in == "check_out"
    at("2026-01-14T07:30")
    services.check_in(bob_m, "in", inside)
    at("2026-01-14T16:00")
    second = services.check_in(bob_m, "in", inside)
    assert second.direction == "out" and second.accepted
    bad = api(alice_client, "put", "/attendance/orgs/alpha/settings", {"repeat_check_in": "sometimes"})
    assert bad.status_code in (400, 422) and AttendanceSettings.of(hq.organization).repeat_check_in == "check_out"


def test_WT3_client_contacts_cannot_clock_in_nor_see_attendance(clara_m, hq, api, inside):
    with pytest.raises(PermissionDenied):
        services.check_in(clara_m, "in", inside)
    clara = client_for(clara_m.user)
    refused = api(clara, "post", "/attendance/orgs/alpha/check-ins", {"direction": "in"})
    assert refused.status_code == 403 and refused["Content-Type"].startswith("application/json")
    assert api(clara, "get", "/attendance/orgs/alpha/clock").status_code == 403
    for path in ("check-in/", "", "sites/", "review/"):
        assert clara.get(f"/o/alpha/attendance/{path}").status_code == 403, path
    dashboard = clara.get("/o/alpha/").content.decode()
    assert "Check in" not in dashboard and "/attendance/" not in dashboard
    assert 'id="privacy-mode-toggle"' not in dashboard
    assert not AttendanceRecord.objects.exists()


def test_WT3_working_members_see_the_tiles(bob_client, hq):
    dashboard = bob_client.get("/o/alpha/").content.decode()
    assert "Check in" in dashboard
