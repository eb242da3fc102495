"""FW2, LO2, LO3: task entries, form submissions and bid answers each carry a location event
with date and time, coordinates as the member's profile and privacy mode allow; in privacy
mode nothing located is stored (the server enforces it)."""

from __future__ import annotations

import pytest
from tests.fieldwork.conftest import HQ, answers

from officium.attendance import services as attendance
from officium.attendance.models import LocationEvent
from officium.fieldwork import bids, services

pytestmark = pytest.mark.django_db


def _offer(alice_m, bob_m, task):
    return bids.offer(alice_m, task, [bob_m.pk]).offers.get(member=bob_m)


def test_LO2_task_entry_form_and_bid_answer_each_record_date_time_and_coordinates(alice_m, bob_m, task, form):
    entry = services.add_entry(bob_m, task, status="en_route", note="Leaving", fix=HQ)
    submission = services.submit_form(bob_m, form.pk, 1, answers(), task=task, fix=HQ)
    offer = bids.answer_bid(bob_m, _offer(alice_m, bob_m, task), "accepted", 20, HQ)
    for row, kind in ((entry, "task_entry"), (submission, "form"), (offer, "bid")):
        event = LocationEvent.objects.get(pk=row.location_id)
        assert event.kind == kind and event.location_status == "recorded"
        assert event.fix.latitude == pytest.approx(52.52) and event.occurred_at is not None


def test_FW2_entry_note_and_status_are_reported(bob_m, task):
    entry = services.add_entry(bob_m, task, note="Pump replaced", status="on_site")
    assert entry.note == "Pump replaced" and entry.status == "on_site" and entry.location.location_status == "none"


def test_LO3_privacy_mode_on_a_form_submission_and_a_bid_response_stores_no_location(alice_m, bob_m, task, form):
    attendance.set_privacy_mode(bob_m, True)
    submission = services.submit_form(bob_m, form.pk, 1, answers(where={"lat": 52.5, "lon": 13.4}), fix=HQ)
    offer = bids.answer_bid(bob_m, _offer(alice_m, bob_m, task), "declined", None, HQ)
    entry = services.add_entry(bob_m, task, note="x", fix=HQ)
    for row in (submission, offer, entry):
        event = LocationEvent.objects.get(pk=row.location_id)
        assert event.location_status == "paused" and event.latitude is None and event.longitude is None
    assert submission.answers.get("where") is None  # a location answer is dropped too


def test_LO2_the_device_profile_decides_which_actions_carry_a_location(alice_m, bob_m, task, form):
    attendance.set_device_profile(alice_m, bob_m, ["attendance", "form"])
    entry = services.add_entry(bob_m, task, note="x", fix=HQ)
    submission = services.submit_form(bob_m, form.pk, 1, answers(), fix=HQ)
    assert entry.location.location_status == "not_collected" and entry.location.latitude is None
    assert submission.location.location_status == "recorded"


def test_FW2_entry_page_reports_with_the_browser_fix(task, bob_client):
    response = bob_client.post(f"/o/alpha/tasks/{task.pk}/entries/", {
        "status": "en_route", "note": "Off I go", "latitude": "52.52", "longitude": "13.405", "accuracy": "8"})
    assert response.status_code == 302
    event = LocationEvent.objects.get(kind="task_entry")
    assert event.location_status == "recorded"
    empty = bob_client.post(f"/o/alpha/tasks/{task.pk}/entries/", {"status": "", "note": ""})
    assert empty.status_code == 400 and b"Write a note or choose a status" in empty.content
