"""Policy versions: identity, effective dates and what counts as a material change (NO2).

A published version is identified by the hash of its canonical content, so acceptance and
consent records can point at exactly the text a person saw; comparing two versions decides
whether users must be told and asked again.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from typing import Any

from officium.privacy.policy.schema import Policy, Purpose


def canonical_json(policy: Policy) -> str:
    """Key order and whitespace never change the hash; content does."""
    return json.dumps(policy.model_dump(mode="json"), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)


def policy_hash(policy: Policy) -> str:
    return hashlib.sha256(canonical_json(policy).encode("utf-8")).hexdigest()


def effective_date(policy: Policy, posted_on: date, material: bool) -> date:
    """Non-material changes apply on posting; material ones after the policy's notice period."""
    if not material:
        return posted_on
    return posted_on + timedelta(days=policy.changes.material_effective_after_days)


def _by_id(items: list[Any]) -> dict[str, dict[str, Any]]:
    return {item.id: item.model_dump(mode="json") for item in items}


def _keyed_changes(name: str, old: list[Any], new: list[Any], fields: tuple[str, ...]
                   ) -> list[str]:
    before, after = _by_id(old), _by_id(new)
    changes = [f"{name} added: {key}" for key in after.keys() - before.keys()]
    changes += [f"{name} removed: {key}" for key in before.keys() - after.keys()]
    for key in sorted(before.keys() & after.keys()):
        changed = [f for f in fields if before[key].get(f) != after[key].get(f)]
        if changed:
            changes.append(f"{name} {key} changed: {', '.join(changed)}")
    return sorted(changes)


def material_changes(old: Policy, new: Policy) -> list[str]:
    """Why a new version is material, one line per reason; empty when it is not."""
    changes = [
        *_keyed_changes("purpose", old.purposes, new.purposes,
                        ("term", "legal_basis", "categories", "consent_required", "marketing",
                         "data_subjects")),
        *_keyed_changes("recipient", old.recipients, new.recipients,
                        ("role", "categories", "countries", "purpose", "opt_out_allowed")),
        *_keyed_changes("category", old.categories, new.categories, ("term", "sensitivity")),
        *_keyed_changes("retention rule", old.retention, new.retention,
                        ("categories", "data_types", "duration_days", "trigger",
                         "plan_overrides", "min_days", "max_days")),
        *_keyed_changes("rights group", old.rights, new.rights,
                        ("rights", "audiences", "deadline", "extension")),
    ]
    scalar = {
        "controller": (old.controller, new.controller),
        "processor mode": (old.processor_mode, new.processor_mode),
        "storage countries": (sorted(old.storage_countries), sorted(new.storage_countries)),
        "age threshold": (old.age, new.age),
        "DNT/GPC behaviour": (old.signals, new.signals),
        "log retention": (old.logs, new.logs),
        "termination grace period": (old.termination_grace_days, new.termination_grace_days),
    }
    changes += [f"{name} changed" for name, (a, b) in scalar.items() if a != b]
    return changes


def is_material_change(old: Policy, new: Policy) -> bool:
    return bool(material_changes(old, new))


def added_consent_purposes(old: Policy, new: Policy) -> list[Purpose]:
    """PU2: consent purposes the accepted version did not cover, or now covers more widely."""
    before = {p.id: p for p in old.purposes}
    added: list[Purpose] = []
    for purpose in new.purposes:
        if not purpose.consent_required:
            continue
        previous = before.get(purpose.id)
        if (previous is None or not previous.consent_required
                or not set(purpose.categories) <= set(previous.categories)
                or previous.term != purpose.term):
            added.append(purpose)
    return added
