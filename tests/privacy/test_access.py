"""PU1: every read names a declared purpose, declared for the categories it touches; the
result is scoped to the actor's organization and filtered by rules and subject filters.
SE1: sensitive reads are audited and the subject sees who read their data."""

from __future__ import annotations

import pytest

from officium.accounts.models import Membership, User
from officium.privacy import access, audit
from officium.privacy.access import AccessContext, PurposeNotAllowed, UndeclaredPurpose
from officium.privacy.audit.models import AuditEntry
from officium.privacy.policy.loader import PROFILES


def guarded(model):
    """The purpose-bound queryset of a model (the accounts models keep Django's managers)."""
    return access.PurposeQuerySet(model=model)


@pytest.mark.django_db
def test_PU1_undeclared_purpose_is_refused(alice):
    with pytest.raises(UndeclaredPurpose):
        guarded(User).for_purpose(alice.memberships.get(), "selling_profiles")


@pytest.mark.django_db
def test_PU1_purpose_not_declared_for_the_categories_is_refused(alice):
    actor = alice.memberships.get()
    # OfficePortal's marketing purpose covers names and emails, not phone numbers or roles.
    with pytest.raises(PurposeNotAllowed, match="pd:TelephoneNumber"):
        guarded(User).for_purpose(actor, "marketing")
    with pytest.raises(PurposeNotAllowed, match="pd:GroupMembership"):
        guarded(Membership).for_purpose(actor, "marketing")
    # Naming only the fields the purpose covers is allowed (consent then decides whose rows).
    assert guarded(User).for_purpose(actor, "marketing", fields=["first_name", "email"]).count() >= 0


@pytest.mark.django_db
@pytest.mark.parametrize("name", PROFILES)
def test_PU1_every_profile_declares_the_platform_purposes(use_policy, name, alice):
    """The same purpose ids in every profile: accounts for service provision, check-ins and
    devices for attendance."""
    use_policy(name)
    actor = alice.memberships.get()
    for model in (User, Membership):
        guarded(model).for_purpose(actor, "service_provision").count()
    from officium.privacy import registry

    attendance_models = [r.model for r in registry.registrations()
                         if r.model._meta.app_label == "attendance" and r.data_type in
                         ("location", "attendance", "device")]
    assert attendance_models
    for model in attendance_models:
        model.objects.for_purpose(actor, "attendance").count()


@pytest.mark.django_db
def test_PU1_reads_are_scoped_to_the_actors_organization(alice, bob, charlie):
    rows = guarded(User).for_purpose(alice.memberships.get(), "service_provision")
    assert set(rows) == {alice, bob}
    memberships = guarded(Membership).for_purpose(charlie.memberships.get(), "service_provision")
    assert [m.user for m in memberships] == [charlie]


@pytest.mark.django_db
def test_PU1_rules_filter_rows(monkeypatch, alice, bob):
    def members_see_themselves(ctx: AccessContext, qs):
        return qs if ctx.actor.role == "owner" else qs.filter(user_id=ctx.actor.user_id)

    monkeypatch.setitem(access._rules, Membership, [members_see_themselves])
    assert guarded(Membership).for_purpose(alice.memberships.get(), "service_provision").count() == 2
    assert [m.user for m in guarded(Membership).for_purpose(bob.memberships.get(),
                                                           "service_provision")] == [bob]


@pytest.mark.django_db
def test_PU1_subject_filters_drop_subjects_for_a_purpose(monkeypatch, alice, bob):
    seen: list[AccessContext] = []

    def objected(ctx: AccessContext):
        seen.append(ctx)
        return [bob.pk] if ctx.purpose == "fraud_prevention" else None

    monkeypatch.setattr(access, "_subject_filters", [*access._subject_filters, objected])
    actor = alice.memberships.get()
    fraud = guarded(User).for_purpose(actor, "fraud_prevention", fields=["first_name"])
    assert set(fraud) == {alice}
    assert set(guarded(User).for_purpose(actor, "service_provision")) == {alice, bob}
    assert seen[0].model is User and "pd:Name" in seen[0].categories


@pytest.mark.django_db
def test_SE1_subject_sees_who_read_their_sensitive_data(alice, bob, bob_client, alice_client):
    actor = alice.memberships.get()
    context = AccessContext(actor=actor, purpose="attendance", model=Membership,
                            categories=frozenset({"pd:GPSCoordinate"}))
    audit.record_reads(context, [bob.pk], ["pd:GPSCoordinate"])
    page = bob_client.get("/privacy/my-reads/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Alice Anders" in html and "attendance" in html and "GPS" in html
    assert 'data-nav="privacy:my_reads"' in html  # UX3: the menu links it
    assert "Nobody has read your sensitive data" in alice_client.get("/privacy/my-reads/").content.decode()


@pytest.mark.django_db
def test_SE1_real_sensitive_read_is_listed_for_its_subject(world, alice_client, bob_client):
    """A purpose-bound read of documents (sensitive) writes one entry per subject."""
    from officium.portal.models import File

    before = AuditEntry.objects.filter(event="privacy.sensitive_read").count()
    files = list(File.objects.for_purpose(world.alice_membership, "service_provision"))
    assert files
    entries = AuditEntry.objects.filter(event="privacy.sensitive_read").order_by("seq")[before:]
    assert {e.subject_id for e in entries} == {f.uploaded_by_id for f in files}
    html = alice_client.get("/privacy/my-reads/").content.decode()
    assert "Service Provision" in html and "Personal Documents" in html
    assert "Nobody has read" in bob_client.get("/privacy/my-reads/").content.decode()


@pytest.mark.django_db
def test_SE1_my_reads_needs_a_sign_in(client):
    assert client.get("/privacy/my-reads/").status_code == 302


@pytest.mark.django_db
def test_PV1_SE1_one_page_lists_every_read_with_the_readers_role_location_reads_included(
        alice, bob, bob_client):
    from officium.attendance.models import AttendanceRecord
    from officium.portal.models import File

    actor = alice.memberships.get()
    for model, terms in ((AttendanceRecord, ["pd:GPSCoordinate"]), (File, ["pd:PersonalDocuments"])):
        audit.record_reads(AccessContext(actor=actor, purpose="attendance", model=model,
                                         categories=frozenset(terms)), [bob.pk], terms)
    html = bob_client.get("/privacy/my-reads/").content.decode()
    table = html[html.index('id="my-reads"'):]
    assert table.count("Alice Anders") == 2 and table.count("Owner, Alpha") == 2
    assert "GPS Coordinate" in table and "Records: Attendance records" in table
    location = bob_client.get("/privacy/my-reads/?kind=location").content.decode()
    only = location[location.index('id="my-reads"'):]
    assert only.count("Alice Anders") == 1 and "GPS Coordinate" in only
    assert "Location reads only</strong>" in location
    old = bob_client.get("/o/alpha/attendance/location-reads/")
    assert old.status_code == 302 and old["Location"] == "/privacy/my-reads/?kind=location"
