"""The device check-in path keeps per-process state (compiled queries, prepared fences): each
check-in must still judge by what the database holds at that moment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from tests.attendance.conftest import next_direction

from officium.accounts.models import Organization, OrganizationStatus
from officium.attendance import services
from officium.attendance.checkins import record_synced
from officium.attendance.coordinates import Fix
from officium.attendance.models import AttendanceRecord, Device, LocationStatus, Site
from officium.privacy.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

CHECK_IN = "/device/check-ins"


def check_in(device, api, point, **extra):
    """A check-in, or a check-out when the member is in (WT3 refuses a second check-in)."""
    latitude, longitude, accuracy = point
    direction = next_direction(device.device.member_id)
    return api(device.client, "post", CHECK_IN, {"direction": direction, "latitude": latitude,
                                                 "longitude": longitude, "accuracy": accuracy, **extra})


def test_revoked_token_is_refused_on_the_very_next_check_in(alice_m, bob_device, hq, points, api, alice_client):
    assert check_in(bob_device, api, points.inside).status_code == 201
    assert api(alice_client, "delete", f"/orgs/alpha/devices/{bob_device.device.pk}").status_code == 204
    assert check_in(bob_device, api, points.inside).status_code == 401
    assert AttendanceRecord.objects.count() == 1


@pytest.mark.parametrize("change", ["expired", "account_deactivated", "organization_deleted"])
def test_a_device_that_lost_its_standing_is_refused_at_once(bob_device, bob, hq, points, api, change):
    assert check_in(bob_device, api, points.inside).status_code == 201
    if change == "expired":
        Device.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    elif change == "account_deactivated":
        type(bob).objects.filter(pk=bob.pk).update(is_active=False)
    else:
        Organization.objects.filter(slug="alpha").update(status=OrganizationStatus.DELETED)
    assert check_in(bob_device, api, points.inside).status_code == 401


def test_an_edited_site_judges_the_next_check_in(alice_m, bob_device, hq, points, api):
    assert check_in(bob_device, api, points.inside).json()["verdict"] == "inside"
    services.save_site(alice_m, {"name": "HQ", "shape": "circle", "center_latitude": 48.8566,
                                 "center_longitude": 2.3522, "radius_m": 150}, hq)
    moved = check_in(bob_device, api, points.inside).json()
    assert moved["verdict"] == "outside" and not moved["accepted"]
    # Even a change made straight in the database (no service, no signal) counts.
    Site.objects.filter(pk=hq.pk).update(center_latitude=52.52, center_longitude=13.405)
    assert check_in(bob_device, api, points.inside).json()["verdict"] == "inside"


def test_an_archived_site_is_no_longer_a_choice_and_a_new_one_is(alice_m, bob_device, hq, yard, points, api):
    assert check_in(bob_device, api, points.inside, site_id=hq.pk).status_code == 201
    services.archive_site(alice_m, hq)
    refused = check_in(bob_device, api, points.inside, site_id=hq.pk)
    assert refused.status_code == 400 and refused.json()["field"] == "site_id"
    assert check_in(bob_device, api, points.inside).json()["site_id"] == yard.pk  # nearest remaining
    annex = Site.objects.create(organization=hq.organization, name="Annex", shape="circle",
                                center_latitude=52.52, center_longitude=13.405, radius_m=100)
    answer = check_in(bob_device, api, points.inside).json()
    assert answer["verdict"] == "inside" and answer["site_id"] == annex.pk


def test_privacy_mode_switched_on_drops_the_next_fix(bob_device, hq, points, api):
    assert check_in(bob_device, api, points.inside).status_code == 201
    assert api(bob_device.client, "put", "/device/privacy-mode", {"enabled": True}).status_code == 200
    answer = check_in(bob_device, api, points.inside).json()
    record = AttendanceRecord.objects.select_related("location").get(pk=answer["id"])
    assert record.location.location_status == LocationStatus.PAUSED
    assert record.location.latitude is None and record.location.longitude is None
    assert answer["verdict"] == "no_location"


def test_profile_and_settings_changes_apply_to_the_next_check_in(alice_m, bob_m, bob_device, hq, points, api):
    assert check_in(bob_device, api, points.inside).json()["accepted"]
    services.set_device_profile(alice_m, bob_m, ["app_open"])
    services.change_settings(alice_m, "refuse", None)
    answer = check_in(bob_device, api, points.inside).json()
    record = AttendanceRecord.objects.select_related("location").get(pk=answer["id"])
    assert record.location.location_status == LocationStatus.NOT_COLLECTED
    assert record.location.latitude is None
    assert answer["verdict"] == "no_location" and not answer["accepted"]


def test_every_attempt_is_stored_sealed_and_audited(bob_m, bob_device, hq, points, api):
    for point in (points.inside, points.outside, points.straddling):
        assert check_in(bob_device, api, point).status_code == 201
    records = list(AttendanceRecord.objects.select_related("location").order_by("pk"))
    assert [r.verdict for r in records] == ["inside", "outside", "undecided"]
    assert all(r.device_id == bob_device.device.pk for r in records)
    assert [r.location.fix for r in records] == [Fix(*p) for p in (points.inside, points.outside, points.straddling)]
    with connection.cursor() as cursor:  # the columns hold ciphertext, not the numbers
        cursor.execute("SELECT latitude FROM attendance_locationevent")
        stored = [bytes(row[0]) for row in cursor.fetchall()]
    assert all(str(points.inside[0]).encode() not in raw and len(raw) > 8 for raw in stored)
    entries = AuditEntry.objects.filter(event__in=["attendance.check_in", "attendance.check_out"],
                                        subject_id=bob_m.user_id)
    assert sorted(int(e.target_id) for e in entries) == [r.pk for r in records]


def test_mock_gps_jump_is_flagged_through_the_device(bob_device, hq, points, api):
    assert not check_in(bob_device, api, points.far_away).json()["suspected_mock"]
    jumped = check_in(bob_device, api, points.inside).json()
    assert jumped["suspected_mock"] and not jumped["accepted"]


def test_the_answer_is_the_documented_record(bob_m, bob_device, hq, points, api):
    answer = check_in(bob_device, api, points.inside)
    assert answer.status_code == 201 and answer["Content-Type"].startswith("application/json")
    body = answer.json()
    record = AttendanceRecord.objects.get()
    assert body == {"id": record.pk, "member_id": bob_m.pk, "direction": "in",
                    "occurred_at": body["occurred_at"], "verdict": "inside", "accepted": True,
                    "site_id": hq.pk, "within_schedule": None, "suspected_mock": False,
                    "review": "", "work_day": record.work_day.isoformat(), "shift_status": "",
                    "latitude": None, "longitude": None, "accuracy": None}
    assert body["occurred_at"].endswith("Z") and body["occurred_at"][:19] == record.occurred_at.strftime("%Y-%m-%dT%H:%M:%S")


@pytest.mark.django_db(transaction=True)
def test_check_ins_outside_a_transaction_take_turns(bob_device, hq, points, api):
    """No outer transaction: each check-in queues on the process's writer lock (SQLite)."""
    for _ in range(3):
        assert check_in(bob_device, api, points.inside).status_code == 201
    assert list(AttendanceRecord.objects.filter(accepted=True).order_by("pk").values_list(
        "direction", flat=True)) == ["in", "out", "in"]


