"""PV2: the controller's postal address and data protection officer, entered by the organization
where the policy profile is silent, shown on the data map, the Art. 30 record and the privacy
center; where the profile gives them, the profile is the source."""

from __future__ import annotations

import json

import pytest

from officium.privacy.audit.models import AuditEntry
from officium.privacy.office.models import ControllerContact

pytestmark = pytest.mark.django_db

ADDRESS = "Alpha GmbH, Hauptstrasse 1\n10115 Berlin, Germany"


def _url(alice_org) -> str:
    return f"/o/{alice_org.slug}/privacy/controller/"


def _save(client, alice_org, **fields):
    data = {"postal_address": "", "dpo_name": "", "dpo_email": ""} | fields
    return client.post(_url(alice_org), data)


def test_PV2_the_organization_enters_its_address_and_dpo_and_every_page_shows_them(
        alice_org, alice_client, bob_client):
    page = alice_client.get(_url(alice_org)).content.decode()
    assert "Postal address: not given" in page and "Data protection officer: not designated" in page
    answer = _save(alice_client, alice_org, postal_address=ADDRESS, dpo_name="Dana Datenschutz",
                   dpo_email="dpo@alpha.example")
    assert answer.status_code == 302
    assert AuditEntry.objects.filter(event="privacy.controller_contact_changed",
                                     organization_id=alice_org.pk).count() == 1
    data_map = alice_client.get(f"/o/{alice_org.slug}/privacy/data-map/").content.decode()
    controller = data_map[data_map.index('id="controller"'):data_map.index('id="ropa"')]
    assert "Hauptstrasse 1<br>10115 Berlin" in controller
    assert "Dana Datenschutz" in controller and "mailto:dpo@alpha.example" in controller
    ropa = json.loads(alice_client.get(f"/o/{alice_org.slug}/privacy/ropa.json").content)
    assert ropa["controller"]["postal_address"] == ADDRESS
    assert ropa["controller"]["dpo"] == {"name": "Dana Datenschutz", "email": "dpo@alpha.example"}
    assert ropa["controller"]["sources"]["dpo_source"] == "your organization"
    center = bob_client.get("/privacy/center/").content.decode()
    contact = center[center.index('id="privacy-contact"'):]
    assert alice_org.name in contact and "Dana Datenschutz" in contact
    assert "Hauptstrasse 1" in contact and "contact form" in contact


@pytest.mark.parametrize(("fields", "field"), [
    ({"postal_address": "Berlin"}, "postal_address"),
    ({"postal_address": "https://alpha.example/where-we-are"}, "postal_address"),
    ({"dpo_name": "Dana"}, "dpo_email"),
    ({"dpo_email": "dpo@alpha.example"}, "dpo_name"),
    ({"dpo_name": "Dana", "dpo_email": "not-an-address"}, "dpo_email"),
])
def test_PV2_bad_contacts_are_refused_naming_the_field_and_nothing_is_written(
        alice_org, alice_client, fields, field):
    answer = _save(alice_client, alice_org, **fields)
    assert answer.status_code == 400
    assert f'id="id_{field}"' in answer.content.decode()
    assert "errorlist" in answer.content.decode()
    assert not ControllerContact.objects.exists()
    assert not AuditEntry.objects.filter(event="privacy.controller_contact_changed").exists()


def test_PV2_where_the_policy_gives_the_address_it_is_the_source(alice_org, alice_client, use_policy):
    use_policy("officetools")
    page = alice_client.get(_url(alice_org)).content.decode()
    assert "514 Commerce Avenue" in page and "the privacy policy gives it" in page
    answer = _save(alice_client, alice_org, postal_address=ADDRESS)
    assert answer.status_code == 400 and "The privacy policy gives the postal address" in answer.content.decode()
    assert not ControllerContact.objects.exists()


def test_PV2_members_and_outsiders_cannot_change_the_contacts(alice_org, bob_client, charlie_client):
    assert bob_client.get(_url(alice_org)).status_code in (403, 404)
    assert _save(bob_client, alice_org, postal_address=ADDRESS).status_code in (403, 404)
    assert _save(charlie_client, alice_org, postal_address=ADDRESS).status_code == 404
    assert not ControllerContact.objects.exists()
