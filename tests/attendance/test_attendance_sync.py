"""LO2 and SE3: location events from the device queue, in batches; bad input is refused by field."""

from __future__ import annotations

import math

import pytest
from django.utils import timezone

from officium.attendance import ingest
from officium.attendance.models import LocationEvent, Site

pytestmark = pytest.mark.django_db


def events(n, start=0, **extra):
    now = timezone.now().isoformat()
    kinds = ["app_open", "sync", "task_entry", "form", "bid", "location_request", "attendance"]
    return [{"id": f"ev-{i}", "kind": kinds[i % len(kinds)], "at": now, "lat": 52.52 + i * 1e-6,
             "lon": 13.405, "accuracy": 5, **extra} for i in range(start, start + n)]


def test_LO2_events_are_stored_with_date_time_and_coordinates(bob_device, api):
    response = api(bob_device.client, "post", "/device/events", {"events": events(7)})
    assert response.status_code == 200 and response.json() == {"stored": 7, "duplicates": 0, "rejected": [], "actions": 0}
    kinds = set(LocationEvent.objects.values_list("kind", flat=True))
    assert kinds == {"app_open", "sync", "task_entry", "form", "bid", "location_request", "attendance"}
    assert not LocationEvent.objects.filter(latitude=None).exists()


def test_LO2_event_times_keep_their_instant_whatever_the_offset(bob_device, api):
    sent = {"utc": "2026-03-01T08:00:00+00:00", "zulu": "2026-03-01T08:00:00Z",
            "berlin": "2026-03-01T09:00:00+01:00", "micro": "2026-03-01T08:00:00.250000+00:00"}
    batch = [{"id": key, "kind": "app_open", "at": at} for key, at in sent.items()]
    assert api(bob_device.client, "post", "/device/events", {"events": batch}).json()["stored"] == 4
    stored = dict(LocationEvent.objects.values_list("client_event_id", "occurred_at"))
    assert stored["utc"] == stored["zulu"] == stored["berlin"]
    assert (stored["micro"] - stored["utc"]).total_seconds() == 0.25 and stored["utc"].hour == 8


