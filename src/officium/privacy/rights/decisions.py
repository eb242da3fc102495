"""An officer's decisions on a request (approve, deny, send the answer; ``decide`` is the one
entry point the officer's page and the API share) and the requester's withdrawal. Each validates, then changes the status with a conditional UPDATE and writes the
history and audit entries in one transaction; mail goes out on commit."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from officium.mail.service import send_service_email
from officium.privacy.actors import Member, Person
from officium.privacy.rights import deadlines, rectification
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


def approve(officer: Member, request: RightsRequest, note: str = "", message: str = "") -> RightsRequest:
    """The officer confirms the requester's identity (checked another way) and lets the
    request run; on a request in review (PV3), approves its draft answer, with ``message``
    edited if given, and lets it run."""
    from officium.privacy.rights import review
    from officium.privacy.rights.execution import schedule

    require_officer(officer, request)
    if request.status == Status.IN_REVIEW:
        with transaction.atomic():
            if not review.approve_review(request, officer.user, message):
                raise ValidationError({"status": "This request no longer waits for review."})
            schedule(request)
        return request
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


# --- the officer's decisions, one entry point for the page and the API -------------------

Decision = Callable[[Any, RightsRequest, Mapping[str, Any]], Any]


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key, "")
    return value if isinstance(value, str) else ""


DECISIONS: dict[str, Decision] = {
    "approve": lambda officer, r, data: approve(officer, r, _text(data, "reason"),
                                                _text(data, "message")),
    "retry": lambda officer, r, data: retry(officer, r, _text(data, "reason")),
    "deny": lambda officer, r, data: deny(officer, r, _text(data, "reason")),
    "extend": lambda officer, r, data: deadlines.extend(r, officer.user, _text(data, "reason")),
    "pause": lambda officer, r, data: deadlines.pause(r, officer.user, _text(data, "reason")),
    "resume": lambda officer, r, data: deadlines.resume(r, officer.user),
    "answer": lambda officer, r, data: send_answer(officer, r, _text(data, "message")),
    "rectify": lambda officer, r, data: rectification.apply_by_officer(
        officer, r, _text(data, "field"), _text(data, "value")),
}


def decide(officer: Any, request: RightsRequest, action: str,
           data: Mapping[str, Any]) -> RightsRequest:
    """An officer's decision on a request, whichever way it arrives (the officer's page posts
    a form, the API a JSON body): the action must be known (400 naming ``action``), the officer
    must be privacy staff of the request's organization (403, checked here for every action,
    not by each caller), then the decision's own service validates and records it."""
    decision = DECISIONS.get(action)
    if decision is None:
        raise ValidationError({"action": f"Unknown action: choose one of {', '.join(DECISIONS)}."})
    require_officer(officer, request)
    decision(officer, request, data)
    request.refresh_from_db()
    return request
