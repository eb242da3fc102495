"""Rights requests over the API (/api/privacy/rights/): the person's own requests, the
public request with its emailed code, and the officer's queue and decisions.

Refusals are raised, never answered here: ``officium.api`` turns a ``ValidationError`` into a
400 naming the field, ``DuplicateRequest`` into a 409 pointing to the open request and
``TooManyAttempts`` into a 429."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from officium.accounts.scoping import membership_for, restrict, scoped_get
from officium.privacy import staff
from officium.privacy.rights import decisions, intake
from officium.privacy.rights.models import OPEN_STATUSES, Channel, RightsRequest

router = Router(tags=["rights"])


class RequestIn(Schema):
    request_type: str
    residence_country: str
    residence_region: str = ""
    details: str = ""
    purposes: list[str] = []
    password: str = ""


class PublicRequestIn(Schema):
    email: str
    request_type: str
    residence_country: str
    residence_region: str = ""
    details: str = ""
    purposes: list[str] = []


class OfficerRequestIn(Schema):
    member_id: int
    request_type: str
    residence_country: str
    residence_region: str = ""
    details: str = ""
    purposes: list[str] = []


class PasswordIn(Schema):
    password: str


class CodeIn(Schema):
    code: str


class DecisionIn(Schema):
    action: str
    reason: str = ""
    message: str = ""
    field: str = ""
    value: str = ""


class RightsRequestOut(Schema):
    id: int
    ref: str
    request_type: str
    status: str
    received_at: datetime
    due_on: date
    days_left: int
    extended: bool
    progress: int
    answer: dict[str, Any]


class PublicRightsRequestOut(Schema):
    ref: str
    status: str
    due_on: date


def _out(r: RightsRequest) -> RightsRequestOut:
    return RightsRequestOut(id=r.pk, ref=r.ref, request_type=r.request_type, status=r.status,
                            received_at=r.received_at, due_on=r.due_on, days_left=r.days_left,
                            extended=r.extended_at is not None, progress=r.progress,
                            answer=r.answer)


@router.post("/requests", response={201: RightsRequestOut})
def file_request(request: HttpRequest, payload: RequestIn) -> Any:
    filed = intake.file_for_account(
        request.user, request_type=payload.request_type, country=payload.residence_country,
        region=payload.residence_region, details=payload.details, purposes=payload.purposes,
        password=payload.password, session=None, channel=Channel.API, request=request)
    return Status(201, _out(filed))


@router.get("/requests", response=list[RightsRequestOut])
def my_requests(request: HttpRequest) -> list[RightsRequestOut]:
    return [_out(r) for r in RightsRequest.objects.filter(subject_ref=request.user.pk)
            .order_by("-received_at")]


def _own(request: HttpRequest, rights_request_id: int) -> RightsRequest:
    return get_object_or_404(RightsRequest, pk=rights_request_id, subject_ref=request.user.pk)


@router.get("/requests/{rights_request_id}", response=RightsRequestOut)
def my_request(request: HttpRequest, rights_request_id: int) -> RightsRequestOut:
    return _out(_own(request, rights_request_id))


@router.post("/requests/{rights_request_id}/verify", response=RightsRequestOut)
def verify_request(request: HttpRequest, rights_request_id: int, payload: PasswordIn) -> Any:
    rights_request = _own(request, rights_request_id)
    intake.verify_with_password(rights_request, request.user, payload.password,
                                web_request=request)
    rights_request.refresh_from_db()
    return _out(rights_request)


@router.post("/requests/{rights_request_id}/withdraw", response=RightsRequestOut)
def withdraw_request(request: HttpRequest, rights_request_id: int) -> Any:
    rights_request = _own(request, rights_request_id)
    decisions.withdraw(request.user, rights_request)
    return _out(rights_request)


@router.post("/public/requests", auth=None, response={202: PublicRightsRequestOut})
def file_public_request(request: HttpRequest, payload: PublicRequestIn) -> Any:
    filed = intake.file_public(email=payload.email, request_type=payload.request_type,
                               country=payload.residence_country,
                               region=payload.residence_region, details=payload.details,
                               purposes=payload.purposes)
    return Status(202, PublicRightsRequestOut(ref=filed.ref, status=filed.status, due_on=filed.due_on))


@router.post("/public/requests/{rights_ref}/verify", auth=None, response=RightsRequestOut)
def verify_public_request(request: HttpRequest, rights_ref: str, payload: CodeIn) -> Any:
    rights_request = RightsRequest.objects.filter(ref=rights_ref).first()
    if rights_request is None:
        raise Http404
    intake.verify_with_code(rights_request, payload.code)
    rights_request.refresh_from_db()
    return _out(rights_request)


@router.get("/o/{org}/requests", response=list[RightsRequestOut])
def queue(request: HttpRequest, org: str) -> list[RightsRequestOut]:
    officer = membership_for(request, org, *staff.PRIVACY_STAFF)
    return [_out(r) for r in restrict(RightsRequest.objects.all(), officer)
            .filter(status__in=OPEN_STATUSES).order_by("due_on", "received_at")]


@router.post("/o/{org}/requests", response={201: RightsRequestOut})
def file_for_member(request: HttpRequest, org: str, payload: OfficerRequestIn) -> Any:
    officer = membership_for(request, org, *staff.PRIVACY_STAFF)
    member = staff.members(officer.organization).filter(pk=payload.member_id).first()
    filed = intake.file_by_officer(officer, member, request_type=payload.request_type,
                                   country=payload.residence_country,
                                   region=payload.residence_region, details=payload.details,
                                   purposes=payload.purposes)
    return Status(201, _out(filed))


@router.get("/o/{org}/requests/{rights_request_id}", response=RightsRequestOut)
def officer_request(request: HttpRequest, org: str, rights_request_id: int) -> RightsRequestOut:
    officer = membership_for(request, org, *staff.PRIVACY_STAFF)
    return _out(scoped_get(RightsRequest.objects.all(), officer.organization, pk=rights_request_id))


@router.post("/o/{org}/requests/{rights_request_id}/decisions", response=RightsRequestOut)
def decide(request: HttpRequest, org: str, rights_request_id: int, payload: DecisionIn) -> Any:
    """The same service as the officer's page (``decisions.decide``): the same refusals."""
    officer = membership_for(request, org, *staff.PRIVACY_STAFF)
    rights_request = scoped_get(RightsRequest.objects.all(), officer.organization, pk=rights_request_id)
    return _out(decisions.decide(officer, rights_request, payload.action, payload.model_dump()))
