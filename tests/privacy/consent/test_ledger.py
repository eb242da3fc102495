"""CO1 (ledger), PU2 (new purposes), PU5 (recipient opt-outs), CO5 (photo permission)."""

from __future__ import annotations

import json

import pytest
import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from officium.accounts.models import User
from officium.privacy.access import PurposeQuerySet
from officium.privacy.consent import catalogue, ledger, services
from officium.privacy.consent.filters import disclosing_to
from officium.privacy.consent.ledger import Subject
from officium.privacy.consent.models import AppendOnlyError, ConsentRecord, Method, State
from officium.privacy.policy import loader

pytestmark = pytest.mark.django_db


def readable(membership, purpose, fields=("email", "first_name")):
    return set(PurposeQuerySet(model=User).for_purpose(membership, purpose, fields=list(fields))
               .values_list("email", flat=True))


def test_CO1_record_has_the_27560_fields_and_current_state_is_derived(alice):
    record = services.set_purpose(alice, "marketing", True)
    assert record is not None
    receipt = record.receipt()
    assert set(receipt) >= {"record_id", "subject", "purpose", "state", "notice_version", "method",
                            "time", "how_to_withdraw"}
    assert receipt["subject"] == {"user_id": alice.pk}
    assert receipt["notice_version"] == catalogue.notice_version() and len(receipt["notice_version"]) == 64
    assert receipt["method"] == Method.PREFERENCE_PAGE
    assert receipt["how_to_withdraw"].endswith("/privacy/consent/")
    assert ledger.is_given(Subject.of(alice), "marketing")
    services.set_purpose(alice, "marketing", False)
    assert ledger.state_of(Subject.of(alice), "marketing") == State.WITHDRAWN
    # Two records: the withdrawal was appended, the consent record untouched.
    assert [r.state for r in Subject.of(alice).records()] == ["given", "withdrawn"]


def test_CO1_records_are_append_only(alice):
    record = services.set_purpose(alice, "marketing", True)
    record.state = State.WITHDRAWN
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        ConsentRecord.objects.filter(pk=record.pk).update(state="withdrawn")
    with pytest.raises(AppendOnlyError):
        ConsentRecord.objects.filter(pk=record.pk).delete()
    # The database itself refuses an UPDATE (trigger), whatever the ORM does.
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE consent_consentrecord SET state = 'withdrawn' WHERE id = %s",
                           [record.pk])
    assert ConsentRecord.objects.get(pk=record.pk).state == State.GIVEN


def test_CO1_only_erasure_of_the_subject_deletes(alice, bob):
    services.set_purpose(alice, "marketing", True)
    services.set_purpose(bob, "marketing", True)
    assert ledger.erase_subject(alice.pk) == 1
    assert not Subject.of(alice).records().exists()
    assert Subject.of(bob).records().count() == 1


