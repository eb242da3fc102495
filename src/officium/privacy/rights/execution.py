"""Running a verified request, exactly once even across crashes (issue 6, 6).

A run claims the request with a conditional UPDATE (verified -> in_progress, or an
in_progress whose lease expired because its worker died); the executor is idempotent
(exports write to a temporary name then rename, erasure finds less each time, flags use
get_or_create); completion is another conditional UPDATE, so the answer is recorded and
sent once. ``resume_stalled`` (a periodic job) picks up what a dead worker left.

An executor that raises is tried again after a growing delay (its lease is pushed out);
after ``MAX_ATTEMPTS`` attempts, failed or crashed, the request is ``failed``: the officers
are emailed, and an officer's retry (``decisions.retry``) starts it again.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from officium.mail.service import send_service_email
from officium.privacy import staff
from officium.privacy.rights import answers
from officium.privacy.rights.history import step
from officium.privacy.rights.models import ExportFile, RequestType, RightsRequest, Status

logger = logging.getLogger(__name__)

LEASE = timedelta(seconds=settings.OFFICIUM_RIGHTS_LEASE_SECONDS)
MAX_ATTEMPTS: int = settings.OFFICIUM_RIGHTS_MAX_ATTEMPTS
RETRY_BASE = timedelta(seconds=settings.OFFICIUM_RIGHTS_RETRY_SECONDS)
EXPORT_LIFETIME = timedelta(days=settings.OFFICIUM_RIGHTS_EXPORT_DAYS)
# Rectification of anything but the self-service fields is applied by an officer.
AUTOMATIC = frozenset(RequestType.values) - {RequestType.RECTIFICATION}


def schedule(request: RightsRequest) -> None:
    """Queue the execution once the current transaction commits; a request of a reviewed right
    waits for the officer's review first (PV3)."""
    if request.request_type not in AUTOMATIC:
        return
    from officium.privacy.rights import review

    if review.needs_review(request) and review.hold_for_review(request):
        return
    from officium.privacy.rights.tasks import execute_request

    pk = request.pk
    transaction.on_commit(lambda: execute_request.enqueue(pk))


def claim(pk: int) -> RightsRequest | None:
    now = timezone.now()
    claimed = RightsRequest.objects.filter(
        Q(status=Status.VERIFIED) | Q(status=Status.IN_PROGRESS, lease_until__lt=now), pk=pk,
        attempts__lt=MAX_ATTEMPTS,
    ).update(status=Status.IN_PROGRESS, lease_until=now + LEASE, attempts=F("attempts") + 1)
    if not claimed:
        exhausted = RightsRequest.objects.filter(pk=pk, status=Status.IN_PROGRESS,
                                                 lease_until__lt=now, attempts__gte=MAX_ATTEMPTS)
        if exhausted.exists():  # its workers kept dying: give up as after errors
            give_up(RightsRequest.objects.get(pk=pk), "WorkerLost")
        return None
    request = RightsRequest.objects.get(pk=pk)
    with transaction.atomic():
        step(request, "started", details={"attempt": request.attempts})
    return request


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... times RETRY_BASE after the ``attempts``-th failure."""
    delay: timedelta = RETRY_BASE * (2 ** max(attempts - 1, 0))
    return delay


def run(pk: int) -> str:
    """Execute request ``pk`` if it is claimable; returns what happened."""
    request = claim(pk)
    if request is None:
        return "not claimed"
    try:
        result = answers.EXECUTORS[request.request_type](request)
    except Exception as error:  # noqa: BLE001 - any executor failure is retried, then failed
        return attempt_failed(request, error)
    return "completed" if finish(request, result) else "already completed"


def attempt_failed(request: RightsRequest, error: Exception) -> str:
    """Record a failed attempt (its error class only: messages may quote personal data) and
    either wait for the next one or give up."""
    code = type(error).__name__
    logger.warning("rights request %s attempt %s failed: %s", request.pk, request.attempts, code)
    if request.attempts >= MAX_ATTEMPTS:
        give_up(request, code)
        return "failed"
    with transaction.atomic():
        RightsRequest.objects.filter(pk=request.pk, status=Status.IN_PROGRESS).update(
            lease_until=timezone.now() + retry_delay(request.attempts))
        step(request, "attempt_failed", details={"attempt": request.attempts, "error": code})
    return "will retry"


def give_up(request: RightsRequest, code: str) -> bool:
    """in_progress -> failed (a conditional UPDATE: once), with the officers told."""
    with transaction.atomic():
        moved = RightsRequest.objects.filter(pk=request.pk, status=Status.IN_PROGRESS).update(
            status=Status.FAILED, lease_until=None)
        if not moved:
            return False
        request.refresh_from_db()
        step(request, "failed", details={"attempts": request.attempts, "error": code})
        for email in officers_of(request):
            send_service_email(email, "rights_failed", {"request": request,
                                                        "attempts": request.attempts})
    return True


def officers_of(request: RightsRequest) -> list[str]:
    """Who handles it: the organization's privacy staff, or the platform's staff for
    requests from the public form."""
    if request.organization_id is not None:
        return staff.officer_emails(request.organization_id)
    return staff.platform_staff_emails()


def finish(request: RightsRequest, result: answers.Result) -> bool:
    email = request.email
    with transaction.atomic():
        done = RightsRequest.objects.filter(pk=request.pk, status=Status.IN_PROGRESS).update(
            status=Status.COMPLETED, completed_at=timezone.now(), answer=result.answer,
            progress=100, lease_until=None)
        if not done:
            return False
        request.refresh_from_db()
        if result.export is not None:
            ExportFile.objects.update_or_create(request=request, defaults={
                "kind": result.export_kind, "name": result.export.path.name,
                "size": result.export.size, "sha256": result.export.sha256,
                "created_at": timezone.now(), "expires_at": timezone.now() + EXPORT_LIFETIME,
                "downloads": 0})
        step(request, "completed", details={"summary": result.summary})
        if email:
            send_service_email(email, "rights_answer", {"request": request, "result": result})
        if result.forget_email:
            RightsRequest.objects.filter(subject_ref=request.subject_ref).exclude(
                subject_ref=None).update(email="", details="")
    return True


def resume_stalled() -> list[int]:
    """Re-run requests a dead worker left: in progress with an expired lease, or verified
    for more than a minute without a run (the task was lost)."""
    now = timezone.now()
    stalled = list(RightsRequest.objects.filter(
        Q(status=Status.IN_PROGRESS, lease_until__lt=now)
        | Q(status=Status.VERIFIED, verified_at__lt=now - timedelta(minutes=1),
            request_type__in=list(AUTOMATIC)),
    ).values_list("pk", flat=True)[:100])
    for pk in stalled:
        run(pk)
    return stalled


progress = answers.progress  # kept under its old name; it lives with the answers that report it
