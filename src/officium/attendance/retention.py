"""RE1: how long location data is kept, as the retention engine enforces it.

The retention engine (``officium.privacy.retention``) sweeps this app's registered models:
each model is governed by the active policy's rule for its data type or categories (in the
``officetrack`` profile, ``mobile_data``: 90 days, 365 on the ``extended_history`` plan), in
chunks, with deletion evidence. This app registers no sweep of its own; it only shows the
period in force and lets an administrator choose one within the rule's bounds, stored as the
engine's per-organization override (``rules.set_override``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from officium.accounts import limits
from officium.attendance.models import LocationEvent
from officium.privacy.registry import registration_for
from officium.privacy.retention import rules
from officium.privacy.retention.models import RetentionOverride

TIMED_TRIGGERS = frozenset({"created"})
"""Rules an organization may shorten or lengthen from here: those counting from each event."""


@dataclass(frozen=True)
class Period:
    rule: str
    days: int | None  # None: the policy keeps locations until the account ends
    min_days: int | None = None
    max_days: int | None = None
    trigger: str = "created"

    @property
    def choosable(self) -> bool:
        return self.trigger in TIMED_TRIGGERS

    def allows(self, days: int) -> bool:
        return self.choosable and (self.min_days is None or days >= self.min_days) and (
            self.max_days is None or days <= self.max_days)


def location_rule() -> Any:
    """The policy rule the engine applies to location events (None: not swept)."""
    registration = registration_for(LocationEvent)
    return rules.rule_for(registration) if registration is not None else None


def chosen_days(organization_id: int) -> int | None:
    """The organization's own period for the location rule, if it chose one."""
    rule = location_rule()
    if rule is None:
        return None
    return (RetentionOverride.objects.filter(organization_id=organization_id, rule_id=rule.id)
            .values_list("days", flat=True).first())


def location_period(organization: Any) -> Period:
    """The period in force for an organization's location data (plan and choice applied)."""
    rule = location_rule()
    if rule is None:
        return Period("none", None, trigger="none")
    if rule.trigger not in TIMED_TRIGGERS:
        return Period(rule.id, None, rule.min_days, rule.max_days, rule.trigger)
    days = rules.days_for(rule, organization.plan, chosen_days(organization.pk))
    return Period(rule.id, days, rule.min_days, rule.max_days, rule.trigger)


def choose_period(actor_id: int, organization: Any, days: int | None) -> None:
    """Store (or with None, drop) the organization's location period as the engine's
    override; validated here so the error names the attendance field."""
    rule = location_rule()
    period = location_period(organization)
    if days is None:
        if rule is not None:
            RetentionOverride.objects.filter(organization_id=organization.pk, rule_id=rule.id).delete()
        return
    if rule is None or not period.choosable:
        raise ValidationError({"location_retention_days":
                               "The policy does not let organizations choose this period."})
    if isinstance(days, bool) or days < 1 or not period.allows(days):
        raise ValidationError({"location_retention_days":
                               f"Choose between {period.min_days or 1} and {period.max_days or 'any'} days."})
    if days != chosen_days(organization.pk):  # BI1: a period of its own is the plan's to allow
        limits.check(organization.pk, "retention_choices", 1, field="location_retention_days")
    rules.set_override(actor_id=actor_id, organization_id=organization.pk, rule_id=rule.id, days=days)
