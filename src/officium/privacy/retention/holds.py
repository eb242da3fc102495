"""RE4: which rows legal holds keep, for sweeps, shredding, termination and rights answers.

A hold's set scopes must all match a row: ``organization_id`` (a tenant row of that
organization), ``subject_id`` (a row of that data subject), ``data_type`` (a model registered
with that data type). Services here validate, change and audit in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from officium.privacy import audit
from officium.privacy.registry import SELF, Registration, registrations
from officium.privacy.retention.deletion import (
    reverse_relations as reverse_relations,  # re-exported
)
from officium.privacy.retention.models import HoldReason, LegalHold


@dataclass(frozen=True)
class Kept:
    """Rows a hold keeps: what the rights answer and the cancel page name."""

    model_label: str
    verbose_name: str
    count: int
    hold: LegalHold

    @property
    def reason(self) -> str:
        return self.hold.reason

    @property
    def until(self) -> date:
        return self.hold.until


@dataclass(frozen=True)
class ObligationHold:
    """WT10: a record obligation of the active policy (``record_obligations``), acting as a
    hold on one data type: it keeps the rows whose retention anchor is younger than the
    obligation's period, for everyone. Legal-hold shaped, so sweeps, shredding, cancellation
    and rights answers treat it like one; once a row is older it is no longer kept."""

    pk: str
    data_type: str
    reason: str
    until: date
    anchor_since: datetime
    organization_id: None = None
    subject_id: None = None
    reason_kind: str = HoldReason.LEGAL_OBLIGATION

    def get_reason_kind_display(self) -> str:
        return str(HoldReason.LEGAL_OBLIGATION.label)

    @property
    def scope(self) -> str:
        """What it keeps, in the words a legal hold's ``scope`` uses: everyone's rows of a type."""
        return f"{self.data_type.replace('_', ' ')} data, without location"


def obligation_holds(now: datetime | None = None) -> list[ObligationHold]:
    """The active policy's record obligations, one hold per data type, as of ``now``."""
    from officium.privacy.policy.loader import active_policy

    now = now or timezone.now()
    out = []
    for obligation in getattr(active_policy(), "record_obligations", []):
        since = now - timedelta(days=obligation.keep_days)
        until = (now + timedelta(days=obligation.keep_days)).date()
        for data_type in obligation.data_types:
            out.append(ObligationHold(f"obligation:{obligation.id}:{data_type}", data_type,
                                      f"{obligation.description} {obligation.law}", until, since))
    return out


def is_tenant_model(model: type[models.Model]) -> bool:
    return any(f.name == "organization" for f in model._meta.concrete_fields)


def hold_q(reg: Registration, hold: LegalHold) -> Q | None:
    """The rows of ``reg`` this hold keeps, or None when it keeps none of them."""
    if hold.data_type and hold.data_type != reg.data_type:
        return None
    q = Q()
    if hold.organization_id is not None:
        if not is_tenant_model(reg.model):
            return None
        q &= Q(organization_id=hold.organization_id)
    if hold.subject_id is not None:
        q &= reg.subject_q(hold.subject_id)
    since = getattr(hold, "anchor_since", None)
    if since is not None:  # a record obligation keeps rows younger than its period
        if not reg.retention_anchor:
            return None
        q &= Q(**{f"{reg.retention_anchor}__gte": since})
    return q


def held_q(reg: Registration, holds: list[LegalHold]) -> Q | None:
    """Rows of ``reg`` kept by any of ``holds`` (None: none kept)."""
    result: Q | None = None
    for hold in holds:
        q = hold_q(reg, hold)
        if q is None:
            continue
        if not q:  # a hold matching every row of this model
            return Q(pk__isnull=False)
        result = q if result is None else result | q
    return result


def active_holds(on: date | None = None) -> list[Any]:
    """Legal holds in force, and the policy's record obligations (WT10)."""
    moment = None if on is None else timezone.make_aware(datetime.combine(on, datetime.min.time()))
    return [*LegalHold.objects.active(on), *obligation_holds(moment)]


def candidate_holds(subject_id: int) -> list[Any]:
    return [*LegalHold.objects.active().filter(Q(subject_id=subject_id) | Q(subject_id__isnull=True)),
            *obligation_holds()]


