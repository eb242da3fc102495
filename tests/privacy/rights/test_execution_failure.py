"""RI8: a request whose execution keeps failing ends: after a bounded number of attempts it
is ``failed``, its officers are emailed (through the outbox), and an officer can retry it
from the page or the API, each step audited."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from officium.mail.models import OutboxEmail
from officium.privacy.audit.models import AuditEntry
from officium.privacy.rights import answers, execution, intake
from officium.privacy.rights.models import RightsRequest, Status

pytestmark = pytest.mark.django_db


class ExportBroken(RuntimeError):
    pass


@pytest.fixture
def broken_access(monkeypatch):
    def fail(request):  # type: ignore[no-untyped-def]
        raise ExportBroken("disk full at /var/officium/bob@alpha.example")

    monkeypatch.setitem(answers.EXECUTORS, "access", fail)
    return monkeypatch


def _file(bob, capture):  # type: ignore[no-untyped-def]
    from tests.conftest import PASSWORD

    with capture(execute=True):
        filed = intake.file_for_account(bob, request_type="access", country="DE", password=PASSWORD)
    filed.refresh_from_db()
    return filed


def _run_until_settled(filed: RightsRequest) -> list[str]:
    outcomes = []
    for _ in range(execution.MAX_ATTEMPTS + 3):
        RightsRequest.objects.filter(pk=filed.pk, status=Status.IN_PROGRESS).update(
            lease_until=timezone.now() - timedelta(seconds=1))  # the backoff has passed
        outcomes.append(execution.run(filed.pk))
    filed.refresh_from_db()
    return outcomes


def test_RI8_failing_execution_stops_after_bounded_attempts_and_tells_the_officers(
        bob, alice, broken_access, django_capture_on_commit_callbacks):
    filed = _file(bob, django_capture_on_commit_callbacks)
    assert filed.status == Status.IN_PROGRESS and filed.attempts == 1  # first attempt failed
    assert filed.lease_until > timezone.now()  # waits before the next one
    assert execution.run(filed.pk) == "not claimed"  # not before its backoff
    outcomes = _run_until_settled(filed)
    assert outcomes.count("will retry") == execution.MAX_ATTEMPTS - 2
    assert outcomes.count("failed") == 1 and outcomes[-1] == "not claimed"
    assert (filed.status, filed.attempts) == (Status.FAILED, execution.MAX_ATTEMPTS)
    kinds = list(filed.events.values_list("kind", flat=True))
    assert kinds.count("attempt_failed") == execution.MAX_ATTEMPTS - 1 and kinds[-1] == "failed"
    failed = AuditEntry.objects.get(event="rights.failed")
    assert failed.details["error"] == "ExportBroken"
    assert "bob@alpha.example" not in json.dumps(failed.details)  # the message never leaks
    told = OutboxEmail.objects.filter(category="rights_failed")
    assert list(told.values_list("to_address", flat=True)) == [alice.email]
    assert execution.resume_stalled() == []  # a failed request is not picked up again


def test_RI8_workers_that_keep_dying_also_end_in_failed(bob, alice, django_capture_on_commit_callbacks):
    filed = _file(bob, django_capture_on_commit_callbacks)
    RightsRequest.objects.filter(pk=filed.pk).update(
        status=Status.IN_PROGRESS, attempts=execution.MAX_ATTEMPTS,
        lease_until=timezone.now() - timedelta(seconds=1))  # the last worker died mid-run
    assert execution.resume_stalled() == [filed.pk]
    filed.refresh_from_db()
    assert filed.status == Status.FAILED
    assert AuditEntry.objects.get(event="rights.failed").details["error"] == "WorkerLost"


def test_RI8_officer_retries_a_failed_request_from_the_page(
        bob, alice, alice_client, bob_client, broken_access, django_capture_on_commit_callbacks):
    filed = _file(bob, django_capture_on_commit_callbacks)
    _run_until_settled(filed)
    page = alice_client.get(f"/o/alpha/privacy/requests/{filed.pk}/").content.decode()
    assert 'value="retry"' in page and "Failed" in page
    assert bob_client.post(f"/o/alpha/privacy/requests/{filed.pk}/",
                           {"action": "retry"}).status_code in (403, 404)
    broken_access.undo()  # the cause is fixed
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(f"/o/alpha/privacy/requests/{filed.pk}/", {
            "action": "retry", "reason": "Disk replaced"})
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.status == Status.COMPLETED and filed.attempts == 1
    retried = AuditEntry.objects.get(event="rights.retried")
    assert retried.actor_id == alice.pk
    again = alice_client.post(f"/o/alpha/privacy/requests/{filed.pk}/", {"action": "retry"})
    assert again.status_code == 400  # only a failed request can be retried


def test_RI8_officer_retries_a_failed_request_over_the_api(
        bob, alice, alice_client, bob_client, broken_access, django_capture_on_commit_callbacks):
    filed = _file(bob, django_capture_on_commit_callbacks)
    _run_until_settled(filed)
    url = f"/api/privacy/rights/o/alpha/requests/{filed.pk}/decisions"
    denied = bob_client.post(url, json.dumps({"action": "retry"}), content_type="application/json")
    assert denied.status_code in (403, 404)
    assert RightsRequest.objects.get(pk=filed.pk).status == Status.FAILED
    broken_access.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(url, json.dumps({"action": "retry"}),
                                     content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == Status.VERIFIED  # queued
    assert RightsRequest.objects.get(pk=filed.pk).status == Status.COMPLETED  # then run
    assert AuditEntry.objects.filter(event="rights.retried", actor_id=alice.pk).count() == 1


def test_RI8_platform_staff_retry_a_failed_request_from_the_public_form(client, alice, alice_client,
                                                                       bob_client):
    filed = client.post("/api/privacy/rights/public/requests", json.dumps({
        "email": "someone@example.org", "request_type": "access", "residence_country": "DE"}),
        content_type="application/json")
    request = RightsRequest.objects.get(ref=filed.json()["ref"])
    RightsRequest.objects.filter(pk=request.pk).update(status=Status.FAILED, attempts=5)
    form = {"action": "retry", "request_id": request.pk}
    assert bob_client.post("/privacy/platform/requests/", form).status_code == 404
    alice.is_staff = True
    alice.save(update_fields=["is_staff"])
    assert 'value="retry"' in alice_client.get("/privacy/platform/requests/").content.decode()
    assert alice_client.post("/privacy/platform/requests/", form).status_code == 302
    request.refresh_from_db()
    assert (request.status, request.attempts) == (Status.VERIFIED, 0)
    assert AuditEntry.objects.filter(event="rights.retried", actor_id=alice.pk).count() == 1
