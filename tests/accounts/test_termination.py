"""RE2: a terminated organization stays exportable for the grace period, then everything of it
is deleted except held data. RE3: cancelling an account removes the person's data from the
live database at once, listing what a hold keeps. Both need the password again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from tests.conftest import PASSWORD, make_user

from officium.accounts import termination
from officium.accounts.models import Membership, Organization, OrganizationStatus, User
from officium.attendance.models import LocationEvent
from officium.privacy.retention import holds
from officium.privacy.retention.models import DeletionEvidence, HoldReason
from officium.privacy.vault import keys
from officium.privacy.vault.models import OrganizationKey, SubjectKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def workoptima(use_policy):
    use_policy("workoptima")


def add_events(membership, count):
    now = timezone.now()
    LocationEvent.objects.bulk_create([
        LocationEvent(organization=membership.organization, member=membership, kind="check_in",
                      occurred_at=now, received_at=now, latitude=1.0, longitude=2.0,
                      location_status="inside") for _ in range(count)])


def test_RE2_terminate_needs_owner_and_password(workoptima, alice, bob, alice_org):
    with pytest.raises(PermissionDenied):
        termination.terminate_organization(bob.memberships.get(), PASSWORD)
    with pytest.raises(ValidationError) as error:
        termination.terminate_organization(alice.memberships.get(), "wrong")
    assert "password" in error.value.message_dict
    alice_org.refresh_from_db()
    assert alice_org.status == OrganizationStatus.ACTIVE


def test_RE2_exportable_for_30_days_then_everything_deleted_except_held(workoptima, alice, bob,
                                                                         alice_org, charlie, charlie_org):
    add_events(bob.memberships.get(), 8)
    add_events(alice.memberships.get(), 2)
    add_events(charlie.memberships.get(), 3)
    keys.organization_key(alice_org.pk)  # the portal seals its space keys under it
    org = termination.terminate_organization(alice.memberships.get(), PASSWORD)
    assert org.status == OrganizationStatus.TERMINATED
    assert termination.grace_days() == 30
    assert termination.deletion_due(org) == org.terminated_at + timedelta(days=30)
    holds.place_hold(actor_id=alice.pk, organization_id=alice_org.pk, subject_id=alice.pk,
                     data_type="location", reason_kind=HoldReason.FINANCIAL_RECORD,
                     reason="Payroll evidence", until=timezone.localdate() + timedelta(days=365))

    assert termination.purge_due_organizations(timezone.now() + timedelta(days=29)) == []
    assert LocationEvent.objects.filter(organization=alice_org).count() == 10  # still exportable

    assert termination.purge_due_organizations(timezone.now() + timedelta(days=31)) == [alice_org.pk]
    alice_org.refresh_from_db()
    assert alice_org.status == OrganizationStatus.DELETED
    assert LocationEvent.objects.filter(organization=alice_org).count() == 2  # the held ones
    assert not User.objects.filter(pk=bob.pk).exists()
    assert not SubjectKey.objects.filter(subject_id=bob.pk).exists()
    assert Membership.objects.filter(organization=alice_org).count() == 1  # needed by held rows
    assert LocationEvent.objects.filter(organization=charlie_org).count() == 3
    assert User.objects.filter(pk=charlie.pk).exists()
    evidence = DeletionEvidence.objects.filter(subject_id=bob.pk, model_label="attendance.LocationEvent")
    assert sum(e.count for e in evidence) == 8 and evidence[0].rule_id == "organization_terminated"
    assert OrganizationKey.objects.filter(organization_id=alice_org.pk).exists()  # held data needs it


def test_RE2_purge_destroys_the_organization_key(workoptima, alice, alice_org, charlie_org):
    """Once nothing is held, the organization's key goes: documents in backups stay unreadable."""
    keys.organization_key(alice_org.pk)
    keys.organization_key(charlie_org.pk)
    termination.terminate_organization(alice.memberships.get(), PASSWORD)
    termination.purge_due_organizations(timezone.now() + timedelta(days=31))
    assert not OrganizationKey.objects.filter(organization_id=alice_org.pk).exists()
    assert keys.organization_key(alice_org.pk, create=False) is None
    assert OrganizationKey.objects.filter(organization_id=charlie_org.pk).exists()


def test_RE2_terminate_page_asks_for_the_password(workoptima, alice, alice_client, alice_org):
    url = reverse("accounts:terminate", kwargs={"org": alice_org.slug})
    page = alice_client.get(url)
    assert page.status_code == 200 and b"30 days" in page.content
    bad = alice_client.post(url, {"password": "nope"})
    assert bad.status_code == 400 and b"not your password" in bad.content
    assert Organization.objects.get(pk=alice_org.pk).status == OrganizationStatus.ACTIVE
    good = alice_client.post(url, {"password": PASSWORD})
    assert good.status_code == 302
    assert Organization.objects.get(pk=alice_org.pk).status == OrganizationStatus.TERMINATED
    assert b"exported until" in alice_client.get(url).content


def test_RE2_members_cannot_open_the_terminate_page(alice, bob_client, alice_org):
    assert bob_client.get(reverse("accounts:terminate", kwargs={"org": alice_org.slug})).status_code == 403


def test_RE3_cancel_removes_the_person_at_once(alice, bob, bob_client):
    add_events(bob.memberships.get(), 4)
    url = reverse("accounts:cancel_account")
    assert bob_client.get(url).status_code == 200
    bad = bob_client.post(url, {"password": "wrong"})
    assert bad.status_code == 400 and User.objects.filter(pk=bob.pk).exists()
    done = bob_client.post(url, {"password": PASSWORD})
    assert done.status_code == 200 and b"cancelled" in done.content
    assert not User.objects.filter(pk=bob.pk).exists()
    assert not LocationEvent.objects.filter(member__user_id=bob.pk).exists()
    assert not SubjectKey.objects.filter(subject_id=bob.pk).exists()
    assert bob_client.get(reverse("accounts:security")).status_code == 302  # signed out


def test_RE3_RE4_cancel_page_lists_what_a_hold_keeps(alice, bob, bob_client, alice_org):
    add_events(bob.memberships.get(), 3)
    holds.place_hold(actor_id=alice.pk, organization_id=alice_org.pk, subject_id=bob.pk,
                     reason_kind=HoldReason.DISPUTE, reason="Pending tribunal case",
                     until=timezone.localdate() + timedelta(days=60))
    url = reverse("accounts:cancel_account")
    assert b"Pending tribunal case" in bob_client.get(url).content
    done = bob_client.post(url, {"password": PASSWORD})
    assert b"Pending tribunal case" in done.content
    assert LocationEvent.objects.filter(member__user_id=bob.pk).count() == 3


def test_RE3_sole_owner_must_hand_over_first(alice, alice_client):
    response = alice_client.post(reverse("accounts:cancel_account"), {"password": PASSWORD})
    assert response.status_code == 400 and b"only owner" in response.content
    assert User.objects.filter(pk=alice.pk).exists()


def test_RE3_sole_member_of_nothing_else_can_cancel(db):
    user = make_user("solo@example.org", "Solo")
    report = termination.cancel_account(user, PASSWORD)
    assert report.user == "deleted"
