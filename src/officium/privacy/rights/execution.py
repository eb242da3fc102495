"""Running a verified request, exactly once even across crashes (issue 6, 6).

A run claims the request with a conditional UPDATE (verified -> in_progress, or an
in_progress whose lease expired because its worker died); the executor is idempotent
(exports write to a temporary name then rename, erasure finds less each time, flags use
get_or_create); completion is another conditional UPDATE, so the answer is recorded and
sent once. ``resume_stalled`` (a periodic job) picks up what a dead worker left.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from officium.accounts.emails import send_service_email
from officium.env import envint
from officium.privacy.rights import answers
from officium.privacy.rights.history import step
from officium.privacy.rights.models import ExportFile, RequestType, RightsRequest, Status

LEASE = timedelta(seconds=envint("OFFICIUM_RIGHTS_LEASE_SECONDS", 600))
EXPORT_LIFETIME = timedelta(days=envint("OFFICIUM_RIGHTS_EXPORT_DAYS", 7))
# Rectification of anything but the self-service fields is applied by an officer.
AUTOMATIC = frozenset(RequestType.values) - {RequestType.RECTIFICATION}


def schedule(request: RightsRequest) -> None:
    """Queue the execution once the current transaction commits."""
    if request.request_type not in AUTOMATIC:
        return
    from officium.privacy.rights.tasks import execute_request

    pk = request.pk
    transaction.on_commit(lambda: execute_request.enqueue(pk))


def claim(pk: int) -> RightsRequest | None:
    now = timezone.now()
    claimed = RightsRequest.objects.filter(
        Q(status=Status.VERIFIED) | Q(status=Status.IN_PROGRESS, lease_until__lt=now), pk=pk,
    ).update(status=Status.IN_PROGRESS, lease_until=now + LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return None
    request = RightsRequest.objects.get(pk=pk)
    with transaction.atomic():
        step(request, "started", details={"attempt": request.attempts})
    return request


def run(pk: int) -> str:
    """Execute request ``pk`` if it is claimable; returns what happened."""
    request = claim(pk)
    if request is None:
        return "not claimed"
    result = answers.EXECUTORS[request.request_type](request)
    return "completed" if finish(request, result) else "already completed"


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


def progress(pk: int) -> Any:
    def report(percent: int) -> None:
        RightsRequest.objects.filter(pk=pk, status=Status.IN_PROGRESS).update(progress=percent)

    return report
