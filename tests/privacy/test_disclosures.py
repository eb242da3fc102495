"""PU4: a disclosure to an authority is recorded with its legal ground, date and categories,
by the owner or a privacy officer, and appears in the audit log of every person concerned."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from tests.conftest import client_for, make_user

from officium.accounts.models import Membership
from officium.accounts.roles import Role
from officium.privacy.audit.models import AuditEntry
from officium.privacy.models import Disclosure, DisclosureSubject

PAGE = "/o/alpha/privacy/disclosures/"


def form(bob, **overrides):
    data = {"recipient": "Amtsgericht Berlin", "legal_ground": "court_order",
            "reference": "AZ 12/34", "disclosed_on": timezone.localdate().isoformat(),
            "categories": ["name", "phone"], "subjects": [bob.pk]}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def officer_client(alice_org):
    officer = make_user("petra@alpha.example", "Petra", "Officer")
    Membership.objects.create(organization=alice_org, user=officer, role=Role.PRIVACY_OFFICER)
    return client_for(officer)


@pytest.mark.django_db
def test_PU4_disclosure_is_recorded_with_its_ground_and_audited_per_subject(
        officer_client, alice, bob):
    response = officer_client.post(PAGE, form(bob, subjects=[bob.pk, alice.pk]))
    assert response.status_code == 302
    disclosure = Disclosure.objects.get()
    assert (disclosure.recipient, disclosure.legal_ground, disclosure.reference) == (
        "Amtsgericht Berlin", "court_order", "AZ 12/34")
    assert disclosure.categories == ["name", "phone"]
    assert disclosure.disclosed_on == timezone.localdate()
    assert set(DisclosureSubject.objects.values_list("subject_id", flat=True)) == {alice.pk, bob.pk}
    entries = AuditEntry.objects.filter(event="privacy.disclosure")
    assert {e.subject_id for e in entries} == {alice.pk, bob.pk}
    entry = entries.get(subject_id=bob.pk)
    assert entry.details["legal_ground"] == "court_order"
    assert entry.details["categories"] == ["name", "phone"]
    assert "Amtsgericht" not in str(entry.details)  # ids and codes only

    listing = officer_client.get(PAGE).content.decode()
    assert "Amtsgericht Berlin" in listing and "Court order" in listing


@pytest.mark.django_db
@pytest.mark.parametrize("overrides, field", [
    ({"recipient": ""}, "recipient"),
    ({"legal_ground": "curiosity"}, "legal_ground"),
    ({"disclosed_on": "2999-01-01"}, "disclosed_on"),
    ({"categories": ["payment_card"]}, "categories"),  # not a category authorities receive
    ({"categories": None}, "categories"),
    ({"subjects": None}, "subjects"),
])
def test_PU4_bad_disclosure_is_refused_naming_the_field(officer_client, bob, overrides, field):
    response = officer_client.post(PAGE, form(bob, **overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Disclosure.objects.exists() and not AuditEntry.objects.filter(
        event="privacy.disclosure").exists()


@pytest.mark.django_db
def test_PU4_subjects_must_belong_to_the_organization(officer_client, bob, charlie):
    response = officer_client.post(PAGE, form(bob, subjects=[charlie.pk]))
    assert response.status_code == 400 and "subjects" in response.context["form"].errors
    assert not Disclosure.objects.exists()


@pytest.mark.django_db
def test_PU4_service_refuses_a_future_date_and_other_roles(alice, bob):
    from django.core.exceptions import PermissionDenied, ValidationError

    from officium.privacy import disclosures

    kwargs = {"recipient": "Police", "legal_ground": "subpoena", "categories": ["name"],
              "subject_ids": [alice.pk]}
    with pytest.raises(PermissionDenied):
        disclosures.record_disclosure(bob.memberships.get(), disclosed_on=timezone.localdate(),
                                      **kwargs)
    with pytest.raises(ValidationError) as error:
        disclosures.record_disclosure(alice.memberships.get(),
                                      disclosed_on=timezone.localdate() + timedelta(days=1), **kwargs)
    assert "disclosed_on" in error.value.error_dict
    assert not Disclosure.objects.exists()


@pytest.mark.django_db
def test_PU4_only_owner_and_privacy_officer_see_the_register(alice_client, bob_client, charlie_client):
    assert alice_client.get(PAGE).status_code == 200
    assert bob_client.get(PAGE).status_code in (403, 404)
    assert charlie_client.get(PAGE).status_code == 404
