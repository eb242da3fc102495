"""LO3 and LO6: privacy mode drops locations on the server; switching is recorded; the product
keeps working without location."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from officium.attendance import services
from officium.attendance.coordinates import Fix
from officium.attendance.models import LocationEvent, LocationStatus, PrivacyModeChange
from officium.privacy.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_LO3_privacy_mode_drops_location(bob_m, hq, points):
    services.set_privacy_mode(bob_m, True)
    record = services.check_in(bob_m, "in", Fix(*points.inside))
    event = LocationEvent.objects.get(pk=record.location_id)
    assert (event.latitude, event.longitude, event.accuracy_m) == (None, None, None)
    assert event.location_status == LocationStatus.PAUSED
    assert record.verdict == "no_location" and not record.accepted and record.review == "pending"  # WT9 default


def test_LO3_privacy_mode_drops_location_from_the_api_and_device_batch(bob_m, bob_client, bob_device, hq, points, api):
    lat, lon, acc = points.inside
    assert api(bob_client, "put", "/orgs/alpha/privacy-mode", {"enabled": True}).json() == {"enabled": True}
    api(bob_client, "post", "/orgs/alpha/check-ins", {"direction": "in", "latitude": lat, "longitude": lon})
    at = timezone.now().isoformat()
    response = api(bob_device.client, "post", "/device/events",
                   {"events": [{"id": "e1", "kind": "app_open", "at": at, "lat": lat, "lon": lon, "accuracy": acc}]})
    assert response.json()["stored"] == 1
    assert not LocationEvent.objects.exclude(latitude=None).exists()
    assert set(LocationEvent.objects.values_list("location_status", flat=True)) == {LocationStatus.PAUSED}


def test_LO3_queued_events_from_a_paused_period_are_dropped_too(bob_m, bob_device, api):
    change = services.set_privacy_mode(bob_m, True)
    PrivacyModeChange.objects.filter(pk=change.pk).update(changed_at=timezone.now() - timedelta(hours=2))
    services.set_privacy_mode(bob_m, False)
    PrivacyModeChange.objects.filter(enabled=False).update(changed_at=timezone.now() - timedelta(hours=1))
    during = (timezone.now() - timedelta(minutes=90)).isoformat()
    after = (timezone.now() - timedelta(minutes=30)).isoformat()
    api(bob_device.client, "post", "/device/events", {"events": [
        {"id": "during", "kind": "sync", "at": during, "lat": 52.52, "lon": 13.405},
        {"id": "after", "kind": "sync", "at": after, "lat": 52.52, "lon": 13.405}]})
    statuses = dict(LocationEvent.objects.values_list("client_event_id", "location_status"))
    assert statuses == {"during": LocationStatus.PAUSED, "after": LocationStatus.RECORDED}


def test_LO3_portal_shows_no_location_for_the_paused_period(alice_m, alice_client, bob_m, hq, points, grant):
    grant(alice_m)
    services.set_privacy_mode(bob_m, True)
    services.check_in(bob_m, "in", Fix(*points.inside))
    page = alice_client.get("/o/alpha/attendance/")
    assert b"Check-in" in page.content and b"52.5201" not in page.content


def test_LO6_switching_is_recorded_and_audited(bob, bob_m, bob_client):
    response = bob_client.post("/o/alpha/attendance/privacy-mode/", {"enabled": "1", "next": "/o/alpha/"})
    assert response.status_code == 302 and response["Location"] == "/o/alpha/"
    bob_client.post("/o/alpha/attendance/privacy-mode/", {"enabled": "0"})
    assert list(PrivacyModeChange.objects.values_list("enabled", flat=True)) == [True, False]
    events = list(AuditEntry.objects.filter(subject_id=bob.pk, event__startswith="attendance.privacy_mode")
                  .values_list("event", flat=True))
    assert events == ["attendance.privacy_mode_on", "attendance.privacy_mode_off"]
    assert services.set_privacy_mode(bob_m, False) is None  # no change, no row


def test_LO6_toggle_is_on_every_page(bob_client):
    for url in ("/o/alpha/", "/o/alpha/members/", "/o/alpha/attendance/sites/"):
        assert b'id="privacy-mode-toggle"' in bob_client.get(url).content, url


def test_LO6_product_keeps_working_without_location(bob_m, bob_client, hq):
    services.set_privacy_mode(bob_m, True)
    page = bob_client.get("/o/alpha/attendance/check-in/")
    assert b'data-privacy="on"' in page.content
    response = bob_client.post("/o/alpha/attendance/check-in/", {"direction": "in"}, follow=True)
    assert b"Checked in" in response.content and b"without a location" in response.content
    out = bob_client.post("/o/alpha/attendance/check-in/", {"direction": "out"}, follow=True)
    assert b"Checked out" in out.content
