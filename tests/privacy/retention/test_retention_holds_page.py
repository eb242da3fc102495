"""RE4: the officer's legal-holds page: place a hold (validated, 400 naming the field, nothing
written), release it; members get 403, outsiders 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from officium.accounts.models import Membership
from officium.accounts.roles import Role
from officium.privacy.retention.models import LegalHold

pytestmark = [pytest.mark.django_db]


def test_RE4_officer_places_and_releases_a_hold(alice, bob, alice_client, alice_org):
    url = reverse("retention:holds", kwargs={"org": alice_org.slug})
    assert alice_client.get(url).status_code == 200
    until = (timezone.localdate() + timedelta(days=30)).isoformat()
    bob_member = Membership.objects.get(user=bob)
    response = alice_client.post(url, {"member": bob_member.pk, "data_type": "location",
                                       "reason_kind": "dispute", "reason": "Case 12", "until": until})
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert (hold.subject_id, hold.organization_id, hold.data_type) == (bob.pk, alice_org.pk, "location")
    page = alice_client.get(url).content.decode()
    assert "Case 12" in page and "bob@alpha.example" in page
    release = reverse("retention:release_hold", kwargs={"org": alice_org.slug, "hold_id": hold.pk})
    assert alice_client.post(release).status_code == 302
    hold.refresh_from_db()
    assert hold.released_at is not None


def test_RE4_bad_hold_is_refused_naming_the_field(alice, alice_client, alice_org):
    url = reverse("retention:holds", kwargs={"org": alice_org.slug})
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = alice_client.post(url, {"reason_kind": "whim", "reason": "", "until": past})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Select a valid choice" in body and "This field is required" in body
    response = alice_client.post(url, {"reason_kind": "dispute", "reason": "x", "until": past})
    assert response.status_code == 400 and "end date" in response.content.decode()
    assert not LegalHold.objects.exists()


def test_RE4_members_get_403_outsiders_404(alice, bob, bob_client, charlie_client, alice_org):
    url = reverse("retention:holds", kwargs={"org": alice_org.slug})
    assert bob_client.get(url).status_code == 403
    assert charlie_client.get(url).status_code == 404
    Membership.objects.filter(user=bob).update(role=Role.PRIVACY_OFFICER)
    assert bob_client.get(url).status_code == 200


def test_RE4_another_organizations_hold_cannot_be_released(alice, alice_client, charlie, charlie_org):
    hold = LegalHold.objects.create(organization_id=charlie_org.pk, reason_kind="dispute", reason="x",
                                    until=timezone.localdate() + timedelta(days=3))
    alice_org_slug = alice.memberships.get().organization.slug
    url = reverse("retention:release_hold", kwargs={"org": alice_org_slug, "hold_id": hold.pk})
    assert alice_client.post(url).status_code == 404
    hold.refresh_from_db()
    assert hold.released_at is None
