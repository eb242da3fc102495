"""Check-ins held for review (WT9): the organization accepts check-ins without a location
only after a manager looked at them. The member's reporting manager or an administrator
accepts or rejects each one; the decision is kept on the record and audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from officium.accounts.models import Membership
from officium.attendance import purposes, workday
from officium.attendance.audit_events import CHECK_IN_ACCEPTED, CHECK_IN_REJECTED
from officium.attendance.models import AttendanceRecord, Review
from officium.attendance.rules import can_manage_member
from officium.privacy import audit

DECISIONS = {"accept": (Review.ACCEPTED, CHECK_IN_ACCEPTED), "reject": (Review.REJECTED, CHECK_IN_REJECTED)}


def pending(actor: Membership, limit: int = 200) -> list[AttendanceRecord]:
    """The check-ins waiting for the actor's decision: their reports', or everyone's for
    administrators (the records rule already limits what the actor may read)."""
    qs = (AttendanceRecord.objects.for_purpose(actor, purposes.location())
          .filter(review=Review.PENDING).select_related("member__user", "member__organization", "site")
          .order_by("occurred_at", "pk"))
    return [r for r in qs[:limit] if r.member_id != actor.pk and can_manage_member(actor, r.member)]


def decide_review(actor: Membership, record: AttendanceRecord, decision: str) -> AttendanceRecord:
    """Accept or reject a held check-in; a record already decided answers 400."""
    member: Any = record.member
    if record.organization_id != actor.organization_id:
        raise PermissionDenied
    if member.pk == actor.pk or not can_manage_member(actor, member):
        raise PermissionDenied("Only the member's manager or an administrator decides this.")
    if decision not in DECISIONS:
        raise ValidationError({"decision": "Choose accept or reject."})
    review, event = DECISIONS[decision]
    now = timezone.now()
    with transaction.atomic():
        updated = AttendanceRecord.objects.filter(pk=record.pk, review=Review.PENDING).update(
            review=review, accepted=review == Review.ACCEPTED, reviewed_by=actor, reviewed_at=now)
        if not updated:
            raise ValidationError({"decision": "This check-in was already decided."})
        audit.record(event, actor=actor.user_id, organization=actor.organization_id,
                     subject=member.user_id, target=record, details={"decision": review})
    record.review, record.accepted, record.reviewed_by, record.reviewed_at = (
        review, review == Review.ACCEPTED, actor, now)
    workday.changed(record.organization_id, [(member.pk, record.work_day)])
    return record
