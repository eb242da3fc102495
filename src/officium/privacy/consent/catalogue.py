"""What the active policy lets people decide: consent purposes, cookie categories, opt-outs.

Pure lookups over the policy file; the ledger refuses anything not listed here.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

STRICTLY_NECESSARY = "strictly_necessary"
# Cookies the server itself may set per category once consented (third-party cookies are
# set by the third parties' own scripts, which load only after consent).
CATEGORY_COOKIES = {"analytics": "ofc_analytics", "preferences": "ofc_prefs"}
CHOICE_COOKIE = "ofc_consent"
if TYPE_CHECKING:
    from officium.privacy.policy.schema import Policy
    from officium.privacy.policy.sections import CookieCategory, Purpose, Recipient, Signals

CHANNELS = ("email", "phone", "sms")


def policy() -> Policy:
    from officium.privacy.policy.loader import active_policy

    return active_policy()


def notice_version() -> str:
    """The version of the notice in force: its content hash (what the person saw)."""
    from officium.privacy.policy.loader import active_policy_file

    return _hash_for(active_policy_file(), id(policy()))


@lru_cache(maxsize=8)
def _hash_for(path: str, policy_identity: int) -> str:
    from officium.privacy.policy.versioning import policy_hash

    return policy_hash(policy())


def purpose(purpose_id: str, field: str = "purpose") -> Purpose:
    """The declared purpose, or a ValidationError naming ``field`` (unknown purpose -> 400)."""
    found = next((p for p in policy().purposes if p.id == purpose_id), None)
    if found is None:
        raise ValidationError({field: f"{purpose_id!r} is not a purpose of the privacy policy."})
    return found


def consent_purposes() -> list[Purpose]:
    return [p for p in policy().purposes if p.consent_required]


def marketing_purposes() -> list[Purpose]:
    return [p for p in policy().purposes if p.marketing]


def marketing_purpose_id() -> str | None:
    found = marketing_purposes()
    return found[0].id if found else None


def cookie_categories() -> list[CookieCategory]:
    """The policy's cookie categories; strictly necessary always exists (it needs no consent)."""
    return list(policy().cookies)


def optional_cookie_kinds() -> list[str]:
    return [c.kind for c in cookie_categories() if c.kind != STRICTLY_NECESSARY]


def cookie_category(kind: str, field: str = "category") -> CookieCategory:
    found = next((c for c in cookie_categories() if c.kind == kind and c.kind != STRICTLY_NECESSARY),
                 None)
    if found is None:
        raise ValidationError({field: f"{kind!r} is not an optional cookie category of the policy."})
    return found


def cookie_purpose(kind: str) -> str:
    """The purpose a cookie category serves; a category without one falls back to the first
    consent purpose naming browsing data, else to the category kind itself."""
    category = cookie_category(kind)
    return category.purpose or f"cookies_{kind}"


def opt_out_recipients() -> list[Recipient]:
    return [r for r in policy().recipients if r.opt_out_allowed]


def recipient(recipient_id: str, field: str = "recipient") -> Recipient:
    found = next((r for r in opt_out_recipients() if r.id == recipient_id), None)
    if found is None:
        raise ValidationError({field: f"{recipient_id!r} is not a recipient you can opt out of."})
    return found


def photo_purpose_id() -> str | None:
    """The consent purpose covering photos (pd:Picture) in the active policy, if any."""
    pictures = {c.id for c in policy().categories if c.term == "pd:Picture"}
    for p in consent_purposes():
        if pictures & set(p.categories):
            return p.id
    return None


def signals() -> Signals:
    return policy().signals


def reset() -> None:
    _hash_for.cache_clear()
