"""Corrections (WT5): a member asks to fix a check-in record; their reporting manager (or an
administrator) approves or rejects. The original record stays untouched; an approved
correction becomes a new, accepted record (its ``replacement``) and the correction row points
at both. Every step is audited, the timesheet is recomputed on approval and the member is
told by email. Nothing lands in a locked (approved) timesheet period.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from officium.accounts import localtime
from officium.accounts.emails import send_service_email
from officium.accounts.models import Membership
from officium.attendance import purposes
from officium.attendance.models import AttendanceRecord, Direction, Review, Verdict
from officium.notifications.services import notify
from officium.privacy import audit
from officium.workforce import timesheets
from officium.workforce.audit_events import (
    CORRECTION_APPROVED,
    CORRECTION_CANCELLED,
    CORRECTION_REJECTED,
    CORRECTION_REQUESTED,
)
from officium.workforce.models import Correction, CorrectionKind, RequestState
from officium.workforce.shifts import placement_for

MAX_REASON = 1000


def _moment(value: Any, field: str = "occurred_at") -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError({field: "Enter a date and time with its offset (2026-03-02T17:00+01:00)."}) from None
    if moment.tzinfo is None:
        raise ValidationError({field: "Give the time with its UTC offset (2026-03-02T17:00+01:00)."})
    return moment.astimezone(localtime.UTC)


def request_correction(member: Membership, data: dict[str, Any]) -> Correction:
    """The member's own request: kind, the record it fixes (not for a missing check-in), the
    right time, a reason. 400 naming the field on bad input, nothing written."""
    if not member.clocks_in:
        raise PermissionDenied("Only working members have check-in records to correct.")
    kind = str(data.get("kind") or "")
    if kind not in CorrectionKind.values:
        raise ValidationError({"kind": "Choose missing_check_out, missing_check_in or wrong_time."})
    reason = str(data.get("reason") or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise ValidationError({"reason": f"Say why (1-{MAX_REASON} characters)."})
    at = _moment(data.get("occurred_at"))
    if at > timezone.now():
        raise ValidationError({"occurred_at": "A correction cannot be in the future."})
    original = None
    record_id = data.get("record_id")
    if kind != CorrectionKind.MISSING_CHECK_IN:
        if isinstance(record_id, bool) or not isinstance(record_id, int):
            raise ValidationError({"record_id": "Choose the record to correct."})
        original = AttendanceRecord.objects.filter(pk=record_id, member_id=member.pk).first()
        if original is None:
            raise ValidationError({"record_id": "Choose one of your own check-in records."})
        if kind == CorrectionKind.MISSING_CHECK_OUT:
            if original.direction != Direction.IN:
                raise ValidationError({"record_id": "A missing check-out follows a check-in."})
            if at <= original.occurred_at:
                raise ValidationError({"occurred_at": "The check-out must come after the check-in."})
    direction = {CorrectionKind.MISSING_CHECK_OUT: Direction.OUT, CorrectionKind.MISSING_CHECK_IN: Direction.IN
                 }.get(kind, original.direction if original else Direction.IN)  # type: ignore[call-overload]
    if kind == CorrectionKind.MISSING_CHECK_IN and str(data.get("direction") or "in") in Direction.values:
        direction = str(data.get("direction") or "in")
    work_day = original.work_day if original is not None and kind == CorrectionKind.MISSING_CHECK_OUT else (
        placement_for(member, at, direction=direction).work_day)
    for day in {work_day, original.work_day if original else None} - {None}:
        if timesheets.is_locked(member.pk, day):  # type: ignore[arg-type]
            raise ValidationError({"occurred_at": f"The timesheet of {day} is approved and locked."})
    if Correction.objects.filter(member_id=member.pk, state=RequestState.PENDING, original=original,
                                 original__isnull=False).exists():
        raise ValidationError({"record_id": "A correction of this record is already waiting."})
    with transaction.atomic():
        correction = Correction.objects.create(
            organization_id=member.organization_id, member=member, kind=kind, original=original,
            direction=direction, occurred_at=at, reason=reason)
        audit.record(CORRECTION_REQUESTED, actor=member.user_id, organization=member.organization_id,
                     subject=member.user_id, target=correction, details={"kind": kind})
        manager = member.reports_to
        if manager is not None:
            send_service_email(manager.user.email, "correction_requested", {
                "kind": correction.get_kind_display(), "organization": member.organization.name,
                "when": localtime.format_datetime(at, localtime.zone_for(member.organization))},
                organization_id=member.organization_id)
        if member.reports_to is not None:
            notify(member.reports_to.user, member.organization, "correction.requested",
                   f"{member.user} asked to correct a check-in record",
                   url=reverse("workforce:requests", kwargs={"org": member.organization.slug}))
    return correction


def cancel(member: Membership, correction: Correction) -> Correction:
    """The member withdraws their own correction while it waits."""
    if correction.member_id != member.pk:
        raise PermissionDenied("Only the member who asked withdraws a correction.")
    with transaction.atomic():
        if not Correction.objects.filter(pk=correction.pk, state=RequestState.PENDING).update(
                state=RequestState.CANCELLED):
            raise ValidationError({"state": "This correction was already decided or withdrawn."})
        correction.state = RequestState.CANCELLED
        audit.record(CORRECTION_CANCELLED, actor=member.user_id, organization=member.organization_id,
                     subject=member.user_id, target=correction, details={"kind": correction.kind})
    return correction


def waiting_queryset(actor: Membership) -> Any:
    """Corrections waiting for the actor: their reports', everyone's for administrators."""
    return (Correction.objects.for_purpose(actor, purposes.location()).filter(state=RequestState.PENDING)
            .filter(timesheets.approvable_q(actor)).select_related("member__user", "original"))


def pending_for(actor: Membership, limit: int = 20) -> list[Correction]:
    """The oldest few waiting for the actor (the timesheet page; the requests page pages them all)."""
    return list(waiting_queryset(actor).order_by("created_at", "pk")[:limit])


def own_queryset(member: Membership) -> Any:
    return Correction.objects.filter(member_id=member.pk).select_related("original")


def decide(actor: Membership, correction: Correction, decision: str, note: str = "") -> Correction:
    """Approve (a new record, the timesheet rebuilt) or reject; the member is emailed."""
    member: Any = correction.member
    if correction.organization_id != actor.organization_id:
        raise PermissionDenied
    if not timesheets.can_approve(actor, member):
        raise PermissionDenied("Only the member's manager or an administrator decides this.")
    if decision not in ("approve", "reject"):
        raise ValidationError({"decision": "Choose approve or reject."})
    if len(note) > 500:
        raise ValidationError({"note": "Keep the note under 500 characters."})
    original: AttendanceRecord | None = correction.original
    placed = placement_for(member, correction.occurred_at, direction=correction.direction)
    work_day = original.work_day if original is not None and correction.kind == CorrectionKind.MISSING_CHECK_OUT \
        else placed.work_day
    days = {d for d in (work_day, original.work_day if original else None) if d is not None}
    if decision == "approve" and any(timesheets.is_locked(member.pk, d) for d in days):
        raise ValidationError({"decision": "The timesheet of that day is approved and locked."})
    now = timezone.now()
    with transaction.atomic():
        state = RequestState.APPROVED if decision == "approve" else RequestState.REJECTED
        updated = Correction.objects.filter(pk=correction.pk, state=RequestState.PENDING).update(
            state=state, decided_by=actor, decided_at=now, decision_note=note)
        if not updated:
            raise ValidationError({"decision": "This correction was already decided."})
        replacement = None
        if state == RequestState.APPROVED:
            replacement = AttendanceRecord.objects.create(
                organization_id=member.organization_id, member=member, direction=correction.direction,
                occurred_at=correction.occurred_at,
                verdict=original.verdict if original is not None else Verdict.NO_LOCATION,
                accepted=True, site=original.site if original is not None else None,
                review=Review.NONE, reviewed_by=actor, reviewed_at=now, work_day=work_day,
                shift_status=placed.status)
            Correction.objects.filter(pk=correction.pk).update(replacement=replacement)
        audit.record(CORRECTION_APPROVED if replacement else CORRECTION_REJECTED, actor=actor.user_id,
                     organization=actor.organization_id, subject=member.user_id, target=correction,
                     details={"kind": correction.kind, "replacement": replacement.pk if replacement else None})
        if replacement is not None:
            timesheets.recompute(member, days)
        zone = localtime.zone_for(member.organization)
        send_service_email(member.user.email, "correction_decided", {
            "approved": replacement is not None, "kind": correction.get_kind_display(),
            "when": localtime.format_datetime(correction.occurred_at, zone),
            "organization": member.organization.name}, organization_id=member.organization_id)
        notify(member.user, member.organization, f"correction.{state}",
               f"Your correction ({correction.get_kind_display().lower()}) was {state}",
               url=reverse("workforce:timesheets", kwargs={"org": member.organization.slug}))
    correction.state, correction.decided_by, correction.decided_at = state, actor, now
    correction.replacement = replacement
    return correction
