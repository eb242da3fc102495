"""WT9: a check-in without a location is refused, held for review (the default) or accepted,
per organization; held ones wait in the manager's queue, where each decision is audited."""

from __future__ import annotations

import pytest
from tests.api_answers import error_fields
from tests.conftest import client_for

from officium.attendance import services
from officium.attendance.models import AttendanceRecord, AttendanceSettings
from officium.privacy.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_WT9_by_default_a_check_in_without_location_waits_for_review(alice_client, bob_client, bob_m, hq, at, api):
    assert AttendanceSettings.of(hq.organization).without_location == "review"
    at("2026-01-14T07:30")
    page = bob_client.post("/o/alpha/attendance/check-in/", {"direction": "in"}, follow=True).content.decode()
    assert "without a location at 08:30 CET: held for your manager&#x27;s review" in page
    assert "You are checked in" in page and "waiting for review" in page
    record = AttendanceRecord.objects.get()
    assert not record.accepted and record.review == "pending"

    queue = alice_client.get("/o/alpha/attendance/review/").content.decode()
    assert f'data-record="{record.pk}"' in queue and "Bob Berg" in queue and "2026-01-14 08:30 CET" in queue
    assert api(alice_client, "get", "/attendance/orgs/alpha/reviews").json()[0]["id"] == record.pk
    # The member cannot decide their own; the manager accepts.
    assert bob_client.get("/o/alpha/attendance/review/").status_code == 403
    own = api(bob_client, "post", f"/attendance/orgs/alpha/reviews/{record.pk}", {"decision": "accept"})
    assert own.status_code == 403
    assert alice_client.post(f"/o/alpha/attendance/review/{record.pk}/", {"decision": "accept"}).status_code == 302
    record.refresh_from_db()
    assert record.accepted and record.review == "accepted" and record.reviewed_by.user.email == "alice@alpha.example"
    entry = AuditEntry.objects.get(event="attendance.check_in_accepted")
    assert entry.subject_id == bob_m.user_id and entry.target_id == str(record.pk)
    assert "Nothing waits for review." in alice_client.get("/o/alpha/attendance/review/").content.decode()
    again = api(alice_client, "post", f"/attendance/orgs/alpha/reviews/{record.pk}", {"decision": "reject"})
    assert again.status_code == 400 and "decision" in error_fields(again)


def test_WT9_a_rejected_check_in_does_not_count(alice_client, bob_client, bob_m, hq, at, api):
    at("2026-01-14T07:30")
    record = services.check_in(bob_m, "in", None)
    bad = api(alice_client, "post", f"/attendance/orgs/alpha/reviews/{record.pk}", {"decision": "maybe"})
    assert bad.status_code in (400, 422)
    answer = api(alice_client, "post", f"/attendance/orgs/alpha/reviews/{record.pk}", {"decision": "reject"})
    assert answer.status_code == 200 and answer.json()["review"] == "rejected" and not answer.json()["accepted"]
    assert AuditEntry.objects.filter(event="attendance.check_in_rejected").count() == 1
    assert not api(bob_client, "get", "/attendance/orgs/alpha/clock").json()["checked_in"]


def test_WT9_refuse_and_accept_are_the_organization_s_choice(alice_m, alice_client, bob_m, hq, at):
    page = alice_client.post("/o/alpha/attendance/settings/", {"without_location": "refuse",
                                                               "repeat_check_in": "refuse"})
    assert page.status_code == 302
    refused = services.check_in(bob_m, "in", None)
    assert not refused.accepted and refused.review == ""
    services.change_settings(alice_m, "accept", None)
    accepted = services.check_in(bob_m, "in", None)
    assert accepted.accepted and accepted.review == ""
    bad = alice_client.post("/o/alpha/attendance/settings/", {"without_location": "sometimes",
                                                              "repeat_check_in": "refuse"})
    assert bad.status_code == 400 and AttendanceSettings.of(hq.organization).without_location == "accept"


def test_WT9_only_the_members_manager_or_an_administrator_reviews(alice_org, bob_m, hq, at, api):
    from tests.conftest import make_user

    from officium.accounts.models import Membership
    other = Membership.objects.create(organization=alice_org, user=make_user("max@alpha.example", "Max"),
                                      role="manager")
    record = services.check_in(bob_m, "in", None)
    client = client_for(other.user)
    assert client.get("/o/alpha/attendance/review/").content.decode().count("data-record=") == 0
    answer = api(client, "post", f"/attendance/orgs/alpha/reviews/{record.pk}", {"decision": "accept"})
    assert answer.status_code in (403, 404)
    record.refresh_from_db()
    assert record.review == "pending"