def test_LO1_check_ins_queued_offline_become_records_once(bob_m, bob_device, hq, points, api):
    """Attendance events a device queued offline are check-in attempts like live ones: judged,
    stored as records with their direction, audited; a replayed batch adds nothing."""
    at = timezone.now() - timedelta(hours=1)
    batch = [{"id": "q-in", "kind": "attendance", "at": at.isoformat(), "lat": points.inside[0],
              "lon": points.inside[1], "accuracy": points.inside[2]},
             {"id": "q-out", "kind": "attendance", "direction": "out",
              "at": (at + timedelta(minutes=30)).isoformat(),
              "lat": points.outside[0], "lon": points.outside[1], "accuracy": points.outside[2]},
             {"id": "q-open", "kind": "app_open", "at": at.isoformat()},
             {"id": "q-bad", "kind": "attendance", "direction": "sideways", "at": at.isoformat()}]
    answer = api(bob_device.client, "post", "/device/events", {"events": batch}).json()
    assert answer["stored"] == 3
    assert answer["rejected"] == [{"index": 3, "field": "direction", "message": "Direction must be in or out."}]
    made = list(AttendanceRecord.objects.order_by("occurred_at"))
    assert [(r.direction, r.verdict, r.accepted, r.site_id) for r in made] == [
        ("in", "inside", True, hq.pk), ("out", "outside", False, hq.pk)]
    assert made[0].occurred_at == at and made[0].location.client_event_id == "q-in"
    assert AuditEntry.objects.filter(event__in=["attendance.check_in", "attendance.check_out"],
                                     subject_id=bob_m.user_id, details__contains="queued").count() == 2
    replay = api(bob_device.client, "post", "/device/events", {"events": batch[:3]}).json()
    assert replay["stored"] == 0 and replay["duplicates"] == 3
    device = services.device_for_token(bob_device.token)
    with transaction.atomic():
        assert record_synced(device, {"q-in": "in", "q-out": "out"}) == []
    assert AttendanceRecord.objects.count() == 2


