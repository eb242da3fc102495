"""RI8: due dates from the policy, one extension with a reason told to the requester, a
pause that stops the clock, reminders to officers, and the queue ordered by time left."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from officium.privacy.audit.models import AuditEntry
from officium.privacy.rights import deadlines, intake
from officium.privacy.rights.models import RequestEvent, RightsRequest, Status
from officium.privacy.rights.reminders import send_reminders


def _restriction(bob, **extra):
    return intake.file_for_account(bob, request_type="restriction", country="IN", **extra)


@pytest.mark.django_db
def test_RI8_gdpr_due_date_is_one_month_and_extends_by_two_once(bob, alice_client):
    filed = intake.file_for_account(bob, request_type="objection", country="DE",
                                    purposes=["attendance"])
    received = timezone.localdate(filed.received_at)
    month = received.month % 12 + 1
    assert filed.due_on.month == month and filed.rights_group == "gdpr"
    with pytest.raises(Exception) as no_reason:
        deadlines.extend(filed, None, "")
    assert "reason" in no_reason.value.message_dict
    mail.outbox.clear()
    response = alice_client.post(f"/o/alpha/privacy/requests/{filed.pk}/", {
        "action": "extend", "reason": "Records sit in three systems"})
    assert response.status_code == 302
    filed.refresh_from_db()
    assert (filed.due_on.year * 12 + filed.due_on.month) - (received.year * 12 + received.month) == 3
    assert filed.subject_told_of_extension_at is not None
    again = alice_client.post(f"/o/alpha/privacy/requests/{filed.pk}/", {
        "action": "extend", "reason": "More"})
    assert again.status_code == 400
    assert RequestEvent.objects.filter(request=filed, kind="extended").count() == 1
    assert AuditEntry.objects.filter(event="rights.extended").count() == 1


@pytest.mark.django_db
def test_RI8_extension_must_be_told_within_the_first_period(bob):
    filed = intake.file_for_account(bob, request_type="objection", country="DE", purposes=["attendance"])
    RightsRequest.objects.filter(pk=filed.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    filed.refresh_from_db()
    with pytest.raises(Exception) as late:
        deadlines.extend(filed, None, "late")
    assert "before the first deadline" in str(late.value)


@pytest.mark.django_db
def test_RI8_ccpa_gets_one_45_day_extension(use_policy, bob, django_capture_on_commit_callbacks):
    use_policy("officexlr")
    with django_capture_on_commit_callbacks(execute=True):
        filed = intake.file_public(email="carol@example.com", request_type="ccpa_know_categories",
                                   country="US", region="US-CA")
    before = filed.due_on
    deadlines.extend(filed, None, "Verifying identity across systems")
    assert filed.due_on == before + timedelta(days=45)


@pytest.mark.django_db
def test_RI8_pause_stops_the_clock_and_resume_moves_the_due_date(bob, alice):
    filed = intake.file_public(email="dora@example.com", request_type="access", country="DE")
    due = filed.due_on
    officer = alice.memberships.get()
    deadlines.pause(filed, officer.user, "Which account do you mean?")
    assert filed.status == Status.PAUSED
    RightsRequest.objects.filter(pk=filed.pk).update(paused_at=timezone.now() - timedelta(days=5))
    filed.refresh_from_db()
    deadlines.resume(filed, officer.user)
    filed.refresh_from_db()
    assert filed.status == Status.AWAITING_VERIFICATION and filed.due_on == due + timedelta(days=5)
    kinds = list(filed.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["paused", "resumed"]


@pytest.mark.django_db
def test_RI8_queue_is_ordered_by_time_left_with_a_countdown(bob, alice, alice_client):
    officer = alice.memberships.get()
    late = intake.file_by_officer(officer, bob.memberships.get(), request_type="rectification",
                                  country="DE", details="Wrong name")
    soon = intake.file_by_officer(officer, alice.memberships.get(), request_type="rectification",
                                  country="DE", details="Wrong phone")
    RightsRequest.objects.filter(pk=late.pk).update(due_on=timezone.localdate() + timedelta(days=20))
    RightsRequest.objects.filter(pk=soon.pk).update(due_on=timezone.localdate() + timedelta(days=2))
    page = alice_client.get("/o/alpha/privacy/requests/").content.decode()
    assert page.index(soon.ref) < page.index(late.ref)
    assert "2 days left" in page and "20 days left" in page


@pytest.mark.django_db
def test_RI8_officers_are_reminded_once_a_day_of_requests_coming_due(bob, alice, django_capture_on_commit_callbacks):
    officer = alice.memberships.get()
    filed = intake.file_by_officer(officer, bob.memberships.get(), request_type="rectification",
                                   country="DE", details="Wrong name")
    RightsRequest.objects.filter(pk=filed.pk).update(due_on=timezone.localdate() + timedelta(days=3))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders() == 1
        assert send_reminders() == 0
    assert [m.to for m in mail.outbox] == [[alice.email]]
    assert "due" in mail.outbox[0].subject


@pytest.mark.django_db
def test_RI8_officer_denies_with_a_reason_and_the_requester_is_told(bob, alice, alice_client, django_capture_on_commit_callbacks):
    filed = intake.file_by_officer(alice.memberships.get(), bob.memberships.get(), request_type="rectification",
                                   country="DE", details="x")
    empty = alice_client.post(f"/o/alpha/privacy/requests/{filed.pk}/", {"action": "deny", "reason": ""})
    assert empty.status_code == 400
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(f"/o/alpha/privacy/requests/{filed.pk}/", {"action": "deny",
                                                                    "reason": "Manifestly unfounded"})
    filed.refresh_from_db()
    assert filed.status == Status.DENIED and filed.decision_reason == "Manifestly unfounded"
    assert any("Manifestly unfounded" in m.body for m in mail.outbox)
    page = alice_client.get(f"/o/alpha/privacy/requests/{filed.pk}/").content.decode()
    assert "Denied" in page and "Manifestly unfounded" in page


@pytest.mark.django_db
def test_RI8_every_step_is_in_the_history_and_the_audit_log(bob, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        filed = intake.file_for_account(bob, request_type="do_you_hold_my_data", country="DE")
    kinds = list(filed.events.values_list("kind", flat=True))
    assert kinds == ["received", "verified", "started", "completed"]
    audited = list(AuditEntry.objects.filter(target_id=str(filed.pk), event__startswith="rights.")
                   .values_list("event", flat=True))
    assert audited == [f"rights.{k}" for k in kinds]


def test_RI8_period_arithmetic_is_calendar_months():
    from officium.privacy.policy.sections import Period

    assert Period(months=1).add_to(date(2025, 1, 31)) == date(2025, 2, 28)


@pytest.mark.django_db
def test_RI8_public_requests_are_in_the_platform_queue_only(world, alice_client, client):
    from tests.conftest import PASSWORD

    from officium.accounts.models import User

    filed = intake.file_public(email="erin@example.com", request_type="access", country="DE")
    staff = User.objects.create_user("staff@officium.example", PASSWORD, is_active=True, is_staff=True)
    client.force_login(staff)
    page = client.get("/privacy/platform/requests/")
    assert page.status_code == 200
    body = page.content.decode()
    assert filed.ref in body and "received" in body and "erin@example.com" not in body
    assert filed.ref not in alice_client.get("/o/alpha/privacy/requests/").content.decode()
    assert alice_client.get("/privacy/platform/requests/").status_code == 404  # an org officer
    client.logout()
    assert client.get("/privacy/platform/requests/").status_code == 404
