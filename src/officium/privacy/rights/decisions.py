"""An officer's decisions on a request (approve, deny, send the answer) and the requester's
withdrawal. Each validates, then changes the status with a conditional UPDATE and writes the
history and audit entries in one transaction; mail goes out on commit."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from officium.accounts.emails import send_service_email
from officium.privacy.actors import Member, Person
from officium.privacy.rights.deadlines import require_officer
from officium.privacy.rights.history import step
from officium.privacy.rights.models import OPEN_STATUSES, RightsRequest, Status, Verification


def _move(request: RightsRequest, to: str, allowed: tuple[str, ...], **fields: Any) -> None:
    moved = RightsRequest.objects.filter(pk=request.pk, status__in=allowed).update(
        status=to, **fields)
    if not moved:
        raise ValidationError({"status": f"A request that is {request.get_status_display()} "
                                         "cannot be changed this way."})
    request.refresh_from_db()


def approve(officer: Member, request: RightsRequest, note: str = "") -> RightsRequest:
    """The officer confirms the requester's identity (checked another way) and lets the
    request run."""
    from officium.privacy.rights.execution import schedule

    require_officer(officer, request)
    with transaction.atomic():
        _move(request, Status.VERIFIED, (Status.RECEIVED, Status.AWAITING_VERIFICATION),
              verification=Verification.OFFICER, verified_at=timezone.now())
        step(request, "approved", actor=officer.user, note=note.strip())
        schedule(request)
    return request


def deny(officer: Member, request: RightsRequest, reason: str) -> RightsRequest:
    """Refuse with a reason the requester is told (with how to complain)."""
    require_officer(officer, request)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason the requester will be told."})
    with transaction.atomic():
        _move(request, Status.DENIED, tuple(s for s in OPEN_STATUSES if s != Status.IN_PROGRESS),
              decision_reason=reason, completed_at=timezone.now())
        step(request, "denied", actor=officer.user, note=reason)
        if request.email:
            send_service_email(request.email, "rights_denied", {"request": request, "reason": reason})
    return request


def retry(officer: Member, request: RightsRequest, note: str = "") -> RightsRequest:
    """Run a failed request again, with a fresh count of attempts (audited)."""
    require_officer(officer, request)
    return _retry(request, officer.user, note)


def retry_as_platform_staff(user: Any, request: RightsRequest, note: str = "") -> RightsRequest:
    """The platform's staff answer requests from the public form (no organization)."""
    if not getattr(user, "is_staff", False) or request.organization_id is not None:
        raise PermissionDenied("Only the platform's staff handle requests from the public form.")
    return _retry(request, user, note)


def _retry(request: RightsRequest, actor: Person, note: str) -> RightsRequest:
    from officium.privacy.rights.execution import schedule

    with transaction.atomic():
        _move(request, Status.VERIFIED, (Status.FAILED,), attempts=0, lease_until=None,
              progress=0)
        step(request, "retried", actor=actor, note=(note or "").strip())
        schedule(request)
    return request


def withdraw(user: Any, request: RightsRequest) -> RightsRequest:
    if request.subject_ref != user.pk:
        raise PermissionDenied("Only the requester can withdraw a request.")
    with transaction.atomic():
        _move(request, Status.WITHDRAWN, tuple(s for s in OPEN_STATUSES if s != Status.IN_PROGRESS),
              completed_at=timezone.now())
        step(request, "withdrawn", actor=user)
    return request


def send_answer(officer: Member, request: RightsRequest, message: str) -> RightsRequest:
    """Email the officer's answer. A request waiting for the officer (rectification applied
    by hand, or anything verified) is completed by it; a completed one gets it as a note."""
    require_officer(officer, request)
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": "Write the answer to send."})
    with transaction.atomic():
        if request.status in (Status.VERIFIED, Status.IN_PROGRESS, Status.PAUSED):
            answer = {**request.answer, "message_sent": True}
            _move(request, Status.COMPLETED, (request.status,), completed_at=timezone.now(),
                  answer=answer, progress=100)
            step(request, "completed", actor=officer.user, details={"summary": "answered by officer"})
        elif request.status != Status.COMPLETED:
            raise ValidationError({"status": "Verify the requester before answering."})
        step(request, "answer_sent", actor=officer.user, note=message)
        if request.email:
            send_service_email(request.email, "rights_message", {"request": request, "message": message})
    return request
