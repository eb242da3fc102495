"""FW7: when the assignee sets off, the customer gets an arrival estimate by email from the
last fixes and the destination, an update when it moves by more than the margin, never
coordinates, and an opt-out link that works."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.fieldwork.conftest import HQ

from officium.attendance.coordinates import Fix
from officium.fieldwork import eta, services
from officium.fieldwork.models import Customer
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
