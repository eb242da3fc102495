"""Rights requests over the API (/api/privacy/rights/): the person's own requests, the
public request with its emailed code, and the officer's queue and decisions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from officium.accounts.models import Membership
from officium.accounts.roles import PRIVACY_STAFF
from officium.accounts.scoping import membership_for, scoped_get
from officium.privacy.rights import deadlines, decisions, intake, rectification
from officium.privacy.rights.models import OPEN_STATUSES, Channel, RightsRequest
from officium.privacy.rights.verification import TooManyAttempts

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


class RequestOut(Schema):
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


class PublicOut(Schema):
    ref: str
    status: str
    due_on: date


def _out(r: RightsRequest) -> RequestOut:
    return RequestOut(id=r.pk, ref=r.ref, request_type=r.request_type, status=r.status,
                      received_at=r.received_at, due_on=r.due_on, days_left=r.days_left,
                      extended=r.extended_at is not None, progress=r.progress, answer=r.answer)


def _refused(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """400 naming the field; 409 pointing to the open duplicate; 429 after too many codes."""
    from officium.api import api

    detail = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    if isinstance(error, intake.DuplicateRequest):
        return api.create_response(request, {"detail": detail, "existing": {
            "id": error.existing.pk, "ref": error.existing.ref}}, status=409)
    return api.create_response(request, {"detail": detail},
                               status=429 if isinstance(error, TooManyAttempts) else 400)


@router.post("/requests", response={201: RequestOut})
def file_request(request: HttpRequest, payload: RequestIn) -> Any:
    try:
        filed = intake.file_for_account(
            request.user, request_type=payload.request_type, country=payload.residence_country,
            region=payload.residence_region, details=payload.details, purposes=payload.purposes,
            password=payload.password, session=None, channel=Channel.API, request=request)
    except ValidationError as error:
        return _refused(request, error)
    return 201, _out(filed)


@router.get("/requests", response=list[RequestOut])
def my_requests(request: HttpRequest) -> list[RequestOut]:
    return [_out(r) for r in RightsRequest.objects.filter(subject_ref=request.user.pk)
            .order_by("-received_at")]


def _own(request: HttpRequest, rights_request_id: int) -> RightsRequest:
    return get_object_or_404(RightsRequest, pk=rights_request_id, subject_ref=request.user.pk)


@router.get("/requests/{rights_request_id}", response=RequestOut)
def my_request(request: HttpRequest, rights_request_id: int) -> RequestOut:
    return _out(_own(request, rights_request_id))


@router.post("/requests/{rights_request_id}/verify", response=RequestOut)
def verify_request(request: HttpRequest, rights_request_id: int, payload: PasswordIn) -> Any:
    rights_request = _own(request, rights_request_id)
    try:
        intake.verify_with_password(rights_request, request.user, payload.password,
                                    web_request=request)
    except ValidationError as error:
        return _refused(request, error)
    rights_request.refresh_from_db()
    return _out(rights_request)


@router.post("/requests/{rights_request_id}/withdraw", response=RequestOut)
def withdraw_request(request: HttpRequest, rights_request_id: int) -> Any:
    rights_request = _own(request, rights_request_id)
    try:
        decisions.withdraw(request.user, rights_request)
    except ValidationError as error:
        return _refused(request, error)
    return _out(rights_request)


@router.post("/public/requests", auth=None, response={202: PublicOut})
def file_public_request(request: HttpRequest, payload: PublicRequestIn) -> Any:
    try:
        filed = intake.file_public(email=payload.email, request_type=payload.request_type,
                                   country=payload.residence_country,
                                   region=payload.residence_region, details=payload.details,
                                   purposes=payload.purposes)
    except ValidationError as error:
        return _refused(request, error)
    return 202, PublicOut(ref=filed.ref, status=filed.status, due_on=filed.due_on)


@router.post("/public/requests/{rights_ref}/verify", auth=None, response=RequestOut)
def verify_public_request(request: HttpRequest, rights_ref: str, payload: CodeIn) -> Any:
    rights_request = RightsRequest.objects.filter(ref=rights_ref).first()
    if rights_request is None:
        raise Http404
    try:
        intake.verify_with_code(rights_request, payload.code)
    except ValidationError as error:
        return _refused(request, error)
    rights_request.refresh_from_db()
    return _out(rights_request)


@router.get("/o/{org}/requests", response=list[RequestOut])
def queue(request: HttpRequest, org: str) -> list[RequestOut]:
    officer = membership_for(request, org, *PRIVACY_STAFF)
    return [_out(r) for r in RightsRequest.objects.filter(
        organization=officer.organization, status__in=OPEN_STATUSES).order_by("due_on", "received_at")]


@router.post("/o/{org}/requests", response={201: RequestOut})
def file_for_member(request: HttpRequest, org: str, payload: OfficerRequestIn) -> Any:
    officer = membership_for(request, org, *PRIVACY_STAFF)
    member = Membership.objects.filter(organization=officer.organization,
                                       pk=payload.member_id).select_related("user").first()
    try:
        filed = intake.file_by_officer(officer, member, request_type=payload.request_type,
                                       country=payload.residence_country,
                                       region=payload.residence_region, details=payload.details,
                                       purposes=payload.purposes)
    except ValidationError as error:
        return _refused(request, error)
    return 201, _out(filed)


@router.get("/o/{org}/requests/{rights_request_id}", response=RequestOut)
def officer_request(request: HttpRequest, org: str, rights_request_id: int) -> RequestOut:
    officer = membership_for(request, org, *PRIVACY_STAFF)
    return _out(scoped_get(RightsRequest.objects.all(), officer.organization, pk=rights_request_id))


@router.post("/o/{org}/requests/{rights_request_id}/decisions", response=RequestOut)
def decide(request: HttpRequest, org: str, rights_request_id: int, payload: DecisionIn) -> Any:
    officer = membership_for(request, org, *PRIVACY_STAFF)
    rights_request = scoped_get(RightsRequest.objects.all(), officer.organization, pk=rights_request_id)
    actions = {
        "approve": lambda: decisions.approve(officer, rights_request, payload.reason),
        "retry": lambda: decisions.retry(officer, rights_request, payload.reason),
        "deny": lambda: decisions.deny(officer, rights_request, payload.reason),
        "extend": lambda: deadlines.extend(rights_request, officer.user, payload.reason),
        "pause": lambda: deadlines.pause(rights_request, officer.user, payload.reason),
        "resume": lambda: deadlines.resume(rights_request, officer.user),
        "answer": lambda: decisions.send_answer(officer, rights_request, payload.message),
        "rectify": lambda: rectification.apply_by_officer(officer, rights_request, payload.field,
                                                          payload.value),
    }
    if payload.action not in actions:
        return _refused(request, ValidationError({"action": f"One of {', '.join(actions)}."}))
    try:
        actions[payload.action]()
    except ValidationError as error:
        return _refused(request, error)
    rights_request.refresh_from_db()
    return _out(rights_request)
