"""Rectification (RI3): the person corrects their own profile where the field allows; an
officer applies other corrections. Either way the recipients of the data are told (Art. 19):
an audit entry and an email to the privacy officers of each organization the person is in."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from officium.mail.service import send_service_email
from officium.privacy import audit, registry
from officium.privacy.actors import Member
from officium.privacy.rights import verification
from officium.privacy.rights.deadlines import require_officer
from officium.privacy.rights.history import step
from officium.privacy.rights.models import (
    Channel,
    RequestType,
    RightsRequest,
    Status,
    Verification,
)
from officium.text import phone_validator

SELF_SERVICE_FIELDS = ("first_name", "last_name", "phone", "position")
MAX_LENGTH = {"first_name": 150, "last_name": 150, "phone": 32, "position": 150,
              "email": 254, "username": 150}


def officer_fields() -> list[str]:
    """Fields of the person's profile an officer may correct: its personal, text fields."""
    reg = registry.registration_for(get_user_model())
    return [f for f in (reg.personal_fields() if reg else {}) if f in MAX_LENGTH]


def _clean(field: str, value: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_LENGTH.get(field, 150):
        raise ValidationError({field: f"At most {MAX_LENGTH[field]} characters."})
    if field == "phone" and value:
        phone_validator(value)
    if field == "email":
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError({"email": "Enter a valid email address."}) from None
    if field in ("first_name", "email") and not value:
        raise ValidationError({field: "This field cannot be empty."})
    return value


def correct_own_profile(user: Any, changes: dict[str, str], *, password: str = "",
                        session: Any = None, country: str = "",
                        request: Any = None) -> RightsRequest | None:
    """Self-service: apply the changes at once and record a completed rectification."""
    from officium.privacy.policy.loader import active_policy
    from officium.privacy.rights.catalogue import offer_for

    unknown = sorted(set(changes) - set(SELF_SERVICE_FIELDS))
    if unknown:
        raise ValidationError({unknown[0]: "This field cannot be changed here: file a request."})
    cleaned = {f: _clean(f, v) for f, v in changes.items()}
    changed = {f: v for f, v in cleaned.items() if getattr(user, f) != v}
    if not changed:
        return None
    offer = offer_for(active_policy(), RequestType.RECTIFICATION, country or "", "")
    if password:
        verification.reauthenticate(user, password, session, request=request)
    elif not verification.recently_reauthenticated(session):
        raise ValidationError({"password": "Enter your current password to confirm it is you."})
    now = timezone.now()
    with transaction.atomic():
        rights_request = RightsRequest.objects.create(
            subject=user, subject_ref=user.pk, ref=secrets.token_hex(8),
            request_type=RequestType.RECTIFICATION, status=Status.COMPLETED, email=user.email,
            email_hash=verification.email_hash(user.email), residence_country=country.upper(),
            rights_group=offer.group.id, channel=Channel.PRIVACY_CENTER,
            verification=Verification.REAUTHENTICATION, verified_at=now, received_at=now,
            due_on=offer.group.due_on(timezone.localdate(now)), completed_at=now, progress=100,
            answer={"fields": sorted(changed)}, organization=_organization(user))
        _apply(user, changed)
        step(rights_request, "rectified", actor=user, details={"fields": sorted(changed),
                                                               "by": "self_service"})
        notify_recipients(rights_request, user, sorted(changed))
        step(rights_request, "completed", actor=user, details={"summary": "corrected by the person"})
    return rights_request


def apply_by_officer(officer: Member, request: RightsRequest, field: str, value: str) -> RightsRequest:
    """An officer corrects one field of the requester's profile and completes the request."""
    User = get_user_model()  # noqa: N806 - the model class
    require_officer(officer, request)
    if request.request_type != RequestType.RECTIFICATION or request.status != Status.VERIFIED:
        raise ValidationError({"status": "Only a verified rectification request can be applied."})
    if field not in officer_fields():
        raise ValidationError({"field": "Choose a field of the person's profile."})
    value = _clean(field, value)
    user = User.objects.filter(pk=request.subject_ref).first()
    if user is None:
        raise ValidationError({"field": "The requester has no account to correct."})
    if field == "email" and User.objects.filter(email__iexact=value).exclude(pk=user.pk).exists():
        raise ValidationError({"email": "Another account uses this address."})
    with transaction.atomic():
        if not RightsRequest.objects.filter(pk=request.pk, status=Status.VERIFIED).update(
                status=Status.COMPLETED, completed_at=timezone.now(), progress=100,
                answer={"fields": [field]}):
            raise ValidationError({"status": "The request changed meanwhile; reload it."})
        request.refresh_from_db()
        _apply(user, {field: value})
        step(request, "rectified", actor=officer.user, details={"fields": [field], "by": "officer"})
        notify_recipients(request, user, [field])
        step(request, "completed", actor=officer.user, details={"summary": "corrected by officer"})
        if request.email:
            send_service_email(request.email, "rights_answer", {"request": request, "result": None})
    return request


def _apply(user: Any, changes: dict[str, str]) -> None:
    for field, value in changes.items():
        setattr(user, field, value)
    user.save(update_fields=list(changes))


def _organization(user: Any) -> Any:
    membership = user.memberships.select_related("organization").order_by("created_at", "pk").first()
    return membership.organization if membership else None


def notify_recipients(request: RightsRequest, user: Any, fields: list[str]) -> None:
    """Art. 19: each organization the person belongs to (it receives their profile) is told
    which fields changed, never the values."""
    from officium.privacy.staff import officer_emails

    for membership in user.memberships.select_related("organization"):
        recipients = officer_emails(membership.organization_id)
        audit.record("rights.recipients_notified", actor=request.filed_by_id,
                     organization=membership.organization_id, subject=user.pk, target=request,
                     details={"fields": fields, "officers": len(recipients)})
        for email in recipients:
            if email != user.email:
                send_service_email(email, "rights_rectified", {
                    "request": request, "fields": fields, "organization": membership.organization})