def kept_for_subject(subject_id: int, holds: list[LegalHold] | None = None) -> list[Kept]:
    """Per model and hold, how many of the subject's rows holds keep (each row counted once,
    under the first hold that keeps it)."""
    holds = candidate_holds(subject_id) if holds is None else holds
    kept: list[Kept] = []
    for reg in registrations():
        mine = reg.model._base_manager.filter(reg.subject_rows_q(subject_id))
        claimed = Q(pk__in=[])
        for hold in holds:
            q = hold_q(reg, hold)
            if q is None:
                continue
            count = mine.filter(q).exclude(claimed).count()
            claimed |= q
            if count:
                kept.append(Kept(reg.label, str(reg.model._meta.verbose_name_plural), count, hold))
    return kept


def holds_for_subject(subject_id: int) -> list[Any]:
    """The active holds that keep at least one row of this subject (for the rights answer)."""
    seen: dict[Any, Any] = {}
    for item in kept_for_subject(subject_id):
        seen.setdefault(item.hold.pk, item.hold)
    return list(seen.values())


def subject_rows_held(subject_id: int, holds: list[LegalHold]) -> bool:
    return any(reg.subject != SELF and held_q(reg, holds) is not None
               and reg.model._base_manager.filter(reg.subject_rows_q(subject_id)).filter(held_q(reg, holds)).exists()
               for reg in registrations())


# --- services -------------------------------------------------------------------------

def place_hold(*, actor_id: int | None, organization_id: int | None, reason_kind: str, reason: str,
               until: date, subject_id: int | None = None, data_type: str = "") -> LegalHold:
    """Create a hold (validated: a known reason, a reason text, an end in the future)."""
    errors: dict[str, str] = {}
    if reason_kind not in HoldReason.values:
        errors["reason_kind"] = "Choose legal obligation, dispute or financial record."
    if not (reason or "").strip():
        errors["reason"] = "Say why the data must be kept."
    elif len(reason) > 500:
        errors["reason"] = "Keep the reason under 500 characters."
    if not isinstance(until, date) or until < timezone.localdate():
        errors["until"] = "The hold needs an end date that is today or later."
    known_types = {reg.data_type for reg in registrations() if reg.data_type}
    if data_type and data_type not in known_types:
        errors["data_type"] = f"Unknown data type; choose one of {', '.join(sorted(known_types))}."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        hold = LegalHold.objects.create(
            organization_id=organization_id, subject_id=subject_id, data_type=data_type,
            reason_kind=reason_kind, reason=reason.strip(), until=until, created_by_id=actor_id)
        audit.record("retention.hold_placed", actor=actor_id, organization=organization_id,
                     subject=subject_id, target=hold,
                     details={"reason_kind": reason_kind, "data_type": data_type,
                              "until": until.isoformat()})
    return hold


def release_hold(hold: LegalHold, *, actor_id: int | None) -> LegalHold:
    with transaction.atomic():
        updated = LegalHold.objects.filter(pk=hold.pk, released_at__isnull=True).update(
            released_at=timezone.now(), released_by_id=actor_id)
        if updated:
            audit.record("retention.hold_released", actor=actor_id, organization=hold.organization_id,
                         subject=hold.subject_id, target=hold, details={"reason_kind": hold.reason_kind})
            transaction.on_commit(_finish_erasures)
    hold.refresh_from_db()
    return hold


def _finish_erasures() -> None:
    """What the released hold kept of people already erased is erased now (by the worker)."""
    from officium.privacy.retention.tasks import finish_erasures

    finish_erasures.enqueue()


def data_type_choices() -> list[tuple[str, str]]:
    types = sorted({reg.data_type for reg in registrations() if reg.data_type})
    return [(t, t.replace("_", " ")) for t in types]


def describe(items: list[Kept]) -> list[dict[str, Any]]:
    """Plain data for templates and rights answers."""
    return [{"what": k.verbose_name, "model": k.model_label, "count": k.count,
             "reason_kind": k.hold.get_reason_kind_display(), "reason": k.reason,
             "until": k.until} for k in items]
