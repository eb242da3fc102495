"""UX2: a new owner is led through time zone, first site, invitations and plan; each step
skippable and resumable; a checklist on the dashboard until done."""

from __future__ import annotations

import pytest
from tests import factories

from officium.accounts.models import Invitation, Organization

pytestmark = pytest.mark.django_db


def _org(alice_org):
    return Organization.objects.get(pk=alice_org.pk)


def test_UX2_a_new_owner_is_led_to_setup_and_walks_every_step(alice_org, alice_client):
    assert alice_client.get("/")["Location"] == "/o/alpha/welcome/"
    assert alice_client.get("/o/alpha/welcome/")["Location"] == "/o/alpha/welcome/time_zone/"
    page = alice_client.get("/o/alpha/welcome/time_zone/")
    assert page.status_code == 200 and "Step 1 of 4" in page.content.decode()
    saved = alice_client.post("/o/alpha/welcome/time_zone/", {"action": "save", "time_zone": "Europe/Berlin"})
    assert saved["Location"] == "/o/alpha/welcome/site/"
    assert _org(alice_org).time_zone == "Europe/Berlin"
    site_page = alice_client.get("/o/alpha/welcome/site/").content.decode()
    assert "/o/alpha/attendance/sites/new/?next=/o/alpha/welcome/site/" in site_page
    drawn = alice_client.post("/o/alpha/attendance/sites/new/", {
        "name": "Head office", "shape": "circle", "center_latitude": "52.52", "center_longitude": "13.405",
        "radius_m": "100", "next": "/o/alpha/welcome/site/"})
    assert drawn.status_code == 302 and drawn["Location"] == "/o/alpha/welcome/site/"
    assert alice_client.post("/o/alpha/welcome/site/", {"action": "continue"})["Location"] == "/o/alpha/welcome/invite/"
    invited = alice_client.post("/o/alpha/welcome/invite/", {"action": "save", "email": "new@alpha.example",
                                                             "role": "member"})
    assert invited["Location"] == "/o/alpha/welcome/invite/"
    assert Invitation.objects.filter(email="new@alpha.example").exists()
    assert alice_client.post("/o/alpha/welcome/invite/", {"action": "continue"})["Location"] == "/o/alpha/welcome/plan/"
    finished = alice_client.post("/o/alpha/welcome/plan/", {"action": "continue"})
    assert finished["Location"] == "/o/alpha/"
    assert 'id="onboarding-checklist"' not in alice_client.get("/o/alpha/").content.decode()
    assert alice_client.get("/")["Location"] == "/o/alpha/"


def test_UX2_steps_are_skippable_and_resumable_with_a_checklist_until_done(alice_org, alice_client):
    assert alice_client.post("/o/alpha/welcome/time_zone/", {"action": "skip"})["Location"] == "/o/alpha/welcome/site/"
    # Leaving halfway: the dashboard shows the checklist and setup resumes at the first open step.
    dashboard = alice_client.get("/o/alpha/").content.decode()
    assert 'id="onboarding-checklist"' in dashboard and "Continue setup" in dashboard
    assert alice_client.get("/o/alpha/welcome/")["Location"] == "/o/alpha/welcome/site/"
    for step in ("site", "invite", "plan"):
        alice_client.post(f"/o/alpha/welcome/{step}/", {"action": "skip"})
    assert alice_client.get("/o/alpha/welcome/")["Location"] == "/o/alpha/"
    dashboard = alice_client.get("/o/alpha/").content.decode()
    assert 'id="onboarding-checklist"' in dashboard and "skipped" in dashboard  # until done
    alice_client.post("/o/alpha/welcome/dismiss/")
    assert 'id="onboarding-checklist"' not in alice_client.get("/o/alpha/").content.decode()


def test_UX2_bad_input_names_the_field_and_writes_nothing(alice_org, alice_client):
    page = alice_client.post("/o/alpha/welcome/time_zone/", {"action": "save", "time_zone": "Mars/Base"})
    assert page.status_code == 400 and "time_zone" in page.content.decode()
    bad = alice_client.post("/o/alpha/welcome/invite/", {"action": "save", "email": "not-an-address", "role": "member"})
    assert bad.status_code == 400 and not Invitation.objects.exists()
    assert _org(alice_org).onboarding == {} and _org(alice_org).time_zone == alice_org.time_zone
    assert alice_client.get("/o/alpha/welcome/nowhere/").status_code == 404


def test_UX2_members_and_clients_are_not_led_through_setup(alice_org, bob_client):
    assert bob_client.get("/")["Location"] == "/o/alpha/"
    assert bob_client.get("/o/alpha/welcome/").status_code == 403
    assert 'id="onboarding-checklist"' not in bob_client.get("/o/alpha/").content.decode()
    client = factories.member(alice_org, "client")
    assert client.user.memberships.count() == 1
