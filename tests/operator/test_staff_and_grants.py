"""OP1-OP3, PU6: staff accounts from the command must enrol two-step sign-in; the console shows
metadata only; staff see an organization only inside a live grant, every access audited and
listed to its admins; grants expire and are revoked at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from tests.operator.conftest import enrol

from officium.accounts.models import User
from officium.operator.models import StaffAccount, SupportAccess, SupportGrant
from officium.operator.staff import main as staff_command
from officium.privacy.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_OP3_staff_create_makes_an_active_staff_account_that_must_enrol_two_step_first(capsys):
    assert staff_command(["create", "Nora@Operator.example"]) == 0
    printed = capsys.readouterr().out
    assert "/accounts/password/reset/" in printed and "two-step" in printed
    user = User.objects.get(email="nora@operator.example")
    assert user.is_active and user.is_staff and not user.is_superuser and StaffAccount.objects.filter(user=user).exists()
    assert staff_command(["create", "nora@operator.example"]) == 2  # exists already
    assert staff_command(["create", "not-an-address"]) == 2
    client = Client()
    client.force_login(user)
    for path in ("/", "/operator/", "/forum/"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer["Location"] == "/accounts/security/two-step/"
    assert client.get("/api/billing/orgs/alpha/subscription").status_code == 403
    assert client.get("/accounts/security/two-step/").status_code == 200
    enrol(user)
    assert client.get("/operator/").status_code == 200


def test_OP1_console_shows_organizations_metadata_and_never_members(staff_client, alice_org, bob, charlie_org):
    page = staff_client.get("/operator/").content.decode()
    assert alice_org.name in page and charlie_org.name in page and "free" in page
    assert bob.email not in page and bob.last_name not in page
    detail = staff_client.get(f"/operator/orgs/{alice_org.pk}/").content.decode()
    assert "2 members" in detail and bob.email not in detail and bob.last_name not in detail


def test_OP1_console_is_for_staff_only(alice_client, alice_org):
    assert alice_client.get("/operator/").status_code == 404
    assert alice_client.get(f"/operator/orgs/{alice_org.pk}/").status_code == 404


def _grant(alice_client, staff, **overrides):
    data = {"staff_email": staff.email, "areas": ["members", "settings"], "access": "read",
            "reason": "Invitations bounce", "expires_at": (timezone.now() + dt.timedelta(hours=2))
            .astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M"), **overrides}
    return alice_client.post("/o/alpha/support-access/", data)


def test_OP2_PU6_staff_see_the_organization_only_during_a_live_grant(alice_client, staff_client, staff,
                                                                     alice_org, bob):
    members = f"/operator/support/{alice_org.pk}/members/"
    assert staff_client.get(members).status_code == 404
    assert _grant(alice_client, staff).status_code == 302
    grant = SupportGrant.objects.get()
    assert grant.areas == ["members", "settings"] and grant.access == "read"
    page = staff_client.get(members)
    assert page.status_code == 200 and bob.last_name in page.content.decode()
    assert staff_client.get(f"/operator/support/{alice_org.pk}/billing/").status_code == 404  # not granted
    # read only: no change
    assert staff_client.post(f"/operator/support/{alice_org.pk}/settings/", {"time_zone": "Europe/Paris"}
                             ).status_code == 404
    access = SupportAccess.objects.get()
    assert access.area == "members" and access.staff_id == staff.pk
    assert AuditEntry.objects.filter(event="operator.support_access", organization_id=alice_org.pk).count() == 1
    listed = alice_client.get("/o/alpha/support-access/").content.decode()
    assert staff.email in listed and "viewed" in listed
    # revoked at once
    assert alice_client.post(f"/o/alpha/support-access/{grant.pk}/revoke/").status_code == 302
    assert staff_client.get(members).status_code == 404
    # expired
    SupportGrant.objects.create(organization=alice_org, staff=staff, areas=["members"], reason="x" * 5,
                                starts_at=timezone.now() - dt.timedelta(hours=3),
                                expires_at=timezone.now() - dt.timedelta(hours=1))
    assert staff_client.get(members).status_code == 404


def test_OP2_write_grant_lets_staff_change_settings_and_the_change_is_audited(alice_client, staff_client, staff,
                                                                              alice_org):
    assert _grant(alice_client, staff, access="write").status_code == 302
    answer = staff_client.post(f"/operator/support/{alice_org.pk}/settings/", {"time_zone": "Europe/Paris"})
    assert answer.status_code == 302
    alice_org.refresh_from_db()
    assert alice_org.time_zone == "Europe/Paris"
    assert AuditEntry.objects.filter(event="operator.support_change").count() == 1


@pytest.mark.parametrize("overrides, field", [
    ({"expires_at": "2020-01-01T10:00"}, "expires_at"),
    ({"staff_email": "bob@alpha.example"}, "staff_email"),
    ({"areas": ["everything"]}, "areas"),
    ({"reason": ""}, "reason"),
])
def test_OP2_bad_grants_are_refused_and_nothing_is_written(alice_client, staff, bob, overrides, field):
    entries = AuditEntry.objects.count()
    answer = _grant(alice_client, staff, **overrides)
    assert answer.status_code == 400 and field in answer.context["form"].errors
    assert not SupportGrant.objects.exists() and AuditEntry.objects.count() == entries


def test_OP2_only_admins_grant(bob_client, staff):
    assert _grant(bob_client, staff).status_code == 403
    assert not SupportGrant.objects.exists()
