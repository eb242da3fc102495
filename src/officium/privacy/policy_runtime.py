"""The active policy as the engine reads it at run time: purposes and their categories.

Kept apart from ``policy/`` (pure, Django-free) so the access layer has one small seam.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from officium.privacy.policy.schema import Policy


class UndeclaredPurpose(LookupError):
    """The purpose is not in the active policy (re-exported by ``access``, which raises it)."""


def _policy() -> Policy:
    from officium.privacy.policy.loader import active_policy

    return active_policy()


@lru_cache(maxsize=256)
def purpose_terms(purpose: str) -> tuple[frozenset[str], frozenset[str]]:
    """DPV terms a purpose may process, and the DPV terms the policy marks sensitive."""
    policy = _policy()
    spec = next((p for p in policy.purposes if p.id == purpose), None)
    if spec is None:
        raise UndeclaredPurpose(f"Purpose {purpose!r} is not declared in the active policy")
    categories = {c.id: c for c in policy.categories}
    allowed = frozenset(categories[c].term for c in spec.categories if c in categories)
    sensitive = frozenset(c.term for c in policy.categories if c.sensitivity != "normal")
    return allowed, sensitive


@lru_cache(maxsize=1024)
def term_covered(term: str, terms: frozenset[str]) -> bool:
    """True when ``term`` is one of ``terms`` or a narrower DPV term of one of them."""
    if term in terms:
        return True
    from officium.privacy.policy.dpv import is_a

    return any(is_a(term, broader) for broader in terms)


@lru_cache(maxsize=1)
def collected_signup_keys() -> frozenset[str]:
    return _policy().collected_keys


def reset() -> None:
    collected_signup_keys.cache_clear()
    purpose_terms.cache_clear()
    term_covered.cache_clear()
