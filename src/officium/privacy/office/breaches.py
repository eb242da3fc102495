"""PV5: record a breach, notify the authority within 72 hours, tell the people affected.

Every step validates first, then writes the breach, its history and an audit entry in one
transaction; the emails to the people affected are queued in the outbox in that transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from officium.mail.service import send_service_email
from officium.privacy import audit, staff
from officium.privacy.actors import Member
from officium.privacy.audit_events import (
    BREACH_AUTHORITY_NOTIFIED,
    BREACH_NOTE,
    BREACH_PEOPLE_NOTIFIED,
    BREACH_RECORDED,
)
from officium.privacy.office.models import Breach, BreachEvent, BreachSubject
from officium.privacy.policy.loader import active_policy


def _officer(actor: Member) -> None:
    if not staff.is_privacy_staff(actor):
        raise PermissionDenied("Only the owner and privacy officers keep the breach register.")


def breaches_for(organization_id: int) -> QuerySet[Breach]:
    return Breach.objects.filter(organization_id=organization_id)


def open_clocks(organization_id: int) -> list[Breach]:
    """Breaches the authority has not been told of yet, the most urgent first (dashboard)."""
    return list(breaches_for(organization_id).filter(authority_notified_at=None)
                .order_by("discovered_at"))


def category_choices() -> list[tuple[str, str]]:
    return [(c.id, c.description) for c in active_policy().categories]


def record_breach(actor: Member, *, summary: str, description: str, discovered_at: datetime,
                  occurred_at: datetime | None, categories: Iterable[str],
                  subject_ids: Iterable[int], people_count: int | None, consequences: str,
                  measures: str, high_risk: bool) -> Breach:
    _officer(actor)
    now = timezone.now()
    errors: dict[str, str] = {}
    if discovered_at > now:
        errors["discovered_at"] = "A breach cannot be discovered in the future."
    if occurred_at is not None and occurred_at > discovered_at:
        errors["occurred_at"] = "It cannot have happened after it was discovered."
    known = {c for c, _ in category_choices()}
    wanted = list(dict.fromkeys(categories))
    if not wanted:
        errors["categories"] = "Name at least one kind of data involved."
    elif set(wanted) - known:
        errors["categories"] = f"Not a category of the policy: {', '.join(sorted(set(wanted) - known))}."
    members = set(staff.members(actor.organization_id).values_list("user_id", flat=True))
    people = list(dict.fromkeys(subject_ids))
    if set(people) - members:
        errors["subjects"] = "Only members of this organization can be named."
    for field, text in (("summary", summary), ("description", description),
                        ("consequences", consequences), ("measures", measures)):
        if not text.strip():
            errors[field] = "This field is required."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        breach = Breach.objects.create(
            organization_id=actor.organization_id, summary=summary.strip(),
            description=description.strip(), occurred_at=occurred_at,
            discovered_at=discovered_at, categories=wanted,
            people_count=max(people_count or 0, len(people)), consequences=consequences.strip(),
            measures=measures.strip(), high_risk=high_risk, recorded_by_id=actor.user_id)
        BreachSubject.objects.bulk_create([
            BreachSubject(organization_id=actor.organization_id, breach=breach, subject_id=pk)
            for pk in people])
        BreachEvent.objects.create(organization_id=breach.organization_id, breach=breach, actor_id=actor.user_id, action="recorded")
        audit.record(BREACH_RECORDED, actor=actor.user_id, organization=actor.organization_id,
                     target=breach, details={"categories": wanted, "people": len(people),
                                             "high_risk": high_risk})
    return breach


def notify_authority(actor: Member, breach: Breach, *, reference: str, late_reason: str = "") -> Breach:
    """Record that the supervisory authority was told (Art. 33); after 72 hours, say why."""
    _officer(actor)
    now = timezone.now()
    if breach.authority_notified_at is not None:
        raise ValidationError({"reference": "The authority was already notified of this breach."})
    if not reference.strip():
        raise ValidationError({"reference": "Give the authority's reference or the way it was told."})
    if now > breach.authority_due and not late_reason.strip():
        raise ValidationError({"late_reason": "More than 72 hours have passed: say why (Art. 33(1))."})
    with transaction.atomic():
        breach.authority_notified_at = now
        breach.authority_reference = reference.strip()
        breach.late_reason = late_reason.strip()
        breach.save(update_fields=["authority_notified_at", "authority_reference", "late_reason"])
        BreachEvent.objects.create(organization_id=breach.organization_id, breach=breach, actor_id=actor.user_id, action="authority_notified",
                                   note=reference.strip())
        audit.record(BREACH_AUTHORITY_NOTIFIED, actor=actor.user_id,
                     organization=actor.organization_id, target=breach,
                     details={"late": now > breach.authority_due})
    return breach


def notify_people(actor: Member, breach: Breach, *, message: str) -> int:
    """Email every person affected not told yet (Art. 34), through the outbox; returns how many."""
    _officer(actor)
    if not message.strip():
        raise ValidationError({"message": "Write what happened and what they can do."})
    pending = list(breach.subjects.filter(notified_at=None).values_list("pk", "subject_id"))
    if not pending:
        raise ValidationError({"message": "Everyone affected has already been told."})
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=[s for _, s in pending])}
    now = timezone.now()
    with transaction.atomic():
        for _, subject_id in pending:
            user = users.get(subject_id)
            if user is None or not user.email:
                continue
            send_service_email(user.email, "breach_notice", {
                "breach": breach, "message": message.strip(),
                "organization_id": breach.organization_id}, organization_id=breach.organization_id)
        BreachSubject.objects.filter(pk__in=[pk for pk, _ in pending]).update(notified_at=now)
        breach.people_notified_at = now
        breach.save(update_fields=["people_notified_at"])
        BreachEvent.objects.create(organization_id=breach.organization_id, breach=breach, actor_id=actor.user_id, action="people_notified",
                                   note=message.strip())
        audit.record(BREACH_PEOPLE_NOTIFIED, actor=actor.user_id,
                     organization=actor.organization_id, target=breach,
                     details={"count": len(pending)})
    return len(pending)


def add_note(actor: Member, breach: Breach, *, note: str) -> BreachEvent:
    """Evidence or a step taken, kept in the breach's history."""
    _officer(actor)
    if not note.strip():
        raise ValidationError({"note": "Write the note."})
    with transaction.atomic():
        event = BreachEvent.objects.create(organization_id=breach.organization_id, breach=breach, actor_id=actor.user_id, action="note",
                                           note=note.strip())
        audit.record(BREACH_NOTE, actor=actor.user_id, organization=actor.organization_id,
                     target=breach)
    return event


def describe(breach: Breach) -> dict[str, Any]:
    """Plain words for the page: category descriptions, not ids."""
    names = dict(category_choices())
    return {"categories": [names.get(c, c) for c in breach.categories]}
