"""LO5: a device is activated with a single-use connection code; the manager's profile decides
what it collects; revoked or expired tokens answer 401."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from officium.attendance import services
from officium.attendance.models import (
    ConnectionCode,
    Device,
    LocationEvent,
    LocationRequest,
    LocationStatus,
)

pytestmark = pytest.mark.django_db


def test_LO5_connection_code_is_single_use_and_stored_hashed(alice_m, bob_m, api):
    code, raw = services.create_connection_code(alice_m, bob_m)
    assert raw.replace("-", "") not in code.code_hash and len(code.code_hash) == 64
    first = api(Client(), "post", "/device/connect", {"code": raw, "name": "Pixel", "platform": "Android"})
    assert first.status_code == 201
    token = first.json()["token"]
    assert Device.objects.get().token_hash == Device.hash(token) and token not in Device.objects.get().token_hash
    again = api(Client(), "post", "/device/connect", {"code": raw, "name": "Another"})
    assert again.status_code == 400 and again.json()["field"] == "code"


def test_LO5_expired_code_is_refused(alice_m, bob_m, api):
    _, raw = services.create_connection_code(alice_m, bob_m)
    ConnectionCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api(Client(), "post", "/device/connect", {"code": raw, "name": "Pixel"}).status_code == 400


def test_LO5_only_the_manager_or_an_admin_creates_codes(bob_client, alice_client, bob_m, alice_m, api):
    assert api(bob_client, "post", f"/orgs/alpha/members/{alice_m.pk}/connection-codes").status_code == 403
    assert api(alice_client, "post", f"/orgs/alpha/members/{bob_m.pk}/connection-codes").status_code == 201


def test_LO5_revoked_token_answers_401(alice_m, bob_device, api, alice_client):
    assert api(bob_device.client, "get", "/device/profile").status_code == 200
    response = api(alice_client, "delete", f"/orgs/alpha/devices/{bob_device.device.pk}")
    assert response.status_code == 204
    assert api(bob_device.client, "get", "/device/profile").status_code == 401
    assert api(bob_device.client, "post", "/device/events", {"events": []}).status_code == 401


def test_LO5_expired_token_answers_401(bob_device, api):
    Device.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api(bob_device.client, "get", "/device/profile").status_code == 401


def test_LO5_unknown_token_answers_401(api):
    client = Client(headers={"authorization": "Bearer ofd_made-up"})
    assert api(client, "post", "/device/check-ins", {"direction": "in"}).status_code == 401


def test_LO5_profile_set_by_the_manager_decides_what_is_collected(alice_client, bob_m, bob_device, hq, api):
    response = api(alice_client, "put", f"/orgs/alpha/members/{bob_m.pk}/device-profile",
                   {"location_kinds": ["attendance"]})
    assert response.status_code == 200
    assert api(bob_device.client, "get", "/device/profile").json()["location_kinds"] == ["attendance"]
    now = timezone.now().isoformat()
    api(bob_device.client, "post", "/device/events", {"events": [
        {"id": "a", "kind": "app_open", "at": now, "lat": 52.52, "lon": 13.405}]})
    api(bob_device.client, "post", "/device/check-ins", {"direction": "in", "latitude": 52.52, "longitude": 13.405})
    statuses = dict(LocationEvent.objects.values_list("kind", "location_status"))
    assert statuses == {"app_open": LocationStatus.NOT_COLLECTED, "attendance": LocationStatus.RECORDED}
    assert not LocationEvent.objects.filter(kind="app_open").exclude(latitude=None).exists()


def test_LO5_member_cannot_set_their_own_profile(bob_client, bob_m, api):
    response = api(bob_client, "put", f"/orgs/alpha/members/{bob_m.pk}/device-profile", {"location_kinds": []})
    assert response.status_code == 403


def test_LO5_unknown_event_kind_in_profile_is_refused(alice_client, bob_m, api):
    response = api(alice_client, "put", f"/orgs/alpha/members/{bob_m.pk}/device-profile",
                   {"location_kinds": ["everything"]})
    assert response.status_code == 400 and response.json()["field"] == "location_kinds"


def test_LO2_location_request_is_answered_unless_privacy_mode(alice_m, alice_client, bob_m, bob_device, api, grant):
    assert api(alice_client, "post", f"/orgs/alpha/members/{bob_m.pk}/location-requests").status_code == 403
    grant(alice_m)
    first = api(alice_client, "post", f"/orgs/alpha/members/{bob_m.pk}/location-requests").json()
    pending = api(bob_device.client, "get", "/device/location-requests").json()
    assert [p["id"] for p in pending] == [first["id"]]
    answer = api(bob_device.client, "post", f"/device/location-requests/{first['id']}/answer",
                 {"latitude": 52.52, "longitude": 13.405, "accuracy": 8})
    assert answer.json()["status"] == "answered"
    services.set_privacy_mode(bob_m, True)
    second = api(alice_client, "post", f"/orgs/alpha/members/{bob_m.pk}/location-requests").json()
    paused = api(bob_device.client, "post", f"/device/location-requests/{second['id']}/answer",
                 {"latitude": 52.52, "longitude": 13.405})
    assert paused.json()["status"] == "paused"
    assert LocationRequest.objects.get(pk=second["id"]).event.latitude is None


def test_LO5_devices_page_creates_a_code_and_lists_devices(alice_client, bob_m, bob_device):
    page = alice_client.post("/o/alpha/attendance/devices/", {"member": bob_m.pk})
    assert page.status_code == 200 and b'id="new-code"' in page.content and b"Bob&#x27;s phone" in page.content
