"""Disclosures to public authorities (PU4): what was handed over, to whom, on which ground.

A privacy officer (or the owner) records each disclosure with its legal ground, date, the
policy categories disclosed and whose data it was. The record and one audit entry per
subject are written in one transaction, so a person's audit trail shows the disclosure.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from officium.privacy import audit
from officium.privacy.actors import Member
from officium.privacy.models import Disclosure, DisclosureSubject, LegalGround
from officium.privacy.policy import loader

RECORDING_ROLES = ("owner", "privacy_officer")


def disclosable_categories() -> list[tuple[str, str]]:
    """(id, description) of the categories the policy says authorities may receive."""
    policy = loader.active_policy()
    ids = {c for r in policy.recipients if r.role == "authority" for c in r.categories}
    return [(c.id, c.description) for c in policy.categories if c.id in ids]


def record_disclosure(actor: Member, *, recipient: str, legal_ground: str, disclosed_on: date,
                      categories: Iterable[str], subject_ids: Iterable[int],
                      reference: str = "") -> Disclosure:
    """``actor`` is the recording membership; subjects must be members of its organization."""
    if actor.role not in RECORDING_ROLES:
        raise PermissionDenied("Only the owner or a privacy officer records disclosures.")
    categories, subject_ids = sorted(set(categories)), sorted(set(subject_ids))
    _validate(actor, recipient, legal_ground, disclosed_on, categories, subject_ids)
    with transaction.atomic():
        disclosure = Disclosure.objects.create(
            organization_id=actor.organization_id, recipient=recipient.strip(),
            legal_ground=legal_ground, reference=reference.strip(), disclosed_on=disclosed_on,
            categories=categories, recorded_by_id=actor.user_id)
        DisclosureSubject.objects.bulk_create(
            DisclosureSubject(organization_id=actor.organization_id, disclosure=disclosure,
                              subject_id=subject) for subject in subject_ids)
        details = {"disclosure": disclosure.pk, "legal_ground": legal_ground,
                   "disclosed_on": disclosed_on.isoformat(), "categories": categories}
        for subject in subject_ids:
            audit.record("privacy.disclosure", actor=actor.user_id,
                         organization=actor.organization_id, subject=subject,
                         target=disclosure, details=details)
    return disclosure


def _validate(actor: Member, recipient: str, legal_ground: str, disclosed_on: date,
              categories: list[str], subject_ids: list[int]) -> None:
    errors: dict[str, str] = {}
    if not recipient.strip():
        errors["recipient"] = "Name the authority that received the data."
    if legal_ground not in LegalGround.values:
        errors["legal_ground"] = "Choose the legal ground of the disclosure."
    if disclosed_on > timezone.localdate():
        errors["disclosed_on"] = "A disclosure cannot be dated in the future."
    allowed = {c for c, _ in disclosable_categories()}
    if not categories:
        errors["categories"] = "Choose the kinds of data disclosed."
    elif not set(categories) <= allowed:
        errors["categories"] = ("The policy does not list these categories for authorities: "
                                + ", ".join(sorted(set(categories) - allowed)))
    members = get_user_model().objects.filter(
        pk__in=subject_ids, memberships__organization_id=actor.organization_id)
    if not subject_ids:
        errors["subjects"] = "Choose whose data was disclosed."
    elif members.count() != len(subject_ids):
        errors["subjects"] = "Every subject must be a member of this organization."
    if errors:
        raise ValidationError(errors)


def disclosures_for(organization_id: int) -> Any:
    return (Disclosure.objects.filter(organization_id=organization_id)
            .prefetch_related("subjects__subject"))
