"""Bids (FW5): a dispatcher offers a task to several members; each accepts with an ETA or
declines (located per their profile, LO2/LO3); the dispatcher awards it to one who accepted,
the task is assigned to them and the others are told."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from officium.accounts.models import Membership
from officium.attendance.coordinates import Fix
from officium.attendance.models import Device, EventKind
from officium.fieldwork import audit_events as ev
from officium.fieldwork import capture
from officium.fieldwork.models import Answer, Bid, BidOffer, BidStatus, Status, Task, TaskAssignment
from officium.fieldwork.services import FINAL, _assignees, require_dispatcher
from officium.notifications.services import notify
from officium.privacy import audit

MAX_ETA = 24 * 60


def offer(actor: Membership, task: Task, member_ids: list[int]) -> Bid:
    require_dispatcher(actor)
    if task.status in FINAL:
        raise ValidationError({"task_id": "This task is finished."})
    if len(set(member_ids)) < 1:
        raise ValidationError({"member_ids": "Offer the job to at least one member."})
    members = _assignees(actor, member_ids)
    if Bid.objects.filter(task=task, status=BidStatus.OPEN).exists():
        raise ValidationError({"task_id": "This task already has an open bid."})
    with transaction.atomic():
        bid = Bid.objects.create(organization_id=actor.organization_id, task=task, created_by=actor)
        BidOffer.objects.bulk_create([BidOffer(organization_id=actor.organization_id, bid=bid, member=m)
                                      for m in members])
        audit.record(ev.BID_OFFERED, actor=actor.user_id, organization=actor.organization_id, target=bid,
                     details={"task": task.pk, "members": sorted(m.pk for m in members)})
        url = reverse("fieldwork:bids", kwargs={"org": actor.organization.slug})
        for m in members:
            notify(m.user, actor.organization, "fieldwork.bid_offered", f"Job offered to you: {task.title}", url=url)
    return bid


def check_answer(offer_row: BidOffer, answer: Any, eta_minutes: Any) -> None:
    if offer_row.answered:
        raise ValidationError({"answer": "You already answered this bid."})
    if offer_row.bid.status != BidStatus.OPEN:
        raise ValidationError({"answer": "This bid is closed."})
    if answer not in (Answer.ACCEPTED, Answer.DECLINED):
        raise ValidationError({"answer": "Answer accepted or declined."})
    if answer == Answer.ACCEPTED and (type(eta_minutes) is not int or not 0 < eta_minutes <= MAX_ETA):
        raise ValidationError({"eta_minutes": f"Give your arrival estimate in minutes (1-{MAX_ETA})."})


def write_answer(offer_row: BidOffer, answer: str, eta_minutes: int | None, location_id: int | None,
                 at: dt.datetime, device: Device | None = None, client_id: str | None = None) -> BidOffer:
    """Inside a transaction; the conditional UPDATE makes a second answer lose."""
    changed = BidOffer.objects.filter(pk=offer_row.pk, answered=False).update(
        answered=True, answer=answer, eta_minutes=eta_minutes if answer == Answer.ACCEPTED else None,
        location_id=location_id, occurred_at=at, received_at=timezone.now(), device=device, client_id=client_id)
    if not changed:
        raise ValidationError({"answer": "You already answered this bid."})
    member = offer_row.member
    audit.record(ev.BID_ANSWERED, actor=member.user_id, organization=offer_row.organization_id,
                 subject=member.user_id, target=offer_row, details={"bid": offer_row.bid_id, "answer": answer})
    offer_row.refresh_from_db()
    return offer_row


def answer_bid(member: Membership, offer_row: BidOffer, answer: Any, eta_minutes: Any = None,
               fix: Fix | None = None, device: Device | None = None) -> BidOffer:
    if offer_row.member_id != member.pk:
        raise PermissionDenied
    check_answer(offer_row, answer, eta_minutes)
    with transaction.atomic():
        location = capture.locate(member, EventKind.BID, fix, device=device)
        return write_answer(offer_row, answer, eta_minutes, location.pk, location.occurred_at, device)


def award(actor: Membership, bid: Bid, member_id: Any) -> Bid:
    require_dispatcher(actor)
    if bid.status != BidStatus.OPEN:
        raise ValidationError({"member_id": "This bid is already closed."})
    winner = bid.offers.filter(member_id=member_id, answer=Answer.ACCEPTED).select_related("member").first()
    if winner is None:
        raise ValidationError({"member_id": "Award the job to a member who accepted it."})
    now = timezone.now()
    task = bid.task
    with transaction.atomic():
        if not Bid.objects.filter(pk=bid.pk, status=BidStatus.OPEN).update(
                status=BidStatus.AWARDED, awarded_to=winner.member, awarded_at=now):
            raise ValidationError({"member_id": "This bid is already closed."})
        TaskAssignment.objects.filter(task=task).delete()
        TaskAssignment.objects.create(organization_id=task.organization_id, task=task, member=winner.member)
        if task.status == Status.NEW:
            Task.objects.filter(pk=task.pk).update(status=Status.ASSIGNED, assigned_at=now)
        audit.record(ev.BID_AWARDED, actor=actor.user_id, organization=actor.organization_id, target=bid,
                     details={"task": task.pk, "member": winner.member_id})
        url = reverse("fieldwork:bids", kwargs={"org": actor.organization.slug})
        for row in bid.offers.select_related("member__user"):
            won = row.member_id == winner.member_id
            notify(row.member.user, actor.organization, "fieldwork.bid_awarded",
                   f"The job is yours: {task.title}" if won else f"The job went to someone else: {task.title}",
                   url=url)
    bid.refresh_from_db()
    return bid