def test_WT4_an_offline_batch_rebuilds_the_timesheet_of_its_day(bob_m, bob_device, hq, points, api):
    """A phone that was offline yesterday sends its queued check-in and check-out today: the
    day they happened on (a local day of the organization's zone) gets its hours, without
    anyone pressing a button."""
    from datetime import datetime, time

    from officium.accounts import localtime
    from officium.workforce.models import TimesheetDay

    zone = localtime.zone_for(bob_m.organization)
    yesterday = localtime.local_day(timezone.now(), zone) - timedelta(days=1)
    came = datetime.combine(yesterday, time(8, 15), tzinfo=zone)
    batch = [{"id": "y-in", "kind": "attendance", "direction": "in", "at": came.isoformat(),
              "lat": points.inside[0], "lon": points.inside[1], "accuracy": points.inside[2]},
             {"id": "y-out", "kind": "attendance", "direction": "out",
              "at": (came + timedelta(hours=7, minutes=30)).isoformat(),
              "lat": points.inside[0], "lon": points.inside[1], "accuracy": points.inside[2]}]
    assert TimesheetDay.objects.filter(member=bob_m).count() == 0
    answer = api(bob_device.client, "post", "/device/events", {"events": batch}).json()
    assert answer["stored"] == 2
    sheet = TimesheetDay.objects.get(member=bob_m, day=yesterday)
    assert (sheet.first_in, sheet.last_out) == (came, came + timedelta(hours=7, minutes=30))
    assert sheet.worked_minutes == 450 and sheet.records == 2 and "missing_check_out" not in sheet.flags


def test_device_routes_are_tried_first_and_every_api_path_resolves_as_before():
    """The phones' endpoints come first among the API's URL patterns, and every API path
    (converters filled with sample values) still finds the pattern it found in ninja's order."""
    import re

    from ninja import NinjaAPI

    from officium.api import api

    ours, theirs = api.urls[0], NinjaAPI._get_urls(api)  # ninja builds new pattern objects each time

    def key(pattern):
        return None if pattern is None else (str(pattern.pattern), pattern.name)
    assert sorted(map(key, ours)) == sorted(map(key, theirs))
    first = [str(p.pattern) for p in ours[:12]]
    assert "attendance/device/check-ins" in first and "attendance/device/events" in first

    def sample(route: str) -> str:
        return re.sub(r"<(?:(\w+):)?\w+>", lambda m: "7" if m.group(1) in ("int", None) else "a", route)

    def found(patterns, path):
        return next((p for p in patterns if p.pattern.match(path)), None)

    for pattern in theirs:
        path = sample(str(pattern.pattern))
        assert key(found(ours, path)) == key(found(theirs, path)), path


@pytest.mark.parametrize("header", ["Basic {token}", "{token}", "Bearer", "bearer{token}", ""])
def test_a_device_token_counts_only_as_a_bearer_token(bob_device, hq, points, header, client, caplog):
    """The phone's header is read straight from the request: another scheme, no scheme or no
    token is refused (401) and nothing is stored; the header's value never reaches the log."""
    token = bob_device.token
    body = {"direction": "in", "latitude": points.inside[0], "longitude": points.inside[1], "accuracy": 10}
    extra = {"HTTP_AUTHORIZATION": header.format(token=token)} if header else {}
    answer = client.post("/api/attendance/device/check-ins", body, content_type="application/json", **extra)
    assert answer.status_code == 401 and answer.json()["code"] == "unauthenticated"
    assert AttendanceRecord.objects.count() == 0
    assert token not in caplog.text
    ok = bob_device.client.post("/api/attendance/device/check-ins", body, content_type="application/json")
    assert ok.status_code == 201  # the same token as a bearer token: accepted
