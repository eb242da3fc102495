"""RE1: location data is kept 90 days by default, then deleted in chunks with evidence.

The period is the policy's retention rule for the ``location`` data type (per organization
plan, or the organization's own choice within the rule's bounds); without such a rule, 90
days. Until the retention engine lands, this app's periodic job does the sweeping; each chunk
is one transaction that deletes rows and records ``retention.deleted`` (what, how many, which
rule, the time range), never the deleted values. Killing it mid-sweep loses nothing: the
next run starts where it stopped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django_tasks import task

from officium.accounts.models import Organization
from officium.attendance.models import (
    AttendanceSettings,
    LocationEvent,
    LocationRequest,
    Notification,
    SitePresence,
)
from officium.privacy import audit

DEFAULT_DAYS = 90
DEFAULT_RULE = "attendance.location_default"
DATA_TYPES = frozenset({"location", "location_event"})
CHUNK = 1000
SWEPT: tuple[tuple[type[models.Model], str], ...] = (
    (LocationEvent, "occurred_at"), (SitePresence, "changed_at"),
    (Notification, "created_at"), (LocationRequest, "created_at"),
)


@dataclass(frozen=True)
class Period:
    rule: str
    days: int
    min_days: int | None = None
    max_days: int | None = None

    def allows(self, days: int) -> bool:
        return (self.min_days is None or days >= self.min_days) and (
            self.max_days is None or days <= self.max_days)


def _rule() -> Any:
    from officium.privacy.policy.loader import active_policy

    return next((r for r in active_policy().retention if DATA_TYPES & set(r.data_types)), None)


def location_period(organization: Organization, chosen: int | None = None) -> Period:
    """The period in force for an organization's location data."""
    rule = _rule()
    if rule is None:
        return Period(DEFAULT_RULE, chosen or DEFAULT_DAYS)
    days = chosen if chosen is not None and rule.allows(chosen) else None
    return Period(rule.id, rule.days_for(organization.plan, days), rule.min_days, rule.max_days)


def sweep(now: datetime | None = None) -> int:
    """Delete every organization's expired location rows; returns how many were deleted."""
    now = now or timezone.now()
    chosen = dict(AttendanceSettings.objects.values_list("organization_id", "location_retention_days"))
    deleted = 0
    for organization in Organization.objects.only("pk", "plan"):
        period = location_period(organization, chosen.get(organization.pk))
        cutoff = now - timedelta(days=period.days)
        for model, anchor in SWEPT:
            deleted += _sweep_model(organization.pk, model, anchor, cutoff, period)
    return deleted


def _sweep_model(organization_id: int, model: type[models.Model], anchor: str, cutoff: datetime,
                 period: Period) -> int:
    total = 0
    expired = model._default_manager.filter(organization_id=organization_id, **{f"{anchor}__lt": cutoff})
    while True:
        with transaction.atomic():
            chunk = list(expired.order_by(anchor, "pk").values_list("pk", anchor)[:CHUNK])
            if not chunk:
                return total
            model._default_manager.filter(pk__in=[pk for pk, _ in chunk]).delete()
            audit.record("retention.deleted", organization=organization_id, details={
                "rule": period.rule, "days": period.days, "model": model._meta.label,
                "count": len(chunk), "from": chunk[0][1].isoformat(), "to": chunk[-1][1].isoformat()})
        total += len(chunk)


@task(queue_name="retention")
def sweep_location_data() -> int:
    return sweep()
