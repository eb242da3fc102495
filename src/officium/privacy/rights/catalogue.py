"""Which policy right each request type exercises, and which rights reach whom (RI10).

The policy names rights (``access``, ``ccpa_know``...) per audience; a request type maps onto
one of them. "Do you hold my data?" is Art. 15's first half (``confirm_processing``), so a
policy offering access offers it too.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from officium.privacy.policy.geography import ISO_3166_1, describe
from officium.privacy.policy.schema import Policy, RightsGroup
from officium.privacy.rights.models import RequestType

T = RequestType

POLICY_RIGHTS: dict[str, tuple[str, ...]] = {
    T.ACCESS: ("access",),
    T.PORTABILITY: ("portability",),
    T.RECTIFICATION: ("rectification",),
    T.ERASURE: ("erasure",),
    T.RESTRICTION: ("restriction",),
    T.OBJECTION: ("objection",),
    T.CCPA_KNOW_CATEGORIES: ("ccpa_know",),
    T.CCPA_KNOW_PIECES: ("ccpa_know",),
    T.CCPA_DELETE: ("ccpa_delete",),
    T.CCPA_OPT_OUT_OF_SALE: ("ccpa_opt_out_of_sale",),
    T.DO_YOU_HOLD_MY_DATA: ("confirm_processing", "access"),
}

# Re-authentication before erasure, rectification or any disclosure of data (issue 6, 2).
NEEDS_STRONG_VERIFICATION = frozenset({
    T.ACCESS, T.PORTABILITY, T.RECTIFICATION, T.ERASURE, T.CCPA_KNOW_PIECES, T.CCPA_DELETE,
})
DISCLOSES_DATA = frozenset({T.ACCESS, T.PORTABILITY, T.CCPA_KNOW_PIECES})
ERASES = frozenset({T.ERASURE, T.CCPA_DELETE})


@dataclass(frozen=True)
class Offer:
    group: RightsGroup
    right: str


def offer_for(policy: Policy, request_type: str, country: str, region: str = "") -> Offer:
    """The rights group granting this request type to a resident of ``country``; otherwise a
    ValidationError naming the field and the reason (RI10)."""
    if request_type not in POLICY_RIGHTS:
        raise ValidationError({"request_type": f"Unknown request type {request_type!r}."})
    country = (country or "").strip().upper()
    if country not in ISO_3166_1:
        raise ValidationError({"residence_country": "Give your country of residence as a "
                                                    "two-letter ISO code, such as DE or US."})
    region = (region or "").strip().upper()
    if region and not region.startswith(f"{country}-"):
        raise ValidationError({"residence_region": f"A region of {country}, such as {country}-CA."})
    groups = policy.rights_for(country, region or None)
    for group in groups:
        for right in POLICY_RIGHTS[request_type]:
            if right in group.rights:
                return Offer(group=group, right=right)
    raise ValidationError({"request_type": refusal(policy, request_type, country, region)})


def refusal(policy: Policy, request_type: str, country: str, region: str = "") -> str:
    """Why a right is not offered to this person, naming who the policy offers it to."""
    label = RequestType(request_type).label
    place = describe(region or country)
    reach = [
        ", ".join(describe(p) for a in g.audiences for p in policy.audience(a).places)
        for g in policy.rights if set(POLICY_RIGHTS[request_type]) & set(g.rights)
    ]
    if not reach:
        return f"{policy.controller.name} does not offer this right ({label}) under its policy."
    return (f"{policy.controller.name} offers this right ({label}) to people in "
            f"{'; '.join(reach)}, and you told us you live in {place}.")


def offered_types(policy: Policy, country: str, region: str = "") -> list[str]:
    """Request types a resident of ``country`` may file (for the forms' choices)."""
    found = []
    for request_type in RequestType.values:
        try:
            offer_for(policy, request_type, country, region)
        except ValidationError:
            continue
        found.append(request_type)
    return found
