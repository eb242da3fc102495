"""Execution of requests from the registry: access (RI1), portability (RI2), rectification
(RI3), erasure (RI4), restriction (RI5), objection (RI6), CCPA (RI7)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import jsonschema
import pytest
from django.core import mail
from django.utils import timezone
from tests.conftest import PASSWORD

from officium.accounts.models import User
from officium.mail.models import OutboxEmail
from officium.privacy import registry
from officium.privacy.access import AccessContext
from officium.privacy.audit.models import AuditEntry
from officium.privacy.rights import ccpa, intake
from officium.privacy.rights.models import ExportFile, RightsRequest, Status
from officium.privacy.rights.restriction import objected_subjects, restricted_subjects

from .helpers import registered_pks, zip_pks


def _file(user, capture, request_type, country="DE", **extra):
    with capture(execute=True):
        filed = intake.file_for_account(user, request_type=request_type, country=country,
                                        password=PASSWORD, **extra)
    filed.refresh_from_db()
    return filed


@pytest.mark.django_db
def test_RI1_access_file_holds_every_registered_record_and_the_art15_context(
        world, bob_client, django_capture_on_commit_callbacks):
    bob, alice = world.bob, world.alice
    filed = _file(bob, django_capture_on_commit_callbacks, "access")
    assert filed.status == Status.COMPLETED
    response = bob_client.get(f"/privacy/center/requests/{filed.pk}/download/")
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    exported = zip_pks(data)
    expected = registered_pks(bob.pk)
    # the answer email is queued after the file is written
    expected["mail.OutboxEmail"] -= {str(pk) for pk in OutboxEmail.objects.filter(
        category="rights_answer").values_list("pk", flat=True)}
    for label, pks in expected.items():
        if label != "rights.RequestEvent":  # its "completed" step is written after the file
            assert pks <= exported.get(label, set()), label
    alices = registered_pks(alice.pk)
    for label, pks in exported.items():
        others = alices.get(label, set()) - expected.get(label, set())
        assert not (pks & others), f"{label} leaks alice's rows"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        context = json.loads(archive.read("context.json"))
        assert "README.txt" in archive.namelist()
    for key in ("purposes", "categories", "recipients", "retention", "rights", "complaint",
                "sources", "automated_decisions"):
        assert context[key], key
    assert context["complaint"]["authority"]
    page = bob_client.get(f"/privacy/center/requests/{filed.pk}/").content.decode()
    assert "Your data" in page and "Why and how we process it" in page and bob.email in page


@pytest.mark.django_db
def test_RI2_portability_zip_has_json_with_schema_csv_and_readme_of_provided_data_only(
        world, bob_client, django_capture_on_commit_callbacks):
    filed = _file(world.bob, django_capture_on_commit_callbacks, "portability")
    data = b"".join(bob_client.get(f"/privacy/center/requests/{filed.pk}/download/").streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        document = json.loads(archive.read("data.json"))
        schema = json.loads(archive.read("data.schema.json"))
        readme = archive.read("README.txt").decode()
    assert {"data.json", "data.schema.json", "README.txt"} <= names
    jsonschema.validate(document, schema)
    provided = {r.label for r in registry.registrations() if r.provided_by_subject}
    assert set(document["records"]) <= provided
    assert all(f"records/{label}.csv" in names for label in document["records"])
    assert "accounts.User" in document["records"] and "Art. 20" in readme


@pytest.mark.django_db
def test_RI2_download_link_expires_and_each_download_is_audited(bob, bob_client, django_capture_on_commit_callbacks):
    filed = _file(bob, django_capture_on_commit_callbacks, "portability")
    url = f"/privacy/center/requests/{filed.pk}/download/"
    before = AuditEntry.objects.filter(event="rights.export_downloaded").count()
    assert bob_client.get(url).status_code == 200
    assert bob_client.get(url).status_code == 200
    assert AuditEntry.objects.filter(event="rights.export_downloaded").count() == before + 2
    assert ExportFile.objects.get(request=filed).downloads == 2
    ExportFile.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert bob_client.get(url).status_code == 410


@pytest.mark.django_db
def test_RI2_progress_is_stored_on_the_request_and_served_to_the_page(bob, bob_client, django_capture_on_commit_callbacks):
    filed = _file(bob, django_capture_on_commit_callbacks, "portability")
    status = bob_client.get(f"/privacy/center/requests/{filed.pk}/status.json").json()
    assert status == {"status": "completed", "progress": 100}


@pytest.mark.django_db
def test_RI3_self_service_correction_applies_and_tells_the_organization(
        alice, bob, bob_client, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = bob_client.post("/privacy/center/correct/", {
            "first_name": "Robert", "last_name": "Berg", "phone": "+49 30 7654321", "position": "",
            "residence_country": "DE", "password": PASSWORD})
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.first_name == "Robert" and bob.phone == "+49 30 7654321"
    done = RightsRequest.objects.get(request_type="rectification")
    assert done.status == Status.COMPLETED and sorted(done.answer["fields"]) == ["first_name", "phone"]
    notice = AuditEntry.objects.get(event="rights.recipients_notified")
    assert notice.details["fields"] == ["first_name", "phone"]
    told = [m for m in mail.outbox if alice.email in m.to]
    assert told and "Robert" not in told[0].body and "first_name" in told[0].body


@pytest.mark.django_db
def test_RI3_correction_needs_the_password_and_valid_values(bob, bob_client):
    no_password = bob_client.post("/privacy/center/correct/", {
        "first_name": "Robert", "residence_country": "DE"})
    bad_phone = bob_client.post("/privacy/center/correct/", {
        "first_name": "Bob", "last_name": "Berg", "phone": "call me", "residence_country": "DE",
        "password": PASSWORD})
    assert no_password.status_code == 400 and bad_phone.status_code == 400
    bob.refresh_from_db()
    assert bob.first_name == "Bob" and not RightsRequest.objects.exists()


@pytest.mark.django_db
def test_RI3_officer_applies_a_correction_the_person_cannot_make(alice_client, bob, django_capture_on_commit_callbacks):
    filed = _file(bob, django_capture_on_commit_callbacks, "rectification",
                  details="My email is now robert@alpha.example")
    assert filed.status == Status.VERIFIED  # waits for the officer
    response = alice_client.post(f"/o/alpha/privacy/requests/{filed.pk}/", {
        "action": "rectify", "field": "email", "value": "robert@alpha.example"})
    assert response.status_code == 302
    bob.refresh_from_db()
    filed.refresh_from_db()
    assert bob.email == "robert@alpha.example" and filed.status == Status.COMPLETED
    assert AuditEntry.objects.filter(event="rights.recipients_notified", subject_id=bob.pk).exists()


@pytest.mark.django_db
def test_RI4_erasure_removes_every_registered_record_and_ends_sessions(
        world, bob_client, django_capture_on_commit_callbacks, use_policy):
    from officium.privacy.policy.loader import resolve_policy_path

    # Without a record obligation (WT10 keeps working-time records: see tests/workforce).
    text = resolve_policy_path("officeportal").read_text(encoding="utf-8")
    obligations = text[text.index("record_obligations:"):text.index("\nrights:")]
    use_policy("officeportal", (obligations, ""))
    bob_id = world.bob.pk
    assert registered_pks(bob_id)
    assert bob_client.get("/privacy/center/").status_code == 200
    filed = _file(world.bob, django_capture_on_commit_callbacks, "erasure")
    filed.refresh_from_db()
    assert filed.status == Status.COMPLETED
    left = {label: pks for label, pks in registered_pks(bob_id).items()}
    assert left == {}, left
    assert not User.objects.filter(pk=bob_id).exists()
    assert bob_client.get("/privacy/center/").status_code == 302  # signed out
    assert filed.answer["removed"] and filed.answer["kept"]
    assert filed.email == ""  # the request stays, detached from the person
    assert registered_pks(world.alice.pk)  # nobody else lost anything


@pytest.mark.django_db
def test_RI4_erasure_keeps_held_data_and_names_the_hold(world, django_capture_on_commit_callbacks):
    from officium.privacy.retention.holds import place_hold

    place_hold(actor_id=world.alice.pk, organization_id=world.alice_org.pk,
               reason_kind="dispute", reason="Pending employment tribunal case 42",
               until=timezone.localdate() + timedelta(days=90), subject_id=world.bob.pk,
               data_type="membership")
    filed = _file(world.bob, django_capture_on_commit_callbacks, "erasure")
    reasons = [k["reason"] for k in filed.answer["kept"]]
    assert "Pending employment tribunal case 42" in reasons
    assert registered_pks(world.bob.pk).get("accounts.Membership")


@pytest.mark.django_db
def test_RI5_restriction_stops_processing_except_for_legal_claims(use_policy, bob, alice, django_capture_on_commit_callbacks):
    use_policy("officexlr")
    _file(bob, django_capture_on_commit_callbacks, "restriction", country="IN")
    actor = alice.memberships.get()
    restricted = set(restricted_subjects(AccessContext(actor, "attendance", User, frozenset())).values_list("subject_id", flat=True))
    assert restricted == {bob.pk}
    assert restricted_subjects(AccessContext(actor, "legal_compliance", User, frozenset())) is None
    from officium.attendance.models import LocationEvent

    qs = LocationEvent.objects.for_purpose(actor, "attendance")
    assert str(bob.pk) in str(qs.query) or "rights_restrictionflag" in str(qs.query)


@pytest.mark.django_db
def test_RI5_RI6_for_purpose_drops_restricted_and_objected_subjects(
        use_policy, world, django_capture_on_commit_callbacks):
    from officium.attendance.models import LocationEvent

    use_policy("officexlr")
    actor = world.alice_membership
    actor.can_see_report_locations = True  # bob reports to alice
    actor.save(update_fields=["can_see_report_locations"])
    members = lambda purpose: set(LocationEvent.objects.for_purpose(actor, purpose)  # noqa: E731
                                  .values_list("member__user_id", flat=True))
    now = timezone.now()
    for membership in (world.bob_membership, world.alice_membership):
        LocationEvent.objects.create(organization=world.alice_org, member=membership,
                                     kind="attendance", occurred_at=now, received_at=now,
                                     latitude=52.5, longitude=13.4, location_status="recorded")
    assert {world.bob.pk, world.alice.pk} <= members("attendance")
    _file(world.bob, django_capture_on_commit_callbacks, "objection", country="IN",
          purposes=["attendance"])
    assert world.bob.pk not in members("attendance")
    assert world.alice.pk in members("attendance")
    _file(world.bob, django_capture_on_commit_callbacks, "restriction", country="IN")
    assert world.bob.pk not in members("attendance")
    assert LocationEvent.objects.filter(member=world.bob_membership).exists()  # kept, not processed


@pytest.mark.django_db
def test_RI6_objection_to_marketing_is_absolute(use_policy, bob, alice, django_capture_on_commit_callbacks):
    use_policy("officexlr")
    actor = alice.memberships.get()
    _file(bob, django_capture_on_commit_callbacks, "objection", country="IN", purposes=["marketing"])
    for purpose in ("marketing", "targeted_advertising", "social_media"):
        objected = objected_subjects(AccessContext(actor, purpose, User, frozenset()))
        assert set(objected.values_list("subject_id", flat=True)) == {bob.pk}, purpose
    other = objected_subjects(AccessContext(actor, "fraud_prevention", User, frozenset()))
    assert not other.exists()


@pytest.mark.django_db
def test_RI7_ccpa_categories_are_mapped_from_dpv_terms():
    assert ccpa.ccpa_category("pd:Name") == ccpa.IDENTIFIERS
    assert ccpa.ccpa_category("pd:EmailAddressWork") == ccpa.IDENTIFIERS
    assert ccpa.ccpa_category("pd:GPSCoordinate") == ccpa.GEOLOCATION
    assert ccpa.ccpa_category("pd:Password") == ccpa.SENSITIVE
    assert ccpa.ccpa_category("pd:WorkHistory") == ccpa.PROFESSIONAL
    assert ccpa.ccpa_category("pd:BrowsingBehaviour") == ccpa.NETWORK


@pytest.mark.django_db
def test_RI7_ccpa_know_delete_and_opt_out(use_policy, world, django_capture_on_commit_callbacks):
    use_policy("officexlr")
    bob = world.bob
    know = _file(bob, django_capture_on_commit_callbacks, "ccpa_know_pieces", country="US", region="US-CA")
    assert know.answer["export"] and ccpa.IDENTIFIERS in know.answer["ccpa_categories"]
    assert know.answer["sold"] == []
    opt = _file(bob, django_capture_on_commit_callbacks, "ccpa_opt_out_of_sale", country="US", region="US-CA")
    assert opt.answer["opted_out"] is True
    objected = objected_subjects(AccessContext(world.alice_membership, "targeted_advertising", User, frozenset()))
    assert bob.pk in set(objected.values_list("subject_id", flat=True))
    gone = _file(bob, django_capture_on_commit_callbacks, "ccpa_delete", country="US", region="US-CA")
    assert gone.status == Status.COMPLETED and registered_pks(bob.pk) == {}
