"""Filing a request: from the privacy center, the public form, the API, or an officer on
someone's behalf. Validate everything first (type, audience, fields, duplicates, password),
then create the request and its first steps in one transaction; mail goes out on commit."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from officium.errors import ErrorCode
from officium.mail.service import send_service_email
from officium.privacy.actors import Member, Person
from officium.privacy.policy.loader import active_policy
from officium.privacy.rights import verification
from officium.privacy.rights.catalogue import NEEDS_STRONG_VERIFICATION, offer_for
from officium.privacy.rights.history import step
from officium.privacy.rights.models import (
    OPEN_STATUSES,
    Channel,
    RequestType,
    RightsRequest,
    Status,
    Verification,
)
from officium.privacy.rights.restriction import objectionable

MAX_DETAILS = 4000


class DuplicateRequest(ValidationError):
    """The same person already has an open request of this type: point to it (409)."""

    http_status = 409
    error_code = ErrorCode.DUPLICATE_REQUEST

    def __init__(self, existing: RightsRequest) -> None:
        self.existing = existing
        super().__init__({"request_type": f"You already have an open request of this type "
                                          f"(reference {existing.ref}); we are working on it."})

    def error_extra(self) -> dict[str, Any]:
        return {"existing": {"id": self.existing.pk, "ref": self.existing.ref}}


def _clean_details(request_type: str, details: str, purposes: Iterable[str]) -> tuple[str, list[str]]:
    details = (details or "").strip()
    purposes = [p for p in dict.fromkeys(purposes or []) if p]
    if len(details) > MAX_DETAILS:
        raise ValidationError({"details": f"At most {MAX_DETAILS} characters."})
    if request_type == RequestType.RECTIFICATION and not details:
        raise ValidationError({"details": "Say which data is wrong and what it should be."})
    if request_type == RequestType.OBJECTION:
        if not purposes:
            raise ValidationError({"purposes": "Choose the processing you object to."})
        policy = active_policy()
        known = {p.id for p in policy.purposes}
        bad = [p for p in purposes if p not in known or not objectionable(p)]
        if bad:
            raise ValidationError({"purposes": f"{', '.join(bad)}: not a processing based on "
                                               "legitimate interests or marketing (to stop a "
                                               "consent-based one, withdraw consent)."})
    return details, purposes


def _existing(request_type: str, *, subject_id: int | None, email_hash: str) -> RightsRequest | None:
    qs = RightsRequest.objects.filter(request_type=request_type, status__in=OPEN_STATUSES)
    if subject_id is not None:
        return qs.filter(subject_ref=subject_id).first()
    return qs.filter(email_hash=email_hash, subject_ref=None).first()


def _home_organization(user: Any) -> Any:
    membership = user.memberships.select_related("organization").order_by("created_at", "pk").first()
    return membership.organization if membership else None


def file_for_account(user: Any, *, request_type: str, country: str, region: str = "",
                     details: str = "", purposes: Iterable[str] = (), password: str = "",
                     session: Any = None, channel: str = Channel.PRIVACY_CENTER,
                     request: Any = None) -> RightsRequest:
    """A signed-in person files for themselves. Disclosure, erasure and rectification need
    the password re-entered (now, or within the last minutes in this session)."""
    offer = offer_for(active_policy(), request_type, country, region)
    details, purposes = _clean_details(request_type, details, purposes)
    existing = _existing(request_type, subject_id=user.pk, email_hash="")
    if existing is not None:
        raise DuplicateRequest(existing)
    if password:
        verification.reauthenticate(user, password, session, request=request)
    strong = request_type in NEEDS_STRONG_VERIFICATION
    if password or verification.recently_reauthenticated(session):
        method = Verification.REAUTHENTICATION
    else:
        method = Verification.NONE if strong else Verification.SESSION
    return _create(request_type=request_type, offer=offer, country=country, region=region,
                   details=details, purposes=purposes, channel=channel, subject=user,
                   email=user.email, organization=_home_organization(user), method=method,
                   actor=user)


def file_public(*, email: str, request_type: str, country: str, region: str = "",
                details: str = "", purposes: Iterable[str] = ()) -> RightsRequest:
    """Someone without an account (or not signed in) files by email; a code verifies it."""
    email = (email or "").strip().lower()
    if not email:
        raise ValidationError({"email": "Enter the email address we should answer."})
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter a valid email address."}) from None
    offer = offer_for(active_policy(), request_type, country, region)
    details, purposes = _clean_details(request_type, details, purposes)
    existing = _existing(request_type, subject_id=None, email_hash=verification.email_hash(email))
    if existing is not None:
        raise DuplicateRequest(existing)
    return _create(request_type=request_type, offer=offer, country=country, region=region,
                   details=details, purposes=purposes, channel=Channel.PUBLIC_FORM, subject=None,
                   email=email, organization=None, method=Verification.NONE, actor=None)


def file_by_officer(officer: Member, member: Member | None, *, request_type: str, country: str,
                    region: str = "", details: str = "", purposes: Iterable[str] = ()) -> RightsRequest:
    """An owner or privacy officer files for a member who asked them (by phone, by letter);
    the officer vouches for the identity they checked."""
    from officium.privacy.staff import is_privacy_staff

    if not is_privacy_staff(officer):
        raise PermissionDenied("Only owners and privacy officers file requests for others.")
    if member is None or member.organization_id != officer.organization_id:
        raise ValidationError({"member": "Choose a member of this organization."})
    offer = offer_for(active_policy(), request_type, country, region)
    details, purposes = _clean_details(request_type, details, purposes)
    existing = _existing(request_type, subject_id=member.user_id, email_hash="")
    if existing is not None:
        raise DuplicateRequest(existing)
    return _create(request_type=request_type, offer=offer, country=country, region=region,
                   details=details, purposes=purposes, channel=Channel.OFFICER,
                   subject=member.user, email=member.user.email,
                   organization=officer.organization, method=Verification.OFFICER,
                   actor=officer.user, filed_by=officer.user)


def _create(*, request_type: str, offer: Any, country: str, region: str, details: str,
            purposes: list[str], channel: str, subject: Any, email: str, organization: Any,
            method: str, actor: Person | None, filed_by: Person | None = None) -> RightsRequest:
    from officium.privacy.rights.execution import schedule

    now = timezone.now()
    verified = method != Verification.NONE
    with transaction.atomic():
        request = RightsRequest.objects.create(
            organization=organization, subject=subject,
            subject_ref=subject.pk if subject is not None else None,
            filed_by_id=filed_by.pk if filed_by is not None else None,
            ref=secrets.token_hex(8), request_type=request_type,
            status=Status.VERIFIED if verified else Status.AWAITING_VERIFICATION,
            email=email, email_hash=verification.email_hash(email) if email else "",
            residence_country=country.strip().upper(), residence_region=region.strip().upper(),
            rights_group=offer.group.id, details=details, purposes=purposes, channel=channel,
            verification=method, verified_at=now if verified else None, received_at=now,
            due_on=offer.group.due_on(timezone.localdate(now)))
        step(request, "received", actor=actor, details={"channel": channel, "right": offer.right,
                                                        "group": offer.group.id})
        if verified:
            step(request, "verified", actor=actor, details={"method": method})
            schedule(request)
        elif subject is None:
            verification.issue_code(request)
            step(request, "code_sent")
        else:
            step(request, "verification_requested", details={"method": "reauthentication"})
        if email:
            send_service_email(email, "rights_received", {"request": request})
    return request


def verify_with_password(request: RightsRequest, user: Any, password: str, session: Any = None,
                         web_request: Any = None) -> RightsRequest:
    if request.subject_ref != user.pk:
        raise ValidationError({"password": "This request is not yours."})
    if request.status != Status.AWAITING_VERIFICATION:
        raise ValidationError({"status": "This request does not wait for verification."})
    verification.reauthenticate(user, password, session, request=web_request)
    return _mark_verified(request, Verification.REAUTHENTICATION, actor=user)


def verify_with_code(request: RightsRequest, code: str) -> RightsRequest:
    """The emailed code proves the address. The person behind it (if any account has it)
    becomes the subject. A CCPA request for specific pieces verified only by email is
    answered as a request for categories (CCPA regulations, 11 CCR 7062(e))."""
    if request.status != Status.AWAITING_VERIFICATION:
        raise ValidationError({"code": "This request does not wait for a code."})
    verification.check_code(request, code)
    user = get_user_model().objects.filter(email__iexact=request.email).first()
    with transaction.atomic():
        if user is not None:
            request.subject, request.subject_ref = user, user.pk
            request.organization = _home_organization(user)
            request.save(update_fields=["subject", "subject_ref", "organization"])
        if request.request_type == RequestType.CCPA_KNOW_PIECES:
            request.request_type = RequestType.CCPA_KNOW_CATEGORIES
            request.save(update_fields=["request_type"])
            step(request, "downgraded", note="Specific pieces need a stronger verification than "
                 "an emailed code; answered as a request for categories.",
                 details={"to": RequestType.CCPA_KNOW_CATEGORIES})
        return _mark_verified(request, Verification.EMAIL_CODE, actor=None)


def _mark_verified(request: RightsRequest, method: str, *, actor: Person | None) -> RightsRequest:
    from officium.privacy.rights.execution import schedule

    with transaction.atomic():
        claimed = RightsRequest.objects.filter(
            pk=request.pk, status=Status.AWAITING_VERIFICATION).update(
            status=Status.VERIFIED, verification=method, verified_at=timezone.now())
        if not claimed:
            raise ValidationError({"status": "This request was verified already."})
        request.refresh_from_db()
        step(request, "verified", actor=actor, details={"method": method})
        schedule(request)
    return request


def resend_code(request: RightsRequest) -> None:
    if request.status != Status.AWAITING_VERIFICATION or request.subject_ref is not None:
        raise ValidationError({"code": "This request does not wait for a code."})
    with transaction.atomic():
        verification.issue_code(request)
        step(request, "code_sent")
