"""PV5: the breach register: the 72-hour clock, the authority, the people affected, evidence."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from officium.mail.models import OutboxEmail
from officium.privacy.audit.models import AuditEntry
from officium.privacy.office.models import Breach, BreachEvent

pytestmark = pytest.mark.django_db


def _form(world, **changes):
    local = timezone.localtime(timezone.now() - timedelta(hours=5))
    data = {"summary": "Spreadsheet sent to the wrong client", "description": "Sent by email.",
            "discovered_at": local.strftime("%Y-%m-%dT%H:%M"), "categories": ["name", "phone"],
            "subjects": [world.bob.pk], "consequences": "Names and phones known to a stranger.",
            "measures": "Asked the client to delete it.", "high_risk": "on"}
    data.update(changes)
    return data


def test_PV5_record_a_breach_and_see_the_72_hour_clock(world, alice_client):
    url = f"/o/{world.alice_org.slug}/privacy/breaches/"
    before = AuditEntry.objects.filter(event="privacy.breach_recorded").count()
    response = alice_client.post(url, _form(world))
    breach = Breach.objects.get(summary="Spreadsheet sent to the wrong client")
    assert response.status_code == 302
    assert breach.people_count == 1 and breach.categories == ["name", "phone"]
    assert AuditEntry.objects.filter(event="privacy.breach_recorded").count() == before + 1
    page = alice_client.get(response["Location"]).content.decode()
    assert "h left to notify the authority" in page and ("66 h" in page or "67 h" in page)
    dashboard = alice_client.get(f"/o/{world.alice_org.slug}/").content.decode()
    assert "Spreadsheet sent to the wrong" in dashboard and "h left" in dashboard


@pytest.mark.parametrize(("changes", "field"), [
    ({"discovered_at": "2999-01-01T10:00"}, "discovered_at"),
    ({"categories": ["no_such_category"]}, "categories"),
    ({"summary": ""}, "summary"),
])
def test_PV5_bad_breach_is_refused_naming_the_field_and_nothing_is_written(world, alice_client,
                                                                           changes, field):
    count = Breach.objects.count()
    response = alice_client.post(f"/o/{world.alice_org.slug}/privacy/breaches/",
                                 _form(world, **changes))
    assert response.status_code == 400
    assert f'name="{field}"' in response.content.decode()
    assert Breach.objects.count() == count


def test_PV5_notify_authority_people_by_outbox_and_keep_history(world, alice_client):
    alice_client.post(f"/o/{world.alice_org.slug}/privacy/breaches/", _form(world))
    breach = Breach.objects.get(summary="Spreadsheet sent to the wrong client")
    url = f"/o/{world.alice_org.slug}/privacy/breaches/{breach.pk}/"
    assert alice_client.post(url, {"action": "authority", "reference": ""}).status_code == 400
    assert alice_client.post(url, {"action": "authority", "reference": "BfDI-2026-17"}).status_code == 302
    again = alice_client.post(url, {"action": "authority", "reference": "again"})
    assert again.status_code == 400 and "already notified" in again.content.decode()
    assert alice_client.post(url, {"action": "people",
                                   "message": "Please watch for calls."}).status_code == 302
    queued = OutboxEmail.objects.filter(category="breach_notice")
    assert queued.count() == 1 and queued.get().to_address == world.bob.email
    assert "Please watch for calls." in queued.get().body  # delivered by the worker
    assert alice_client.post(url, {"action": "people", "message": "again"}).status_code == 400
    alice_client.post(url, {"action": "note", "note": "Client confirmed deletion in writing."})
    assert list(BreachEvent.objects.filter(breach=breach).values_list("action", flat=True)) == [
        "recorded", "authority_notified", "people_notified", "note"]
    page = alice_client.get(url).content.decode()
    assert "Notified" in page and "Client confirmed deletion" in page


def test_PV5_after_72_hours_the_authority_needs_a_reason(world, alice_client):
    alice_client.post(f"/o/{world.alice_org.slug}/privacy/breaches/", _form(world))
    breach = Breach.objects.get(summary="Spreadsheet sent to the wrong client")
    Breach.objects.filter(pk=breach.pk).update(discovered_at=timezone.now() - timedelta(hours=80))
    url = f"/o/{world.alice_org.slug}/privacy/breaches/{breach.pk}/"
    assert "Overdue" in alice_client.get(url).content.decode()
    assert alice_client.post(url, {"action": "authority", "reference": "late"}).status_code == 400
    assert alice_client.post(url, {"action": "authority", "reference": "late",
                                   "late_reason": "Found over a weekend."}).status_code == 302


def test_PV5_members_and_outsiders_cannot_see_the_register(world, bob_client, charlie_client):
    url = f"/o/{world.alice_org.slug}/privacy/breaches/"
    assert bob_client.get(url).status_code in (403, 404)
    assert charlie_client.get(url).status_code == 404
