"""Registry rows for the record of processing: every personal field the code stores."""

from __future__ import annotations

from officium.privacy import registry
from officium.privacy.policy.schema import Policy
from officium.privacy.policy_runtime import term_covered


def registry_rows(policy: Policy) -> list[dict[str, str]]:
    """(model, field, category id) for each personal field stored under ``policy``.

    A field is named by the policy category that declares its term, or a broader one, so the
    record shows the purposes and retention the policy gives that category.
    """
    collected = policy.collected_keys
    rows = []
    for reg in sorted(registry.registrations(), key=lambda r: r.label):
        for field, term in sorted(reg.personal_fields(collected).items()):
            rows.append({"model": reg.label, "field": field,
                         "category": _declaring_category(policy, term)})
    return rows


def _declaring_category(policy: Policy, term: str) -> str:
    exact = policy.categories_with_term(term)
    if exact:
        return exact[0].id
    broader = [c for c in policy.categories if term_covered(term, frozenset({c.term}))]
    return broader[0].id if broader else term
