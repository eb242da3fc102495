"""Deadlines (RI8): due date from the policy, one extension with a reason told to the subject
within the first period, and a pause while waiting for the subject that stops the clock.

GDPR (Art. 12(3)): one month, extendable by two further months, the subject told within the
first month. CCPA (1798.130): 45 days, one extension of 45 days. Both are the policy's
``RightsGroup.deadline`` / ``extension``; nothing here hard-codes a period.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from officium.mail.service import send_service_email
from officium.privacy.actors import Member, Person
from officium.privacy.policy.loader import active_policy
from officium.privacy.policy.schema import RightsGroup
from officium.privacy.rights.history import step
from officium.privacy.rights.models import OPEN_STATUSES, RightsRequest, Status


def group_of(request: RightsRequest) -> RightsGroup:
    policy = active_policy()
    for group in policy.rights:
        if group.id == request.rights_group:
            return group
    raise ValidationError({"rights_group": f"The policy no longer has rights group "
                                           f"{request.rights_group!r}."})


def initial_due(group: RightsGroup, received: date) -> date:
    return group.due_on(received)


def extend(request: RightsRequest, actor: Person, reason: str) -> RightsRequest:
    """Extend once, while the first period runs, with a reason the subject is told by email."""
    reason = (reason or "").strip()
    group = group_of(request)
    if not reason:
        raise ValidationError({"reason": "Say why the request needs more time."})
    if request.status not in OPEN_STATUSES:
        raise ValidationError({"status": "Only an open request can be extended."})
    if group.extension is None:
        raise ValidationError({"reason": "The policy allows no extension for these rights."})
    if request.extended_at is not None:
        raise ValidationError({"reason": "This request was already extended once."})
    if timezone.localdate() > request.due_on:
        raise ValidationError({"reason": "An extension must be told to the requester before "
                                         "the first deadline; it has passed."})
    with transaction.atomic():
        now = timezone.now()
        before = request.due_on
        request.due_on = group.extension.add_to(request.due_on)
        request.extended_at = now
        request.extension_reason = reason
        request.subject_told_of_extension_at = now if request.email else None
        request.save(update_fields=["due_on", "extended_at", "extension_reason",
                                    "subject_told_of_extension_at"])
        step(request, "extended", actor=actor, note=reason,
             details={"from": before.isoformat(), "to": request.due_on.isoformat(),
                      "period": group.extension.describe()})
        if request.email:
            send_service_email(request.email, "rights_extended", {"request": request,
                                                                  "reason": reason})
    return request


def pause(request: RightsRequest, actor: Person, reason: str) -> RightsRequest:
    """Stop the clock while the requester is asked for something (identity, which data)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say what the requester needs to provide."})
    if request.status not in (Status.RECEIVED, Status.AWAITING_VERIFICATION, Status.VERIFIED):
        raise ValidationError({"status": f"A request that is {request.get_status_display()} "
                                         "cannot be paused."})
    with transaction.atomic():
        claimed = RightsRequest.objects.filter(pk=request.pk, status=request.status).update(
            status=Status.PAUSED, paused_from=request.status, paused_at=timezone.now(),
            pause_reason=reason)
        if not claimed:
            raise ValidationError({"status": "The request changed meanwhile; reload it."})
        request.refresh_from_db()
        step(request, "paused", actor=actor, note=reason)
        if request.email:
            send_service_email(request.email, "rights_paused", {"request": request, "reason": reason})
    return request


def resume(request: RightsRequest, actor: Person) -> RightsRequest:
    """Restart the clock: the due date moves by the days the request was paused."""
    if request.status != Status.PAUSED or request.paused_at is None:
        raise ValidationError({"status": "Only a paused request can be resumed."})
    days = (timezone.localdate() - timezone.localdate(request.paused_at)).days
    with transaction.atomic():
        before = request.due_on
        claimed = RightsRequest.objects.filter(pk=request.pk, status=Status.PAUSED).update(
            status=request.paused_from or Status.RECEIVED, paused_at=None, paused_from="",
            due_on=before + timedelta(days=days))
        if not claimed:
            raise ValidationError({"status": "The request changed meanwhile; reload it."})
        request.refresh_from_db()
        step(request, "resumed", actor=actor,
             details={"paused_days": days, "from": before.isoformat(),
                      "to": request.due_on.isoformat()})
    _continue(request)
    return request


def _continue(request: RightsRequest) -> None:
    if request.status == Status.VERIFIED:
        from officium.privacy.rights.execution import schedule

        schedule(request)


def require_officer(membership: Member, request: RightsRequest) -> None:
    from officium.privacy.staff import is_privacy_staff

    if not is_privacy_staff(membership) or request.organization_id != membership.organization_id:
        raise PermissionDenied("Only the organization's owners and privacy officers handle requests.")
