"""Inviting members with a role and a reporting manager, changing roles, removing members;
pages and API, each change audited, bad input refused with nothing written."""

import re

import pytest
from django.core import mail
from django.test import Client

from officium.accounts.models import Invitation, Membership
from officium.privacy.audit.models import AuditEntry


@pytest.mark.django_db
def test_owner_invites_member_who_joins_with_role_and_manager(alice_client, alice, alice_org,
                                                              django_capture_on_commit_callbacks):
    manager = alice.memberships.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post("/o/alpha/members/invite/", {
            "email": "Dora@alpha.example", "role": "manager", "reports_to": manager.pk})
    assert response.status_code == 302
    assert mail.outbox[0].to == ["dora@alpha.example"]
    path = re.search(r"(/accounts/invitations/[^\s]+/)", mail.outbox[0].body).group(1)

    newcomer = Client()
    assert b"Join Alpha Secret Works" in newcomer.get(path).content
    response = newcomer.post(path, {"first_name": "Dora", "last_name": "Diaz",
                                    "new_password1": "dora-long-passphrase-1"})
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="dora@alpha.example")
    assert (membership.organization, membership.role, membership.reports_to) == (alice_org, "manager", manager)
    assert membership.user.is_active
    assert newcomer.post(path, {}).status_code == 404  # single use
    events = set(AuditEntry.objects.values_list("event", flat=True))
    assert {"accounts.member_invited", "accounts.member_joined"} <= events


@pytest.mark.django_db
@pytest.mark.parametrize("data, field", [
    ({"email": "not-an-email", "role": "member"}, "email"),
    ({"email": "bob@alpha.example", "role": "member"}, "email"),  # already a member
    ({"email": "x@alpha.example", "role": "emperor"}, "role"),
])
def test_SE3_bad_invite_is_refused_and_writes_nothing(alice_client, bob, data, field):
    before = (Invitation.objects.count(), AuditEntry.objects.count())
    response = alice_client.post("/o/alpha/members/invite/", data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert (Invitation.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.django_db
def test_member_cannot_invite_or_manage(bob_client, alice):
    assert bob_client.get("/o/alpha/members/invite/").status_code == 403
    owner = alice.memberships.get()
    assert bob_client.post(f"/o/alpha/members/{owner.pk}/remove/").status_code == 403
    assert Membership.objects.filter(pk=owner.pk).exists()


@pytest.mark.django_db
def test_owner_changes_role_and_grants_location_right(alice_client, bob):
    member = bob.memberships.get()
    response = alice_client.post(f"/o/alpha/members/{member.pk}/", {
        "role": "manager", "reports_to": "", "can_see_report_locations": "on"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == "manager" and member.can_see_report_locations
    entry = AuditEntry.objects.get(event="accounts.member_changed")
    assert entry.details["before"]["role"] == "member" and "bob" not in str(entry.details)


@pytest.mark.django_db
def test_last_owner_cannot_be_demoted_or_removed(alice_client, alice):
    owner = alice.memberships.get()
    response = alice_client.post(f"/o/alpha/members/{owner.pk}/", {"role": "member"})
    assert response.status_code == 400
    alice_client.post(f"/o/alpha/members/{owner.pk}/remove/")
    owner.refresh_from_db()
    assert owner.role == "owner"


@pytest.mark.django_db
def test_owner_removes_member(alice_client, bob):
    member = bob.memberships.get()
    assert alice_client.post(f"/o/alpha/members/{member.pk}/remove/").status_code == 302
    assert not Membership.objects.filter(pk=member.pk).exists()
    assert AuditEntry.objects.filter(event="accounts.member_removed", subject_id=bob.pk).exists()


@pytest.mark.django_db
def test_members_page_lists_members(alice_client, bob):
    page = alice_client.get("/o/alpha/members/").content.decode()
    assert "bob@alpha.example" in page and "Invite someone" in page


# --- API ---------------------------------------------------------------------------------

@pytest.fixture
def alice_api(alice):
    from officium.accounts.services import create_api_token

    _, raw = create_api_token(alice, "test")
    return Client(headers={"authorization": f"Bearer {raw}"})


@pytest.mark.django_db
def test_api_lists_organizations_and_members(alice_api, bob):
    orgs = alice_api.get("/api/orgs").json()
    assert [o["slug"] for o in orgs] == ["alpha"]
    emails = {m["email"] for m in alice_api.get("/api/orgs/alpha/members").json()}
    assert emails == {"alice@alpha.example", "bob@alpha.example"}


@pytest.mark.django_db
def test_api_invite_and_bad_input(alice_api, alice):
    created = alice_api.post("/api/orgs/alpha/members", {"email": "eve@alpha.example", "role": "member"},
                             content_type="application/json")
    assert created.status_code == 201 and created.json()["email"] == "eve@alpha.example"
    bad = alice_api.post("/api/orgs/alpha/members", {"email": "nope", "role": "member"},
                         content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "email"
    duplicate = alice_api.post("/api/orgs/alpha/members", {"email": "eve@alpha.example", "role": "member"},
                               content_type="application/json")
    assert duplicate.status_code == 400 and duplicate.json()["field"] == "email"
    assert Invitation.objects.count() == 1


@pytest.mark.django_db
def test_api_requires_authentication_and_valid_token(db):
    assert Client().get("/api/orgs").status_code == 401
    assert Client(headers={"authorization": "Bearer ofc_forged"}).get("/api/orgs").status_code == 401


@pytest.mark.django_db
def test_api_revoked_token_is_refused(alice):
    from officium.accounts.services import create_api_token, revoke_api_token

    token, raw = create_api_token(alice, "temp")
    revoke_api_token(alice, token)
    assert Client(headers={"authorization": f"Bearer {raw}"}).get("/api/orgs").status_code == 401


@pytest.mark.django_db
def test_api_token_shows_when_it_was_last_used_to_the_minute(alice):
    from datetime import timedelta

    from django.utils import timezone

    from officium.accounts.models import ApiToken
    from officium.accounts.services import create_api_token

    token, raw = create_api_token(alice, "laptop")
    api = Client(headers={"authorization": f"Bearer {raw}"})
    assert token.last_used_at is None
    assert api.get("/api/orgs").status_code == 200
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None and timezone.now() - first < timedelta(seconds=5)
    assert api.get("/api/orgs").status_code == 200  # within the minute: not written again
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    assert api.get("/api/orgs").status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_openapi_document_is_served(client, db):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert "/api/orgs/{org}/members" in response.json()["paths"]
