"""Restriction (RI5) and objection (RI6, RI7 opt-out) as subject filters of purpose-bound
access: the data stays, ``for_purpose`` stops returning it for what was restricted.

- A restricted subject is excluded from every purpose except legal compliance (storage and
  legal claims, GDPR Art. 18(2)).
- An objection to a purpose based on legitimate interests excludes the subject from that
  purpose; an objection to marketing is absolute: every marketing purpose (Art. 21(3)).
- A CCPA opt-out of sale/sharing excludes the subject from every marketing purpose (cross-
  context advertising is the "sharing" the CCPA names; Officium never sells, PU3).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from officium.privacy.access import AccessContext

LEGAL_CLAIMS_PURPOSES = frozenset({"legal_compliance"})


def _purpose(purpose_id: str) -> Any:
    from officium.privacy.policy.loader import active_policy

    return next((p for p in active_policy().purposes if p.id == purpose_id), None)


def restricted_subjects(context: AccessContext) -> Any:
    """Subject filter (``access.add_subject_filter``): restricted subjects, except for the
    legal-claims purposes."""
    from officium.privacy.rights.models import RestrictionFlag

    if context.purpose in LEGAL_CLAIMS_PURPOSES:
        return None
    return RestrictionFlag.objects.filter(lifted_at=None).values("subject_id")


def objected_subjects(context: AccessContext) -> Any:
    """Subject filter: subjects who objected to this purpose (or to all marketing, or opted
    out of sale/sharing when the purpose is marketing)."""
    from officium.privacy.rights.models import Objection, ObjectionScope

    purpose = _purpose(context.purpose)
    if purpose is None:
        return None
    objection = Q(scope=ObjectionScope.PURPOSE, purpose=purpose.id)
    if purpose.marketing:
        objection |= Q(scope__in=[ObjectionScope.MARKETING, ObjectionScope.SALE])
    return Objection.objects.filter(objection, withdrawn_at=None).values("subject_id")


def objectionable(purpose_id: str) -> bool:
    """Whether the subject may object to this purpose: legitimate interests (A6-1-f), public
    task (A6-1-e), or marketing."""
    purpose = _purpose(purpose_id)
    return purpose is not None and (
        purpose.marketing or purpose.legal_basis in {"eu-gdpr:A6-1-f", "eu-gdpr:A6-1-e"})
