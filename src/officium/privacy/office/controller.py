"""PV2: the controller's contacts as people read them: the policy profile where it gives them,
otherwise what the organization (the controller for its members) entered.

Most seed notices give neither a postal address nor a data protection officer; an organization
enters its own here (validated), and the data map, the Art. 30 record and the privacy center's
contact section show the result. A field the policy gives is not editable: the policy is the
published source, and an entry could only contradict it."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from officium.privacy import audit, staff
from officium.privacy.actors import Member
from officium.privacy.audit_events import CONTROLLER_CONTACT_CHANGED
from officium.privacy.office.models import ControllerContact
from officium.privacy.policy.schema import Policy

POLICY, ORGANIZATION = "the privacy policy", "your organization"


@dataclass(frozen=True)
class Contacts:
    name: str
    legal_name: str | None
    website: str | None
    privacy_email: str | None
    contact_form: bool
    postal_address: str
    postal_address_source: str  # POLICY, ORGANIZATION or "" (not given)
    dpo_name: str
    dpo_email: str
    dpo_source: str

    @property
    def has_dpo(self) -> bool:
        return bool(self.dpo_name and self.dpo_email)


def contacts(policy: Policy, organization_id: int | None) -> Contacts:
    """The controller's contacts for ``organization_id``'s members (None: the policy alone)."""
    c = policy.controller
    entered = (ControllerContact.objects.filter(organization_id=organization_id).first()
               if organization_id else None)
    address, address_source = (c.postal_address or "").strip(), POLICY
    if not address and entered is not None and entered.postal_address:
        address, address_source = entered.postal_address, ORGANIZATION
    dpo_name, dpo_email, dpo_source = (c.dpo.name, str(c.dpo.email), POLICY) if c.dpo else ("", "", "")
    if not dpo_source and entered is not None and entered.dpo_email:
        dpo_name, dpo_email, dpo_source = entered.dpo_name, entered.dpo_email, ORGANIZATION
    return Contacts(name=c.name, legal_name=c.legal_name, website=c.website,
                    privacy_email=str(c.privacy_email) if c.privacy_email else None,
                    contact_form=c.contact_form, postal_address=address,
                    postal_address_source=address_source if address else "",
                    dpo_name=dpo_name, dpo_email=dpo_email, dpo_source=dpo_source)


def entered(organization_id: int) -> ControllerContact | None:
    return ControllerContact.objects.filter(organization_id=organization_id).first()


def _check(policy: Policy, postal_address: str, dpo_name: str, dpo_email: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if postal_address:
        if policy.controller.postal_address:
            errors["postal_address"] = "The privacy policy gives the postal address: it is shown as published."
        elif len(postal_address) < 10 or len(postal_address) > 500:
            errors["postal_address"] = "Give a full postal address (street, town, country), up to 500 characters."
        elif "://" in postal_address or "<" in postal_address:
            errors["postal_address"] = "A postal address has no links or markup."
    if policy.controller.dpo is not None and (dpo_name or dpo_email):
        errors["dpo_email"] = "The privacy policy names the data protection officer: it is shown as published."
    elif bool(dpo_name) != bool(dpo_email):
        errors["dpo_name" if not dpo_name else "dpo_email"] = (
            "Give both the officer's name and email, or neither.")
    elif dpo_email:
        try:
            validate_email(dpo_email)
        except ValidationError:
            errors["dpo_email"] = "Give a valid email address for the data protection officer."
        if len(dpo_name) > 200:
            errors["dpo_name"] = "The name is at most 200 characters."
    return errors


def save(actor: Member, policy: Policy, *, postal_address: str, dpo_name: str,
         dpo_email: str) -> ControllerContact:
    """Validate, then store the organization's entries and audit the change (ids only)."""
    if not staff.is_privacy_staff(actor):
        raise PermissionDenied("Only the owner and privacy officers change the controller's contacts.")
    postal_address, dpo_name, dpo_email = postal_address.strip(), dpo_name.strip(), dpo_email.strip()
    errors = _check(policy, postal_address, dpo_name, dpo_email)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row, _ = ControllerContact.objects.update_or_create(
            organization_id=actor.organization_id,
            defaults={"postal_address": postal_address, "dpo_name": dpo_name,
                      "dpo_email": dpo_email, "updated_by_id": actor.user_id,
                      "updated_at": timezone.now()})
        audit.record(CONTROLLER_CONTACT_CHANGED, actor=actor.user_id,
                     organization=actor.organization_id, target=row,
                     details={"postal_address": bool(postal_address), "dpo": bool(dpo_email)})
    return row
