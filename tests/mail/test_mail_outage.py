"""The mail server is down while people act: nothing they do fails, their emails wait in the
outbox, and each is delivered exactly once when the server is back (a real SMTP server on
loopback, stopped and started by the test)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from officium.mail import delivery
from officium.mail.models import OutboxEmail, Status
from officium.privacy.rights.models import RightsRequest

pytestmark = pytest.mark.django_db


def test_mail_server_down_loses_no_request_and_delivers_each_email_once(mail_server, alice, alice_client, bob,
                                                       bob_client, client,
                                                       django_capture_on_commit_callbacks):
    from officium.attendance.models import Site

    alice_m = alice.memberships.get()
    alice_m.can_see_report_locations = True
    alice_m.save(update_fields=["can_see_report_locations"])
    Site.objects.create(organization=alice_m.organization, name="HQ", shape="circle",
                        center_latitude=52.52, center_longitude=13.405, radius_m=150)
    mail_server.stop()
    with django_capture_on_commit_callbacks(execute=True):  # the worker tries at once: refused
        rights = client.post("/api/privacy/rights/public/requests", json.dumps({
            "email": "someone@example.org", "request_type": "access",
            "residence_country": "DE"}), content_type="application/json")
        invite = alice_client.post("/o/alpha/members/invite/", {
            "email": "dora@alpha.example", "role": "member"})
        alert = bob_client.post("/o/alpha/attendance/check-in/", {
            "direction": "in", "latitude": 52.5201, "longitude": 13.4051, "accuracy": 10})
    assert (rights.status_code, invite.status_code, alert.status_code) == (202, 302, 302)
    assert RightsRequest.objects.filter(email="someone@example.org").exists()
    waiting = OutboxEmail.objects.filter(status=Status.PENDING)
    categories = set(waiting.values_list("category", flat=True))
    assert {"rights_code", "rights_received", "invite", "attendance_alert"} <= categories
    assert all(row.attempts == 1 and row.last_error for row in waiting)
    assert mail_server.inbox.messages == []

    mail_server.start()
    later = timezone.now() + timedelta(hours=1)  # past the first backoff
    outcome = delivery.deliver_due(later)
    assert outcome == {"sent": waiting.model.objects.filter(status=Status.SENT).count()}
    assert not OutboxEmail.objects.exclude(status=Status.SENT).exists()
    assert delivery.deliver_due(later + timedelta(hours=1)) == {}  # nothing sent twice
    inbox = mail_server.inbox
    assert len(inbox.to("someone@example.org")) == 2  # the code and the receipt, once each
    assert len(inbox.to("dora@alpha.example")) == 1
    assert len(inbox.to("alice@alpha.example")) == 1  # the arrival alert
    assert len(inbox.messages) == OutboxEmail.objects.count()
    assert "/accounts/invitations/" in inbox.to("dora@alpha.example")[0].get_payload()
