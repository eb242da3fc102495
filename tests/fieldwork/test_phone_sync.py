"""FW8: the phone's queued actions replay through attendance's batch endpoint exactly once
by client id; the server applies privacy mode and the profile again; broken actions are
refused by index naming the field, nothing written for them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from tests.fieldwork.conftest import answers

from officium.attendance import services as attendance
from officium.attendance.models import AttendanceRecord, LocationEvent
from officium.fieldwork import bids
from officium.fieldwork.models import BidOffer, Submission, TaskEntry
from officium.privacy.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
BATCH = "/api/attendance/device/events"


def post(token, events):
    client = Client()
    return client.post(BATCH, data=json.dumps({"events": events}), content_type="application/json",
                       headers={"authorization": f"Bearer {token}"})


def queue(task, form, offer, at=None):
    at = (at or datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    here = {"lat": 52.52, "lon": 13.405, "accuracy": 9}
    return [
        {"id": "c-1", "kind": "attendance", "at": at, "direction": "in", **here},
        {"id": "c-2", "kind": "task_entry", "at": at, **here, "data": {"task_id": task.pk, "status": "en_route",
                                                                     "note": "On my way"}},
        {"id": "c-3", "kind": "form", "at": at, **here, "data": {"form_id": form.pk, "version": 1,
                                                               "answers": answers(), "task_id": task.pk}},
        {"id": "c-4", "kind": "bid", "at": at, **here, "data": {"offer_id": offer.pk, "answer": "accepted",
                                                              "eta_minutes": 25}},
    ]


@pytest.fixture
def offer(alice_m, bob_m, task):
    return bids.offer(alice_m, task, [bob_m.pk]).offers.get(member=bob_m)


def test_FW8_queued_actions_replay_exactly_once_with_their_location(device, task, form, offer):
    _, token = device
    events = queue(task, form, offer)
    first = post(token, events)
    assert first.status_code == 200, first.content
    assert first.json()["stored"] == 4 and first.json()["actions"] == 3 and first.json()["rejected"] == []
    again = post(token, events)  # the connection dropped before the phone saw the answer
    assert again.json()["stored"] == 0 and again.json()["duplicates"] == 4 and again.json()["actions"] == 0
    assert TaskEntry.objects.count() == 1 and Submission.objects.count() == 1
    assert AttendanceRecord.objects.count() == 1
    entry, submission = TaskEntry.objects.get(), Submission.objects.get()
    assert entry.client_id == "c-2" and entry.location.location_status == "recorded"
    assert entry.location.fix.latitude == pytest.approx(52.52)
    assert submission.location.kind == "form" and submission.task_id == task.pk
    offer.refresh_from_db()
    assert offer.answer == "accepted" and offer.eta_minutes == 25 and offer.location.kind == "bid"
    task.refresh_from_db()
    assert task.status == "en_route"


def test_FW8_each_chunk_is_audited_once_with_what_it_stored_by_kind(device, task, form, offer, monkeypatch):
    """One audit entry per chunk: its location events and, by kind, the actions stored with
    them (a status step is also audited as the task's step); a replay stores and audits nothing."""
    from officium.attendance import ingest

    _, token = device
    events = queue(task, form, offer)
    monkeypatch.setattr(ingest, "CHUNK", 2)  # c-1 and c-2 first, then c-3 and c-4
    assert post(token, events).json()["actions"] == 3
    synced = [e.details for e in AuditEntry.objects.filter(event="attendance.events_synced").order_by("seq")]
    assert synced == [
        {"stored": 2, "duplicates": 0, "rejected": 0, "check_ins": 0, "actions": {"task_entry": 1}},
        {"stored": 2, "duplicates": 0, "rejected": 0, "check_ins": 1, "actions": {"form": 1, "bid": 1}},
    ]
    assert post(token, events).json()["duplicates"] == 4
    assert AuditEntry.objects.filter(event="attendance.events_synced").count() == 2


def test_FW8_a_batch_cut_short_between_chunks_keeps_each_action_with_its_event(
        device, task, form, offer, monkeypatch):
    """A batch is written in chunks (issue 20); the server dies after the first chunk. The
    retry counts that chunk's events as delivered and never judges them again, so their task
    entries, submissions and bid answers must have committed with them: after the retry every
    action is stored exactly once."""
    from officium.attendance import ingest

    _, token = device
    events = queue(task, form, offer)
    monkeypatch.setattr(ingest, "CHUNK", 2)  # c-1 and c-2 first, then c-3 and c-4
    real_insert, calls = ingest._insert, []

    def dies_on_the_second_chunk(rows, returning=False):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("the server process died")
        return real_insert(rows, returning=returning)

    monkeypatch.setattr(ingest, "_insert", dies_on_the_second_chunk)
    with pytest.raises(RuntimeError):
        post(token, events)
    assert LocationEvent.objects.count() == 2 and TaskEntry.objects.count() == 1  # c-2 with its event
    monkeypatch.setattr(ingest, "_insert", real_insert)
    again = post(token, events).json()
    assert again["stored"] == 2 and again["duplicates"] == 2 and again["actions"] == 2
    assert TaskEntry.objects.count() == 1 and Submission.objects.count() == 1
    offer.refresh_from_db()
    assert offer.answer == "accepted" and AttendanceRecord.objects.count() == 1


def test_FW8_a_replay_racing_its_first_send_stores_nothing_twice(device, task, form, offer, bob_m, monkeypatch):
    """Two sends of one queue at once: the second checks for replays before the first
    commits, so its events are judged again (the task step and the bid answer now fail), and
    its insert then finds the others stored. Their rows are looked up by the unique key
    (with the stored location statuses, here privacy mode's) and nothing is written twice."""
    from officium.attendance import ingest

    _, token = device
    attendance.set_privacy_mode(bob_m, True)
    events = queue(task, form, offer, at=datetime.now(UTC))
    events[2]["data"]["answers"]["where"] = {"lat": 52.5, "lon": 13.4}
    assert post(token, events).json()["actions"] == 3
    monkeypatch.setattr(ingest, "_replayed", lambda device, events: frozenset())  # the race
    again = post(token, events).json()
    assert again["stored"] == 0 and again["actions"] == 0  # the step and the bid answer are refused now
    assert [r["index"] for r in again["rejected"]] == [1, 3] and again["duplicates"] == 2
    assert TaskEntry.objects.count() == 1 and Submission.objects.count() == 1
    assert Submission.objects.get().answers.get("where") is None
    assert LocationEvent.objects.filter(location_status="paused").count() == 4


def test_FW8_privacy_mode_is_applied_again_on_the_server(device, task, form, offer, bob_m):
    _, token = device
    attendance.set_privacy_mode(bob_m, True)
    events = queue(task, form, offer, at=datetime.now(UTC))
    events[2]["data"]["answers"]["where"] = {"lat": 52.5, "lon": 13.4}
    assert post(token, events).json()["stored"] == 4
    assert LocationEvent.objects.filter(location_status="recorded").count() == 0
    assert LocationEvent.objects.exclude(latitude=None).count() == 0
    assert Submission.objects.get().answers.get("where") is None


def test_FW8_broken_actions_are_refused_by_index_naming_the_field(device, task, form, offer, alice_m):
    _, token = device
    from officium.fieldwork import services
    services.save_form(alice_m, "Service report", {"fields": [{"id": "x", "type": "text", "label": "X"}]}, form)
    events = queue(task, form, offer)
    events[1]["data"]["status"] = "assigned"
    events[3]["data"]["eta_minutes"] = None
    answer = post(token, events).json()
    assert {(r["index"], r["field"]) for r in answer["rejected"]} == {
        (1, "data.status"), (2, "data.version"), (3, "data.eta_minutes")}
    assert answer["stored"] == 1  # the check-in only
    assert not TaskEntry.objects.exists() and not Submission.objects.exists()
    assert not BidOffer.objects.filter(answered=True).exists()
    assert LocationEvent.objects.count() == 1


def test_FW5_a_bid_answered_twice_is_refused(device, offer, bob_m):
    _, token = device
    bids.answer_bid(bob_m, offer, "declined")
    answer = post(token, [{"id": "b-2", "kind": "bid", "at": datetime.now(UTC).isoformat(),
                           "data": {"offer_id": offer.pk, "answer": "accepted", "eta_minutes": 5}}]).json()
    assert answer["rejected"][0]["field"] == "data.answer" and answer["stored"] == 0
    offer.refresh_from_db()
    assert offer.answer == "declined"


def test_FW8_phone_day_lists_tasks_forms_offers_and_profile(device, task, form, offer):
    _, token = device
    day = Client().get("/api/fieldwork/device/day", headers={"authorization": f"Bearer {token}"}).json()
    assert [t["id"] for t in day["tasks"]] == [task.pk] and day["forms"][0]["version"] == 1
    assert day["offers"][0]["id"] == offer.pk and "task_entry" in day["location_kinds"]
    assert day["privacy_mode"] is False and day["photo_permission"] is False and day["time_zone"] == "Europe/Berlin"


def test_FW8_app_shell_manifest_and_service_worker_are_served(client):
    shell = client.get("/app/").content
    assert b'rel="manifest"' in shell
    assert b'<a href="/">Back to the website</a>' in shell  # the pairing screen is no dead end
    manifest = client.get("/app/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    assert manifest.json()["start_url"] == "/app/" and len(manifest.json()["icons"]) == 2
    worker = client.get("/app/sw.js")
    assert worker["Content-Type"].startswith("text/javascript") and b"caches.open" in worker.content
