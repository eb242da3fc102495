"""PV2: the data map: each record type the code keeps, with its categories, purposes, legal
bases, recipients and countries, and how long it is kept, from the registry and the policy."""

from __future__ import annotations

from dataclasses import dataclass

from officium.privacy import registry
from officium.privacy.policy import dpv, wording
from officium.privacy.policy.geography import describe as place_name
from officium.privacy.policy.schema import Policy
from officium.privacy.policy_runtime import term_covered


@dataclass(frozen=True)
class RecordType:
    title: str
    fields: list[tuple[str, str]]  # (field in words, kind of data in words)
    categories: list[str]
    purposes: list[str]
    legal_bases: list[str]
    recipients: list[str]
    countries: list[str]
    retention: list[str]


def _words(name: str) -> str:
    return name.replace("_", " ").capitalize()


def record_types(policy: Policy) -> list[RecordType]:
    collected = frozenset(policy.signup_keys)
    found: list[RecordType] = []
    for reg in sorted(registry.registrations(), key=lambda r: str(r.model._meta.verbose_name_plural)):
        fields = reg.personal_fields(collected)
        if not fields:
            continue
        cats = [c for c in policy.categories
                if any(term_covered(t, frozenset({c.term})) for t in fields.values())]
        ids = {c.id for c in cats}
        purposes = [p for p in policy.purposes if ids & set(p.categories)]
        recipients = [r for r in policy.recipients if ids & set(r.categories)]
        rules = [r for r in policy.retention
                 if ids & set(r.categories) or (reg.data_type and reg.data_type in r.data_types)]
        found.append(RecordType(
            title=str(reg.model._meta.verbose_name_plural).capitalize(),
            fields=[(_words(str(getattr(reg.model._meta.get_field(f), "verbose_name", f))), dpv.label(t))
                    for f, t in sorted(fields.items())],
            categories=[c.description for c in cats],
            purposes=[p.description for p in purposes],
            legal_bases=sorted({dpv.label(p.legal_basis) for p in purposes}),
            recipients=[f"{r.name} ({r.role})" for r in recipients],
            countries=sorted({place_name(c) for c in
                              (*policy.storage_countries, *(x for r in recipients for x in r.countries))}),
            retention=[f"{r.description} {wording.retention_period(r)}" for r in rules] + (
                [f"Logs: {wording.days(policy.logs.retention_days)}"]
                if policy.logs is not None and ids & set(policy.logs.categories) else []),
        ))
    return found