def test_LO2_thousands_of_events_in_one_request(bob_device, api, django_assert_max_num_queries):
    # A handful of statements per chunk of ingest.CHUNK events (its own short write
    # transaction), then a handful of lookups: none per event.
    with django_assert_max_num_queries(40 + 6 * 5000 // ingest.CHUNK):
        response = api(bob_device.client, "post", "/device/events", {"events": events(5000)})
    assert response.json()["stored"] == 5000
    assert LocationEvent.objects.count() == 5000


def test_LO2_replayed_batch_creates_no_duplicates(bob_device, api):
    batch = {"events": events(50)}
    api(bob_device.client, "post", "/device/events", batch)
    again = api(bob_device.client, "post", "/device/events", batch).json()
    assert again == {"stored": 0, "duplicates": 50, "rejected": [], "actions": 0}
    partly = api(bob_device.client, "post", "/device/events", {"events": events(60)}).json()
    assert partly["stored"] == 10 and partly["duplicates"] == 50
    assert LocationEvent.objects.count() == 60


def test_LO2_batch_with_one_broken_event_stores_the_rest(bob_device, api):
    batch = events(5)
    batch[3]["lat"] = 91
    response = api(bob_device.client, "post", "/device/events", {"events": batch})
    body = response.json()
    assert response.status_code == 200 and body["stored"] == 4
    assert body["rejected"] == [{"index": 3, "field": "lat", "message": "Must be between -90 and 90."}]
    assert not LocationEvent.objects.filter(client_event_id="ev-3").exists()


@pytest.mark.parametrize(("change", "field"), [
    ({"lat": "52.5"}, "lat"), ({"lon": 181}, "lon"), ({"lat": True}, "lat"), ({"accuracy": -1}, "accuracy"),
    ({"kind": "teleport"}, "kind"), ({"at": "yesterday"}, "at"), ({"at": "2030-01-01T00:00:00"}, "at"),
    ({"id": ""}, "id"), ({"lat": None}, "lat"),
])
def test_SE3_each_broken_field_is_named(bob_device, api, change, field):
    batch = events(2)
    batch[1].update(change)
    body = api(bob_device.client, "post", "/device/events", {"events": batch}).json()
    assert body["stored"] == 1 and body["rejected"][0]["index"] == 1 and body["rejected"][0]["field"] == field


def test_SE3_nan_in_a_batch_is_rejected_by_index(bob_device, api):
    now = timezone.now().isoformat()
    raw = ('{"events": [{"id": "a", "kind": "sync", "at": "NOW", "lat": NaN, "lon": 13.4},'
           ' {"id": "b", "kind": "sync", "at": "NOW", "lat": 52.5, "lon": Infinity}, 7]}').replace("NOW", now)
    body = api(bob_device.client, "post", "/device/events", raw).json()
    assert [(r["index"], r["field"]) for r in body["rejected"]] == [(0, "lat"), (1, "lon"), (2, "event")]
    assert LocationEvent.objects.count() == 0


def test_SE3_envelope_errors_write_nothing(bob_device, api):
    envelope = api(bob_device.client, "post", "/device/events", {"events": "many"})
    assert envelope.status_code == 400 and envelope.json()["field"] == "events"
    assert api(bob_device.client, "post", "/device/events", {"events": [{}] * 10_001}).status_code == 400
    assert api(bob_device.client, "post", "/device/events", "{not json").status_code in (400, 422)
    assert LocationEvent.objects.count() == 0


@pytest.mark.parametrize(("payload", "field"), [
    ({"latitude": 91, "longitude": 13.4}, "latitude"),
    ({"latitude": -90.5, "longitude": 13.4}, "latitude"),
    ({"latitude": 52.5, "longitude": 180.01}, "longitude"),
    ({"latitude": "north", "longitude": 13.4}, "latitude"),
    ({"latitude": "52.5", "longitude": 13.4}, "latitude"),
    ({"latitude": 52.5, "longitude": 13.4, "accuracy": -3}, "accuracy"),
    ({"latitude": 52.5}, "longitude"),
])
def test_SE3_bad_check_in_coordinates_are_refused_naming_the_field(bob_client, hq, api, payload, field):
    response = api(bob_client, "post", "/orgs/alpha/check-ins", {"direction": "in", **payload})
    assert response.status_code in (400, 422), response.content
    assert field in response.content.decode()
    assert LocationEvent.objects.count() == 0


def test_SE3_nan_check_in_is_refused(bob_client, hq, api):
    raw = '{"direction": "in", "latitude": NaN, "longitude": 13.4}'
    response = api(bob_client, "post", "/orgs/alpha/check-ins", raw)
    assert response.status_code in (400, 422) and "latitude" in response.content.decode()
    assert LocationEvent.objects.count() == 0


def site(**extra):
    return {"name": "Depot", "shape": "circle", "center_latitude": 52.5, "center_longitude": 13.4,
            "radius_m": 100, **extra}


@pytest.mark.parametrize(("payload", "field"), [
    (site(radius_m=0), "radius_m"),
    (site(radius_m=-5), "radius_m"),
    (site(center_latitude=91), "center_latitude"),
    (site(center_longitude="east"), "center_longitude"),
    (site(shape="polygon", polygon=[[0, 0], [1, 1], [0, 1], [1, 0]]), "polygon"),  # a bow tie
    (site(shape="polygon", polygon=[[0, 0], [1, 1]]), "polygon"),
    (site(shape="polygon", polygon=[[0, 0], [95, 1], [0, 1]]), "polygon"),
    (site(name=""), "name"),
    (site(schedule_start="17:00", schedule_end="09:00"), "schedule_end"),
])
def test_SE3_bad_sites_are_refused_naming_the_field(alice_client, api, payload, field):
    response = api(alice_client, "post", "/orgs/alpha/sites", payload)
    assert response.status_code in (400, 422), response.content
    assert field in response.content.decode()
    assert not Site.objects.exists()


def test_SE3_self_crossing_polygon_refused_on_the_page(alice_client):
    response = alice_client.post("/o/alpha/attendance/sites/new/", {
        "name": "Bow tie", "shape": "polygon", "polygon": "0, 0\n1, 1\n0, 1\n1, 0"})
    assert response.status_code == 400 and b"cross itself" in response.content
    assert not Site.objects.exists()


def test_LO1_sites_created_and_edited_in_the_web_ui(alice_client, api):
    response = alice_client.post("/o/alpha/attendance/sites/new/", {
        "name": "Depot", "shape": "circle", "center_latitude": "52.5", "center_longitude": "13.4",
        "radius_m": "120", "schedule_start": "08:00", "schedule_end": "18:00", "weekdays": ["0", "1"]})
    assert response.status_code == 302
    depot = Site.objects.get()
    assert (depot.radius_m, depot.weekdays) == (120, [0, 1])
    alice_client.post(f"/o/alpha/attendance/sites/{depot.pk}/", {
        "name": "Depot", "shape": "polygon", "polygon": "52.5, 13.4\n52.5, 13.41\n52.51, 13.41"})
    depot.refresh_from_db()
    assert depot.shape == "polygon" and len(depot.polygon) == 3 and depot.radius_m is None
    listing = alice_client.get("/o/alpha/attendance/sites/")
    assert b"Polygon of 3 corners" in listing.content
    assert math.isclose(api(alice_client, "get", f"/orgs/alpha/sites/{depot.pk}").json()["polygon"][2][0], 52.51)


def test_SE3_members_cannot_edit_sites(bob_client, api):
    assert api(bob_client, "post", "/orgs/alpha/sites", site()).status_code == 403


def cut_short_after_two_chunks(device, api, monkeypatch, batch):
    """Send ``batch`` in chunks of 10 with the server dying on the third chunk's insert; the
    insert works again afterwards. Returns the inserts' sizes, the dying one included."""
    monkeypatch.setattr(ingest, "CHUNK", 10)
    real_insert, calls = ingest._insert, []

    def dies_on_the_third_chunk(rows, returning=False):
        calls.append(len(rows))
        if len(calls) == 3:
            raise RuntimeError("the server process died")
        return real_insert(rows, returning=returning)

    monkeypatch.setattr(ingest, "_insert", dies_on_the_third_chunk)
    with pytest.raises(RuntimeError):
        api(device.client, "post", "/device/events", batch)
    monkeypatch.setattr(ingest, "_insert", real_insert)
    return calls


def test_LO2_a_batch_commits_in_chunks_and_a_cut_short_batch_is_completed_by_its_retry(
        bob_device, api, monkeypatch):
    """Load proof (issue 20): a batch is written in short transactions of ingest.CHUNK events, so
    a check-in waits for one chunk, never the whole batch. A batch cut short after two chunks
    (the server dies) keeps those chunks; sent again, the rest is stored, the stored chunks
    count as duplicates, and each queued check-in gets its record exactly once."""
    from officium.attendance.models import AttendanceRecord
    from officium.privacy.audit.models import AuditEntry

    batch = {"events": events(25)}  # ev-6, ev-13 and ev-20 are queued check-ins
    calls = cut_short_after_two_chunks(bob_device, api, monkeypatch, batch)
    assert calls == [10, 10, 5] and LocationEvent.objects.count() == 20
    assert not AttendanceRecord.objects.exists()  # made with the last chunk

    again = api(bob_device.client, "post", "/device/events", batch).json()
    assert again == {"stored": 5, "duplicates": 20, "rejected": [], "actions": 0}
    assert LocationEvent.objects.count() == 25
    assert sorted(AttendanceRecord.objects.values_list("location__client_event_id", flat=True)) == [
        "ev-13", "ev-20", "ev-6"]
    synced = [e.details for e in AuditEntry.objects.filter(event="attendance.events_synced").order_by("pk")]
    assert [d["stored"] for d in synced] == [10, 10, 5] and synced[-1]["check_ins"] == 3
    assert api(bob_device.client, "post", "/device/events", batch).json()["duplicates"] == 25
    assert AttendanceRecord.objects.count() == 3


def test_LO2_a_batch_sent_again_is_found_by_one_read_and_writes_nothing(bob_device, api):
    """Load proof (issue 20): a phone that lost the answer sends the whole batch again; the
    events it already delivered are found by one read before any write, so the retry holds no
    write transaction a check-in would wait behind."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from officium.privacy.audit.models import AuditEntry

    batch = {"events": [e for e in events(120) if e["kind"] != "attendance"]}
    first = api(bob_device.client, "post", "/device/events", batch).json()
    assert first["stored"] == len(batch["events"])
    entries = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as queries:
        again = api(bob_device.client, "post", "/device/events", batch).json()
    assert again == {"stored": 0, "duplicates": len(batch["events"]), "rejected": [], "actions": 0}
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == [] and AuditEntry.objects.count() == entries
    assert LocationEvent.objects.count() == len(batch["events"])


def test_LO1_queued_check_ins_stored_without_their_records_get_them_when_only_they_come_again(
        bob_device, api, monkeypatch):
    """A batch cut short keeps its first chunks' queued check-ins without records (made with
    the last chunk). Sent again with nothing new (the phone trimmed its queue to what it had
    not seen confirmed), the records are still made, once."""
    from officium.attendance.models import AttendanceRecord

    cut_short_after_two_chunks(bob_device, api, monkeypatch, {"events": events(25)})
    assert LocationEvent.objects.count() == 20 and not AttendanceRecord.objects.exists()
    again = api(bob_device.client, "post", "/device/events", {"events": events(20)}).json()
    assert again == {"stored": 0, "duplicates": 20, "rejected": [], "actions": 0}
    assert sorted(AttendanceRecord.objects.values_list("location__client_event_id", flat=True)) == ["ev-13", "ev-6"]
    api(bob_device.client, "post", "/device/events", {"events": events(20)})
    assert AttendanceRecord.objects.count() == 2
