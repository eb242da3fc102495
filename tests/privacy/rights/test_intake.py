"""Intake and verification: audiences from the policy (RI10), the public form with an emailed
code (RI9), re-authentication, duplicates, and bad input answered with a clear 4xx while
nothing is written."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.test import Client
from tests.conftest import PASSWORD

from officium.privacy.audit.models import AuditEntry
from officium.privacy.rights import intake
from officium.privacy.rights.models import EmailCode, RequestEvent, RightsRequest, Status

from .conftest import code_from_mail

API = "/api/privacy/rights"


def _post(client: Client, url: str, data: dict) -> object:
    return client.post(url, json.dumps(data), content_type="application/json")


def _counts() -> tuple[int, int, int]:
    return RightsRequest.objects.count(), RequestEvent.objects.count(), AuditEntry.objects.count()


@pytest.mark.django_db
def test_RI10_officeportal_offers_gdpr_rights_only_in_the_eea(bob_client, bob):
    before = _counts()
    refused = _post(bob_client, f"{API}/requests", {"request_type": "access",
                                                    "residence_country": "US"})
    assert refused.status_code == 400
    assert refused.json()["field"] == "request_type"
    reason = refused.json()["message"]
    assert "European Economic Area" in reason and "United States" in reason  # PV4: country names, not codes
    assert _counts() == before
    accepted = _post(bob_client, f"{API}/requests", {"request_type": "access",
                                                     "residence_country": "DE",
                                                     "password": PASSWORD})
    assert accepted.status_code == 201


@pytest.mark.django_db
def test_RI10_officeportal_has_no_restriction_or_ccpa_rights(bob):
    for request_type in ("restriction", "ccpa_know_categories", "ccpa_delete"):
        with pytest.raises(Exception) as refused:
            intake.file_for_account(bob, request_type=request_type, country="DE")
        assert "request_type" in refused.value.message_dict
    assert not RightsRequest.objects.exists()


@pytest.mark.django_db
def test_RI10_officexlr_gives_ccpa_rights_to_california_and_gdpr_rights_to_everyone(use_policy, bob):
    use_policy("officexlr")
    with pytest.raises(Exception) as refused:
        intake.file_for_account(bob, request_type="ccpa_know_categories", country="US", region="US-NY")
    assert "California" in str(refused.value) or "US-CA" in str(refused.value)
    ccpa = intake.file_for_account(bob, request_type="ccpa_know_categories", country="US",
                                   region="US-CA")
    assert ccpa.rights_group == "ccpa"
    gdpr = intake.file_for_account(bob, request_type="restriction", country="IN")
    assert gdpr.rights_group == "gdpr"


@pytest.mark.django_db
@pytest.mark.parametrize(("payload", "field"), [
    ({"request_type": "teleport", "residence_country": "DE"}, "request_type"),
    ({"request_type": "access", "residence_country": "XX"}, "residence_country"),
    ({"request_type": "access", "residence_country": ""}, "residence_country"),
    ({"request_type": "rectification", "residence_country": "DE", "password": PASSWORD}, "details"),
    ({"request_type": "objection", "residence_country": "DE"}, "purposes"),
    ({"request_type": "objection", "residence_country": "DE", "purposes": ["service_provision"]}, "purposes"),
    ({"request_type": "access", "residence_country": "DE", "password": "wrong password"}, "password"),
])
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(bob_client, payload, field):
    before = _counts()
    response = _post(bob_client, f"{API}/requests", payload)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert _counts() == before


@pytest.mark.django_db
def test_missing_fields_are_refused_by_the_api(bob_client):
    before = _counts()
    response = _post(bob_client, f"{API}/requests", {"request_type": "access"})
    assert 400 <= response.status_code < 500
    assert "residence_country" in response.content.decode()
    assert _counts() == before


@pytest.mark.django_db
def test_duplicate_open_request_points_to_the_existing_one(bob_client, bob):
    first = intake.file_for_account(bob, request_type="objection", country="DE",
                                    purposes=["attendance"])
    RightsRequest.objects.filter(pk=first.pk).update(status=Status.PAUSED)
    before = _counts()
    response = _post(bob_client, f"{API}/requests", {"request_type": "objection",
                                                     "residence_country": "DE",
                                                     "purposes": ["attendance"]})
    assert response.status_code == 409
    assert response.json()["existing"] == {"id": first.pk, "ref": first.ref}
    assert _counts() == before
    page = bob_client.post("/privacy/center/", {"request_type": "objection",
                                                "residence_country": "DE",
                                                "purposes": ["attendance"]})
    assert page.status_code == 409 and first.ref in page.content.decode()
    assert _counts() == before


@pytest.mark.django_db
def test_account_holder_must_reauthenticate_before_disclosure(bob_client, bob, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = bob_client.post("/privacy/center/", {"request_type": "access",
                                                        "residence_country": "DE"})
    filed = RightsRequest.objects.get()
    assert response.status_code == 302
    assert filed.status == Status.AWAITING_VERIFICATION
    wrong = bob_client.post(f"/privacy/center/requests/{filed.pk}/", {"password": "nope-nope-nope"})
    assert wrong.status_code == 400
    filed.refresh_from_db()
    assert filed.status == Status.AWAITING_VERIFICATION
    with django_capture_on_commit_callbacks(execute=True):
        bob_client.post(f"/privacy/center/requests/{filed.pk}/", {"password": PASSWORD})
    filed.refresh_from_db()
    assert filed.status == Status.COMPLETED
    assert filed.verification == "reauthentication"
    # within the window, the next disclosure needs no password again
    with django_capture_on_commit_callbacks(execute=True):
        bob_client.post("/privacy/center/", {"request_type": "portability", "residence_country": "DE"})
    assert RightsRequest.objects.get(request_type="portability").status == Status.COMPLETED


@pytest.mark.django_db
def test_RI9_public_request_needs_the_emailed_code(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/privacy/request/", {"email": "stranger@example.org",
                                                     "request_type": "do_you_hold_my_data",
                                                     "residence_country": "FR"})
    assert response.status_code == 302
    filed = RightsRequest.objects.get()
    assert filed.status == Status.AWAITING_VERIFICATION
    code = code_from_mail(mail.outbox)
    assert len(code) == 8
    stored = EmailCode.objects.get(request=filed)
    assert code not in stored.code_hash and len(stored.code_hash) == 64
    wrong = client.post(f"/privacy/request/{filed.ref}/", {"code": "00000000" if code != "00000000" else "11111111"})
    assert wrong.status_code == 400
    filed.refresh_from_db()
    assert filed.status == Status.AWAITING_VERIFICATION
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(f"/privacy/request/{filed.ref}/", {"code": code})
    assert ok.status_code == 302
    filed.refresh_from_db()
    assert filed.status == Status.COMPLETED
    assert filed.answer["holds"] is False
    page = client.get(f"/privacy/request/{filed.ref}/")
    assert "No: we hold no personal data about you." in page.content.decode()


@pytest.mark.django_db
def test_RI9_too_many_code_attempts_are_refused_even_with_the_right_code(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, f"{API}/public/requests", {
            "email": "someone@example.org", "request_type": "access", "residence_country": "DE"})
    assert response.status_code == 202
    ref = response.json()["ref"]
    code = code_from_mail(mail.outbox)
    wrong = "12345678" if code != "12345678" else "87654321"
    statuses = [_post(client, f"{API}/public/requests/{ref}/verify", {"code": wrong}).status_code
                for _ in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    right = _post(client, f"{API}/public/requests/{ref}/verify", {"code": code})
    assert right.status_code == 429
    assert RightsRequest.objects.get(ref=ref).status == Status.AWAITING_VERIFICATION


@pytest.mark.django_db
def test_RI9_expired_code_is_refused(client, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    with django_capture_on_commit_callbacks(execute=True):
        ref = _post(client, f"{API}/public/requests", {
            "email": "late@example.org", "request_type": "access", "residence_country": "DE"}).json()["ref"]
    EmailCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _post(client, f"{API}/public/requests/{ref}/verify", {"code": code_from_mail(mail.outbox)})
    assert response.status_code == 400 and response.json()["field"] == "code" and "expired" in response.json()["message"]


@pytest.mark.django_db
def test_RI9_workoptima_confirms_holding_data_by_verified_email(use_policy, bob, client, django_capture_on_commit_callbacks):
    use_policy("workoptima")
    answers = {}
    for email in ("bob@alpha.example", "nobody@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            ref = _post(client, f"{API}/public/requests", {
                "email": email, "request_type": "do_you_hold_my_data",
                "residence_country": "IN"}).json()["ref"]
        with django_capture_on_commit_callbacks(execute=True):
            verified = _post(client, f"{API}/public/requests/{ref}/verify",
                             {"code": code_from_mail(mail.outbox)})
        assert verified.status_code == 200
        answers[email] = RightsRequest.objects.get(ref=ref).answer
    assert answers["bob@alpha.example"]["holds"] is True
    assert answers["bob@alpha.example"]["categories"]
    assert answers["nobody@example.org"] == {"holds": False, "categories": [], "purposes": []}


@pytest.mark.django_db
def test_RI7_unverifiable_specific_pieces_request_is_answered_as_categories(use_policy, client, bob, django_capture_on_commit_callbacks):
    use_policy("officexlr")
    with django_capture_on_commit_callbacks(execute=True):
        ref = _post(client, f"{API}/public/requests", {
            "email": bob.email, "request_type": "ccpa_know_pieces", "residence_country": "US",
            "residence_region": "US-CA"}).json()["ref"]
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, f"{API}/public/requests/{ref}/verify", {"code": code_from_mail(mail.outbox)})
    answered = RightsRequest.objects.get(ref=ref)
    assert answered.request_type == "ccpa_know_categories"
    assert "export" not in answered.answer
    assert "Identifiers" in answered.answer["ccpa_categories"]
    assert RequestEvent.objects.filter(request__ref=ref, kind="downgraded").count() == 1


@pytest.mark.django_db
def test_officer_files_on_behalf_of_a_member(alice_client, bob, django_capture_on_commit_callbacks):
    member = bob.memberships.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(alice_client, f"{API}/o/alpha/requests", {
            "member_id": member.pk, "request_type": "do_you_hold_my_data", "residence_country": "DE"})
    assert response.status_code == 201
    filed = RightsRequest.objects.get()
    assert filed.subject_ref == bob.pk and filed.channel == "officer"
    assert filed.status == Status.COMPLETED and filed.answer["holds"] is True


@pytest.mark.django_db
def test_a_member_cannot_file_for_others_or_see_the_queue(bob_client, alice):
    member = alice.memberships.get()
    response = _post(bob_client, f"{API}/o/alpha/requests", {
        "member_id": member.pk, "request_type": "access", "residence_country": "DE"})
    assert response.status_code == 403
    assert bob_client.get("/o/alpha/privacy/requests/").status_code == 403
    assert not RightsRequest.objects.exists()
