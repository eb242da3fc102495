"""The consent hook of purpose-bound access (CO1, PU2, PU5).

``for_purpose`` drops the rows of every subject
- without a current "given" for a purpose resting on consent (no record at all counts as
  not given: a purpose added by a new policy version uses nobody's data until they agree);
- who opted out of a recipient receiving data for that purpose (PU5). For purposes resting
  on consent or legitimate interest the opt-out is keyed on the recipient's purpose: every
  read for it drops the person. For purposes the service needs (contract, legal obligation,
  vital interest) it applies to disclosures to that recipient, which code marks with
  ``with disclosing_to("<recipient id>"):`` around the read; otherwise opting out of
  "affiliates" would stop the service itself from working for that person.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from django.contrib.auth import get_user_model

from officium.privacy.access import AccessContext, add_subject_filter
from officium.privacy.consent import catalogue, ledger

_registered = False
_recipient: contextvars.ContextVar[str | None] = contextvars.ContextVar("consent_recipient",
                                                                         default=None)


@contextlib.contextmanager
def disclosing_to(recipient_id: str) -> Iterator[None]:
    """Mark reads inside the block as disclosures to one recipient of the policy."""
    token = _recipient.set(recipient_id)
    try:
        yield
    finally:
        _recipient.reset(token)


def without_consent(context: AccessContext) -> Any:
    spec = next((p for p in catalogue.policy().purposes if p.id == context.purpose), None)
    if spec is None or not spec.consent_required:
        return None
    return get_user_model().objects.exclude(pk__in=ledger.users_given(context.purpose)).values("pk")


KEYED_ON_PURPOSE = {"consent", "legitimate_interest"}


def opted_out(context: AccessContext) -> Any:
    spec = next((p for p in catalogue.policy().purposes if p.id == context.purpose), None)
    if spec is None:
        return None
    recipient = _recipient.get()
    if recipient is not None:
        return ledger.users_opted_out(context.purpose, only=recipient)
    if spec.basis_kind in KEYED_ON_PURPOSE:
        return ledger.users_opted_out(context.purpose)
    return None


def register() -> None:
    global _registered
    if not _registered:
        add_subject_filter(without_consent)
        add_subject_filter(opted_out)
        _registered = True
