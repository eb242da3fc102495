"""Which policy retention rule governs each registered model, and for how long (RE1).

A rule names data types and/or categories. A model is governed by the rule naming its
``data_type``; failing that, by the rule covering most of its personal categories (DPV
terms, narrower terms included), the longer period winning a tie, so a model is never
deleted earlier than one of its categories allows. Organizations choose a period within
the rule's bounds (``RetentionOverride``); otherwise their plan's, otherwise the default.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from officium.privacy import audit
from officium.privacy.policy.schema import Policy, RetentionRule
from officium.privacy.policy_runtime import term_covered
from officium.privacy.registry import Registration, registrations
from officium.privacy.retention.models import RetentionOverride


@dataclass(frozen=True)
class Binding:
    rule: RetentionRule
    registration: Registration


def _policy() -> Policy:
    from officium.privacy.policy.loader import active_policy

    return active_policy()


def rule_for(reg: Registration, policy: Policy | None = None) -> RetentionRule | None:
    policy = policy or _policy()
    if reg.data_type:
        for rule in policy.retention:
            if reg.data_type in rule.data_types:
                return rule
    terms = set(reg.personal_fields().values())
    best: tuple[int, int, RetentionRule] | None = None
    for rule in policy.retention:
        rule_terms = frozenset(policy.category(c).term for c in rule.categories)
        covered = sum(1 for t in terms if term_covered(t, rule_terms))
        if covered and (best is None or (covered, rule.duration_days) > best[:2]):
            best = (covered, rule.duration_days, rule)
    return best[2] if best else None


def bindings(trigger: str | None = None, policy: Policy | None = None) -> list[Binding]:
    """Every registered model with its governing rule (optionally of one trigger)."""
    policy = policy or _policy()
    found = []
    for reg in registrations():
        rule = rule_for(reg, policy)
        if rule is not None and (trigger is None or rule.trigger == trigger):
            found.append(Binding(rule, reg))
    return found


def overrides() -> dict[tuple[int, str], int]:
    return {(o, r): d for o, r, d in RetentionOverride.objects.values_list("organization_id", "rule_id", "days")}


def days_for(rule: RetentionRule, plan: str | None, chosen: int | None) -> int:
    """The period in force; a stored choice outside the (possibly changed) bounds is ignored."""
    return rule.days_for(plan, chosen if chosen is not None and rule.allows(chosen) else None)


def set_override(*, actor_id: int | None, organization_id: int, rule_id: str, days: int) -> RetentionOverride:
    """An organization chooses its period for one rule, within the policy's bounds (RE1)."""
    policy = _policy()
    rule = next((r for r in policy.retention if r.id == rule_id), None)
    if rule is None:
        raise ValidationError({"rule_id": f"The policy has no retention rule {rule_id!r}."})
    if isinstance(days, bool) or not isinstance(days, int) or not rule.allows(days):
        raise ValidationError({"days": f"Choose between {rule.min_days or 0} and "
                                       f"{rule.max_days if rule.max_days is not None else 'any'} days."})
    with transaction.atomic():
        override, _ = RetentionOverride.objects.update_or_create(
            organization_id=organization_id, rule_id=rule_id,
            defaults={"days": days, "updated_at": timezone.now()})
        audit.record("retention.period_chosen", actor=actor_id, organization=organization_id,
                     details={"rule": rule_id, "days": days})
    return override
