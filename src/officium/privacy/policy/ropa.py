"""The Art. 30 GDPR record of processing activities, generated from the policy.

One row per purpose (what, why, on which basis, about whom, to whom, where, how long, how
protected), optionally followed by one row per registered model field, so the record is
as current as the code: it cannot drift from what the engine enforces.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

from officium.privacy.policy import dpv, wording
from officium.privacy.policy.schema import Category, Policy, Purpose

COLUMNS = (
    "record", "purpose_id", "purpose", "purpose_term", "legal_basis", "categories",
    "data_subjects", "recipients", "countries", "retention", "security_measures",
    "model", "field",
)

RegistryRow = Mapping[str, str]


def _categories_for(policy: Policy, name: str) -> list[Category]:
    """A registry row may name a category by policy id or by its DPV term."""
    by_id = [c for c in policy.categories if c.id == name]
    return by_id or policy.categories_with_term(name)


def _retention(policy: Policy, category_ids: Iterable[str]) -> list[str]:
    wanted = set(category_ids)
    texts = [f"{rule.id}: {wording.retention_period(rule)}"
             for rule in policy.retention if wanted & set(rule.categories)]
    if policy.logs is not None and wanted & set(policy.logs.categories):
        texts.append(f"logs: {wording.days(policy.logs.retention_days)}")
    return texts


def _activity(policy: Policy, purpose: Purpose) -> dict[str, Any]:
    used = set(purpose.categories)
    recipients = [r for r in policy.recipients
                  if r.purpose == purpose.id or used & set(r.categories)]
    countries = sorted({*policy.storage_countries, *(c for r in recipients for c in r.countries)})
    return {
        "record": "purpose",
        "purpose_id": purpose.id,
        "purpose": purpose.description,
        "purpose_term": purpose.term,
        "legal_basis": f"{purpose.legal_basis} ({dpv.label(purpose.legal_basis)})",
        "categories": [policy.category(c).term for c in purpose.categories],
        "data_subjects": [dpv.label(s) for s in purpose.data_subjects],
        "recipients": [f"{r.name} ({r.role})" for r in recipients],
        "countries": countries,
        "retention": _retention(policy, purpose.categories),
        "security_measures": [dpv.label(m) for m in policy.security_measures],
        "model": "",
        "field": "",
    }


def _field(policy: Policy, row: RegistryRow) -> dict[str, Any]:
    categories = _categories_for(policy, row.get("category", ""))
    ids = [c.id for c in categories]
    purposes = [p for p in policy.purposes if set(ids) & set(p.categories)]
    return {
        "record": "field",
        "purpose_id": [p.id for p in purposes],
        "purpose": "",
        "purpose_term": [p.term for p in purposes],
        "legal_basis": sorted({p.legal_basis for p in purposes}),
        "categories": [row.get("category", "")],
        "data_subjects": [],
        "recipients": sorted({r.name for r in policy.recipients if set(ids) & set(r.categories)}),
        "countries": list(policy.storage_countries),
        "retention": _retention(policy, ids),
        "security_measures": [],
        "model": row.get("model", ""),
        "field": row.get("field", ""),
    }


def ropa_rows(policy: Policy, registry_rows: Iterable[RegistryRow] | None = None
              ) -> list[dict[str, Any]]:
    rows = [_activity(policy, p) for p in policy.purposes]
    rows += [_field(policy, r) for r in registry_rows or ()]
    return rows


def ropa_csv(policy: Policy, registry_rows: Iterable[RegistryRow] | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in ropa_rows(policy, registry_rows):
        writer.writerow({k: "; ".join(v) if isinstance(v, list) else v for k, v in row.items()})
    return buffer.getvalue()


def ropa_json(policy: Policy, registry_rows: Iterable[RegistryRow] | None = None) -> str:
    c = policy.controller
    record = {
        "controller": {"name": c.name, "legal_name": c.legal_name,
                       "privacy_email": c.privacy_email, "postal_address": c.postal_address,
                       "dpo": c.dpo.model_dump() if c.dpo else None},
        "role": "processor" if policy.processor_mode else "controller",
        "profile": policy.profile,
        "revised": policy.revised.isoformat(),
        "activities": ropa_rows(policy, registry_rows),
    }
    return json.dumps(record, indent=2, ensure_ascii=False)