def test_CO1_unknown_purpose_and_non_consent_purpose_are_refused(alice, alice_client):
    with pytest.raises(ValidationError) as error:
        services.set_purpose(alice, "no_such_purpose", True)
    assert "purpose" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.set_purpose(alice, "service_provision", True)  # contract, not consent
    assert "purpose" in error.value.message_dict
    response = alice_client.post("/privacy/consent/", {"kind": "purpose", "purpose": "no_such_purpose",
                                                        "action": "give"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert "purpose" in response.json()["detail"]
    assert not ConsentRecord.objects.exists()


def test_CO1_double_submit_writes_once(alice_client, alice):
    for _ in range(3):
        response = alice_client.post("/privacy/consent/", {"kind": "purpose", "purpose": "marketing",
                                                            "action": "give"})
        assert response.status_code == 302
    assert Subject.of(alice).records().count() == 1


def test_CO1_withdrawal_is_one_click_on_the_page_that_gave_it_and_acts_for_the_future(alice, bob, alice_client):
    page = alice_client.get("/privacy/consent/").content.decode()
    assert 'name="purpose" value="marketing"' in page and 'value="give"' in page
    alice_client.post("/privacy/consent/", {"kind": "purpose", "purpose": "marketing", "action": "give"})
    given = Subject.of(alice).records().get()
    membership = alice.memberships.get()
    assert readable(membership, "marketing") == {alice.email}  # bob never consented
    page = alice_client.get("/privacy/consent/").content.decode()
    assert 'value="withdraw"' in page
    alice_client.post("/privacy/consent/", {"kind": "purpose", "purpose": "marketing", "action": "withdraw"})
    assert readable(membership, "marketing") == set()
    # The past is not rewritten: the consent record is still there, unchanged.
    assert ConsentRecord.objects.get(pk=given.pk).state == State.GIVEN
    # Purposes that do not rest on consent are unaffected.
    assert readable(membership, "service_provision", ("email",)) == {alice.email, bob.email}


def test_CO1_receipts_download_as_json(alice, alice_client, bob):
    services.set_purpose(alice, "marketing", True)
    services.set_purpose(bob, "marketing", True)
    response = alice_client.get("/privacy/consent/receipts.json")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["subject"] == f"user:{alice.pk}"
    assert len(data["records"]) == 1 and data["records"][0]["purpose"] == "marketing"
    assert data["current"][0]["state"] == "given"


def test_CO1_signup_contact_channels_become_ledger_records(db):
    from officium.accounts.services import signup_organization

    data = {"first_name": "Sig", "last_name": "Nup", "email": "sig@nup.example",
            "company_name": "Signup Co", "employee_count": 5, "phone": "+44 20 7946 0958",
            "country": "GB", "position": "Boss", "contact_channels": ["email", "sms"],
            "password": "a-long-enough-password-42"}
    user, _ = signup_organization(data)
    records = list(Subject.of(user).records())
    assert {(r.purpose, r.scope, r.state, r.method) for r in records} == {
        ("marketing", "channel:email", "given", "signup_form"),
        ("marketing", "channel:sms", "given", "signup_form")}
    assert services.may_market(Subject.of(user), "email")
    assert not services.may_market(Subject.of(user), "phone")


def test_CO1_officer_records_consent_with_method_officer(alice, bob):
    with pytest.raises(PermissionDenied):
        services.record_by_officer(alice, bob.pk, "marketing", True)
    alice.is_staff = True
    record = services.record_by_officer(alice, bob.pk, "marketing", True)
    assert record.method == Method.OFFICER and record.recorded_by == alice.pk


def test_CO1_no_record_without_subject(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentRecord.objects.create(purpose="marketing", state="given", notice_version="x",
                                     method="banner", withdraw_url="/")


@pytest.fixture
def policy_with_new_purpose(tmp_path, use_policy):
    """The next policy version: officeportal plus a new consent purpose."""
    data = yaml.safe_load(loader.resolve_policy_path("officeportal").read_text())
    data["purposes"].append({
        "id": "product_research", "term": "dpv:ImproveExistingProductsAndServices",
        "legal_basis": "eu-gdpr:A6-1-a", "consent_required": True,
        "description": "To invite you to product research interviews, if you agree.",
        "categories": ["name", "email"], "data_subjects": ["dpv:User"]})
    path = tmp_path / "officeportal-v2.yaml"
    path.write_text(yaml.safe_dump(data))
    old = loader.active_policy()
    use_policy(path)
    return old


def test_PU2_new_consent_purpose_uses_nobodys_data_until_they_consent(alice, bob, alice_client,
                                                                      policy_with_new_purpose):
    membership = alice.memberships.get()
    services.set_purpose(alice, "marketing", True)  # an earlier consent does not carry over
    assert readable(membership, "product_research") == set()
    asked = services.purposes_to_ask(alice, policy_with_new_purpose)
    assert [p.id for p in asked] == ["product_research"]
    # The banner offered to the versions feature asks, and one click consents.
    page = alice_client.get("/privacy/consent/").content.decode()
    assert 'id="new-purposes-banner"' in page and 'value="product_research"' in page
    alice_client.post("/privacy/consent/", {"kind": "new_purposes", "purpose": ["product_research"]})
    assert readable(membership, "product_research") == {alice.email}
    record = Subject.of(alice).records().get(purpose="product_research")
    assert record.method == Method.BANNER
    assert services.purposes_to_ask(alice, policy_with_new_purpose) == []


def test_PU5_recipient_opt_out_is_listed_and_respected(alice, bob, bob_client, use_policy):
    use_policy("officetools")
    membership = alice.memberships.get()
    page = bob_client.get("/privacy/consent/").content.decode()
    assert 'id="recipient-affiliates"' in page and 'id="recipient-service_providers"' in page
    assert 'id="recipient-card_processor"' not in page  # not opt-out-able
    bob_client.post("/privacy/consent/", {"kind": "recipient", "recipient": "affiliates",
                                          "action": "opt_out"})
    assert services.opted_out_recipients(Subject.of(bob)) == {"affiliates"}
    with disclosing_to("affiliates"):
        assert readable(membership, "service_provision", ("email",)) == {alice.email}
    with disclosing_to("service_providers"):
        assert readable(membership, "service_provision", ("email",)) == {alice.email, bob.email}
    # The service itself (a contract purpose) still works for bob.
    assert readable(membership, "service_provision", ("email",)) == {alice.email, bob.email}
    bob_client.post("/privacy/consent/", {"kind": "recipient", "recipient": "affiliates",
                                          "action": "opt_in"})
    with disclosing_to("affiliates"):
        assert readable(membership, "service_provision", ("email",)) == {alice.email, bob.email}


def test_PU5_opt_out_keyed_on_a_consent_purpose(alice, bob, use_policy):
    use_policy("officexlr")
    membership = alice.memberships.get()
    services.set_purpose(alice, "targeted_advertising", True)
    services.set_purpose(bob, "targeted_advertising", True)
    services.set_recipient(bob, "advertising_partners", opt_out=True)
    assert readable(membership, "targeted_advertising", ("is_active",)) == {alice.email}


def test_PU5_unknown_or_not_opt_outable_recipient_is_refused(bob, bob_client, use_policy):
    use_policy("officetools")
    response = bob_client.post("/privacy/consent/", {"kind": "recipient", "recipient": "card_processor",
                                                      "action": "opt_out"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "recipient" in response.json()["detail"]
    assert not ConsentRecord.objects.exists()


def test_CO5_photo_uploads_need_a_recorded_revocable_permission(bob, bob_client):
    assert catalogue.photo_purpose_id() == "photo_uploads"
    with pytest.raises(PermissionDenied, match="not allowed camera and photo uploads"):
        services.require_photo_permission(bob)
    bob_client.post("/privacy/consent/", {"kind": "purpose", "purpose": "photo_uploads", "action": "give"})
    services.require_photo_permission(bob)  # allowed now
    bob_client.post("/privacy/consent/", {"kind": "purpose", "purpose": "photo_uploads",
                                          "action": "withdraw"})
    with pytest.raises(PermissionDenied):
        services.require_photo_permission(bob)
    assert [r.state for r in Subject.of(bob).records().filter(purpose="photo_uploads")] == [
        "given", "withdrawn"]
