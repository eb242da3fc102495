"""PV3: reviewed requests wait with their draft answer; the officer approves (editing the
message) or refuses with a reason; the deadline runs throughout."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from tests.factories import PASSWORD

from officium.mail.models import OutboxEmail
from officium.privacy.rights import intake
from officium.privacy.rights.models import RightsRequest, Status

pytestmark = pytest.mark.django_db
SHIPPED = Path(__file__).resolve().parents[3] / "policies"


@pytest.fixture
def shipped(use_policy):
    use_policy(SHIPPED / "officeportal.yaml")


def _erasure(world, capture):
    with capture(execute=True):
        filed = intake.file_for_account(world.bob, request_type="erasure", country="DE",
                                        password=PASSWORD)
    filed.refresh_from_db()
    return filed


def test_PV3_erasure_waits_for_review_with_its_draft(world, shipped, alice_client,
                                                     django_capture_on_commit_callbacks):
    filed = _erasure(world, django_capture_on_commit_callbacks)
    assert filed.status == Status.IN_REVIEW
    assert get_user_model().objects.filter(pk=world.bob.pk).exists()  # nothing removed yet
    records = {r["record"] for r in filed.review_draft["removed"]}
    assert "Users" in records and "Memberships" in records
    assert any("Arbeitszeitgesetz" in k["why"] for k in filed.review_draft["kept"])
    page = alice_client.get(f"/o/{world.alice_org.slug}/privacy/requests/{filed.pk}/")
    html = page.content.decode()
    assert "Review the draft answer" in html and "Approve and run" in html
    assert filed.due_on  # the deadline runs


def test_PV3_officer_edits_the_message_and_approves_then_it_runs(
        world, shipped, alice_client, django_capture_on_commit_callbacks):
    filed = _erasure(world, django_capture_on_commit_callbacks)
    url = f"/o/{world.alice_org.slug}/privacy/requests/{filed.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(url, {"action": "approve",
                                           "message": "Done, Bob. Timesheets stay two years."})
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.status == Status.COMPLETED and filed.reviewed_at is not None
    assert not get_user_model().objects.filter(email=world.bob.email).exists()  # erased
    assert OutboxEmail.objects.filter(category="rights_answer").exists()
    assert any("Done, Bob. Timesheets stay two years." in m.body for m in mail.outbox)  # delivered
    assert list(filed.events.values_list("kind", flat=True))[-4:-2] == [
        "review_requested", "review_approved"]


def test_PV3_refusal_tells_the_reason_and_approving_an_answered_request_is_refused(
        world, shipped, alice_client, django_capture_on_commit_callbacks):
    filed = _erasure(world, django_capture_on_commit_callbacks)
    url = f"/o/{world.alice_org.slug}/privacy/requests/{filed.pk}/"
    alice_client.post(url, {"action": "deny", "reason": "Litigation pending: court case 4 O 17/26."})
    filed.refresh_from_db()
    assert filed.status == Status.DENIED and "Litigation" in filed.decision_reason
    assert OutboxEmail.objects.filter(category="rights_denied").exists()
    before = RightsRequest.objects.get(pk=filed.pk).events.count()
    again = alice_client.post(url, {"action": "approve", "message": "x"})
    assert again.status_code == 400
    assert RightsRequest.objects.get(pk=filed.pk).events.count() == before
    assert get_user_model().objects.filter(pk=world.bob.pk).exists()


def test_PV3_access_is_automatic(world, shipped, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        filed = intake.file_for_account(world.bob, request_type="access", country="DE",
                                        password=PASSWORD)
    filed.refresh_from_db()
    assert filed.status == Status.COMPLETED
