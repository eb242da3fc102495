"""FW7: when the assignee sets off, the customer gets an arrival estimate by email from the
last fixes and the destination, an update when it moves by more than the margin, never
coordinates, and an opt-out link that works."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from tests.fieldwork.conftest import HQ

from officium.attendance import services as attendance
from officium.attendance.coordinates import Fix
from officium.fieldwork import eta, services
from officium.fieldwork.models import Customer, Task
from officium.mail.models import OutboxEmail
from officium.privacy import registry

pytestmark = pytest.mark.django_db


def eta_mails():
    return list(OutboxEmail.objects.filter(category="fieldwork_eta").order_by("pk"))


def test_FW7_customer_is_told_an_estimate_when_the_assignee_sets_off(bob_m, task):
    services.add_entry(bob_m, task, status="en_route", fix=HQ)  # 3 km south of the destination
    [mail] = eta_mails()
    assert mail.to_address == "carol@customer.example" and mail.subject.startswith("We are on our way")
    task.refresh_from_db()
    assert task.eta_minutes == 7  # 3 km at town speed (30 km/h), rounded up
    assert "about 7 minutes" in mail.body and ("CET" in mail.body or "CEST" in mail.body)
    assert "52.5" not in mail.body and "13.40" not in mail.body  # never coordinates
    assert f"/eta/{Customer.objects.get().opt_out_token}/" in mail.body


def test_FW7_update_only_when_the_estimate_moves_by_more_than_the_margin(bob_m, task):
    services.add_entry(bob_m, task, status="en_route", fix=HQ)
    services.add_entry(bob_m, task, note="traffic", fix=Fix(52.5205, 13.4050, 10))  # barely moved
    assert len(eta_mails()) == 1
    far = Fix(52.10, 13.4050, 10)  # ~50 km away now: at most 35 m/s, about 24 minutes
    services.add_entry(bob_m, task, note="detour", fix=far)
    mails = eta_mails()
    assert len(mails) == 2 and mails[1].subject.startswith("Updated arrival time")


def test_FW7_opt_out_link_stops_the_messages(bob_m, task, client):
    customer = Customer.objects.get()
    assert client.get(f"/eta/{customer.opt_out_token}/").status_code == 200
    assert client.post(f"/eta/{customer.opt_out_token}/").status_code == 200
    assert client.get("/eta/not-a-token/").status_code == 404
    services.add_entry(bob_m, task, status="en_route", fix=HQ)
    assert eta_mails() == []


def test_FW7_without_a_fix_or_destination_no_estimate_is_sent(bob_m, task, alice_m):
    services.add_entry(bob_m, task, status="en_route")
    assert eta_mails() == []
    assert eta.estimate([], (52.0, 13.0)) is None
    assert eta.estimate([(HQ, datetime.now(UTC))], (52.547, 13.405)) == 7


def test_FW7_customer_contact_is_registered_personal_data_with_its_own_retention():
    reg = registry.registration_for(Customer)
    assert reg is not None and reg.data_type == "customer_contact"
    assert reg.fields["email"] == "pd:EmailAddress" and reg.fields["phone"] == "pd:TelephoneNumber"


def sync(token, fix: Fix, cid: str, at: datetime | None = None):
    """A plain location sync from the phone (no task entry): one ``sync`` event with a fix."""
    event = {"id": cid, "kind": "sync", "at": (at or datetime.now(UTC)).isoformat(),
             "lat": fix.latitude, "lon": fix.longitude, "accuracy": fix.accuracy}
    answer = Client().post("/api/attendance/device/events", data=json.dumps({"events": [event]}),
                           content_type="application/json", headers={"authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.json()["stored"] == 1, answer.content
    return answer


def test_FW7_location_syncs_on_the_way_update_the_estimate_throttled(bob_m, task, device):
    _, token = device
    services.add_entry(bob_m, task, status="en_route", fix=HQ)
    assert len(eta_mails()) == 1
    sync(token, Fix(52.5205, 13.4050, 10), "s1")  # barely moved: no new message
    assert len(eta_mails()) == 1
    Task.objects.filter(pk=task.pk).update(eta_checked_at=datetime.now(UTC) - eta.THROTTLE)
    sync(token, Fix(52.10, 13.4050, 10), "s2")  # ~50 km away now: the customer is told
    mails = eta_mails()
    assert len(mails) == 2 and mails[1].subject.startswith("Updated arrival time")
    assert "52.1" not in mails[1].body  # never coordinates
    task.refresh_from_db()
    told = task.eta_minutes
    assert told > 7
    sync(token, HQ, "s3")  # back near: but within the throttle, not re-estimated
    assert len(eta_mails()) == 2 and Task.objects.get(pk=task.pk).eta_minutes == told


def test_FW7_syncs_never_move_the_estimate_in_privacy_mode_or_from_an_old_queue(bob_m, task, device):
    _, token = device
    services.add_entry(bob_m, task, status="en_route", fix=HQ)
    Task.objects.filter(pk=task.pk).update(eta_checked_at=None)
    sync(token, Fix(52.10, 13.4050, 10), "old", at=datetime.now(UTC) - timedelta(hours=2))  # replayed late
    attendance.set_privacy_mode(bob_m, True)
    sync(token, Fix(52.10, 13.4050, 10), "quiet")  # stored without a location: nothing to estimate from
    assert len(eta_mails()) == 1 and Task.objects.get(pk=task.pk).eta_checked_at is None
