"""Field work over the API: people (session or API token) under /orgs/<org>/, the phone app
(device token) under /device/. Handlers parse, scope, call a service."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from pydantic import BaseModel

from officium.accounts import localtime
from officium.accounts.models import Membership
from officium.accounts.roles import WORKING_ROLES
from officium.accounts.scoping import membership_for, scoped_get
from officium.attendance.api import FixIn, device_auth
from officium.attendance.models import Device, DeviceProfile
from officium.attendance.privacy_mode import privacy_mode_on
from officium.fieldwork import attachments, bids, dispatch, exports, photos, reading, services
from officium.fieldwork.models import Bid, BidOffer, BidStatus, Form, Task
from officium.text import SafeName

router = Router(tags=["fieldwork"])


# --- schemas -----------------------------------------------------------------------------

class FieldTaskIn(BaseModel):
    title: SafeName
    description: str = Field("", max_length=4000)
    priority: Literal["low", "normal", "high", "urgent"] = "normal"
    customer_name: str = ""
    customer_email: str = ""
    customer_phone: str = ""
    site_id: int | None = None
    destination_latitude: float | None = None
    destination_longitude: float | None = None
    address: str = ""
    window_start: dt.datetime | None = None
    window_end: dt.datetime | None = None
    assignee_ids: list[int] = []
    form_id: int | None = None


class FieldTaskOut(Schema):
    id: int
    title: str
    description: str
    status: str
    priority: str
    site_id: int | None
    address: str
    has_destination: bool
    window_start: dt.datetime | None
    window_end: dt.datetime | None
    window_local: str
    assignee_ids: list[int]
    form_id: int | None
    late: bool
    assigned_at: dt.datetime | None
    en_route_at: dt.datetime | None
    on_site_at: dt.datetime | None
    finished_at: dt.datetime | None
    eta_minutes: int | None


class EntryOut(Schema):
    id: int
    task_id: int
    member_id: int
    status: str
    note: str
    occurred_at: dt.datetime
    location_status: str


class FieldTaskDetailOut(FieldTaskOut):
    customer_name: str = ""
    entries: list[EntryOut] = []


class AssigneesIn(BaseModel):
    assignee_ids: list[int]


class EntryIn(FixIn):
    status: Literal["", "en_route", "on_site", "done", "not_completed"] = ""
    note: str = Field("", max_length=4000)


class PhotoIn(BaseModel):
    content_base64: str
    client_id: str | None = Field(None, max_length=64)


class PhotoOut(Schema):
    id: int
    task_id: int
    size: int
    content_type: str
    location_kept: bool


class AttachmentOut(Schema):
    id: int
    task_id: int
    name: str
    content_type: str
    size: int
    created_at: dt.datetime
    created_local: str = Field(description="When it was attached, in the organization's time zone (named).")
    download_url: str


class FormIn(BaseModel):
    name: SafeName
    definition: dict[str, Any]


class FormOut(Schema):
    id: int
    name: str
    version: int
    definition: dict[str, Any]


class SubmissionIn(FixIn):
    version: int
    answers: dict[str, Any]
    task_id: int | None = None


class SubmissionOut(Schema):
    id: int
    form_id: int
    version: int
    member_id: int
    task_id: int | None
    answers: dict[str, Any]
    occurred_at: dt.datetime
    location_status: str


class BidIn(BaseModel):
    member_ids: list[int]


class OfferOut(Schema):
    id: int
    bid_id: int
    task_id: int
    task: str
    member_id: int
    answer: str
    answered: bool
    eta_minutes: int | None
    bid_status: str


class FieldBidOut(Schema):
    id: int
    task_id: int
    status: str
    awarded_to_id: int | None
    offers: list[OfferOut]


class BidAnswerIn(FixIn):
    answer: Literal["accepted", "declined"]
    eta_minutes: int | None = None


class AwardIn(BaseModel):
    member_id: int


class BoardRowOut(Schema):
    member_id: int | None
    member: str
    tasks: list[FieldTaskOut]


class PositionOut(Schema):
    member_id: int
    member: str
    latitude: float
    longitude: float
    accuracy: float
    at: dt.datetime


class DispatchOut(Schema):
    day: dt.date
    time_zone: str
    rows: list[BoardRowOut]
    positions: list[PositionOut]


class DayOut(Schema):
    member_id: int
    member: str
    organization: str
    time_zone: str
    privacy_mode: bool
    location_kinds: list[str]
    photo_permission: bool
    tasks: list[FieldTaskOut]
    forms: list[FormOut]
    offers: list[OfferOut]
    attachments: list[AttachmentOut] = []


# --- helpers -----------------------------------------------------------------------------

def task_out(task: Task, zone: Any, now: dt.datetime | None = None) -> FieldTaskOut:
    assignees = [a.member_id for a in task.assignments.all()]
    window = ""
    if task.window_start:
        window = localtime.format_datetime(task.window_start, zone)
        if task.window_end:
            window += f" to {localtime.format_time(task.window_end, zone)}"
    return FieldTaskOut(
        id=task.pk, title=task.title, description=task.description, status=task.status, priority=task.priority,
        site_id=task.site_id, address=task.address, window_start=task.window_start, window_end=task.window_end,
        has_destination=task.destination_latitude is not None or task.site_id is not None,
        window_local=window, assignee_ids=assignees, form_id=task.form_id, late=dispatch.is_late(task, now),
        assigned_at=task.assigned_at, en_route_at=task.en_route_at, on_site_at=task.on_site_at,
        finished_at=task.finished_at, eta_minutes=task.eta_minutes)


def _task(actor: Membership, task_id: int) -> Task:
    return get_object_or_404(services.visible_tasks(actor).prefetch_related("assignments"), pk=task_id)


def _zone(actor: Membership) -> Any:
    return localtime.zone_for(actor.organization)


def form_out(form: Form) -> FormOut:
    current = form.current
    return FormOut(id=form.pk, name=form.name, version=current.number if current else 0,
                   definition=current.definition if current else {"fields": []})


def offer_out(o: BidOffer) -> OfferOut:
    return OfferOut(id=o.pk, bid_id=o.bid_id, task_id=o.bid.task_id, task=o.bid.task.title, member_id=o.member_id,
                    answer=o.answer, answered=o.answered, eta_minutes=o.eta_minutes, bid_status=o.bid.status)


def _decode(content: str) -> bytes:
    try:
        return base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError({"content_base64": "Send the photo as base64."}) from None


# --- tasks (FW1, FW2, FW4) -----------------------------------------------------------------

@router.get("/orgs/{slug:org}/tasks", response=list[FieldTaskOut])
def list_tasks(request: HttpRequest, org: str, day: str = "", status: str = "") -> list[FieldTaskOut]:
    """Tasks the caller sees (dispatchers: all; members: theirs); ``day`` (YYYY-MM-DD, local)
    gives that day's calendar."""
    actor = membership_for(request, org, *WORKING_ROLES)
    tasks = dispatch.filtered(actor, day=day, status=status)
    zone = _zone(actor)
    return [task_out(t, zone) for t in tasks]


@router.post("/orgs/{slug:org}/tasks", response={201: FieldTaskOut})
def create_task(request: HttpRequest, org: str, payload: FieldTaskIn) -> Status[FieldTaskOut]:
    actor = membership_for(request, org, *WORKING_ROLES)
    data = payload.model_dump()
    data["assignee_ids"] = tuple(data["assignee_ids"])
    task = services.create_task(actor, services.TaskData(**data))
    return Status(201, task_out(_task(actor, task.pk), _zone(actor)))


@router.get("/orgs/{slug:org}/tasks/{int:task_id}", response=FieldTaskDetailOut)
def get_task(request: HttpRequest, org: str, task_id: int) -> FieldTaskDetailOut:
    actor = membership_for(request, org, *WORKING_ROLES)
    task = _task(actor, task_id)
    customer = reading.customer(actor, task)
    base = task_out(task, _zone(actor)).model_dump()
    return FieldTaskDetailOut(**base, customer_name=customer.name if customer else "", entries=[
        EntryOut(id=e.pk, task_id=e.task_id, member_id=e.member_id, status=e.status, note=e.note,
                 occurred_at=e.occurred_at, location_status=e.location.location_status if e.location else "none")
        for e in reading.entries(actor, task)])


@router.put("/orgs/{slug:org}/tasks/{int:task_id}/assignees", response=FieldTaskOut)
def reassign(request: HttpRequest, org: str, task_id: int, payload: AssigneesIn) -> FieldTaskOut:
    actor = membership_for(request, org, *WORKING_ROLES)
    services.assign(actor, _task(actor, task_id), payload.assignee_ids)
    return task_out(_task(actor, task_id), _zone(actor))


@router.post("/orgs/{slug:org}/tasks/{int:task_id}/entries", response={201: EntryOut})
def add_entry(request: HttpRequest, org: str, task_id: int, payload: EntryIn) -> Status[EntryOut]:
    actor = membership_for(request, org, *WORKING_ROLES)
    e = services.add_entry(actor, _task(actor, task_id), status=payload.status, note=payload.note,
                           fix=payload.to_fix())
    return Status(201, EntryOut(id=e.pk, task_id=e.task_id, member_id=e.member_id, status=e.status, note=e.note,
                                occurred_at=e.occurred_at, location_status=e.location.location_status
                                if e.location else "none"))


@router.post("/orgs/{slug:org}/tasks/{int:task_id}/photos", response={201: PhotoOut})
def add_photo(request: HttpRequest, org: str, task_id: int, payload: PhotoIn) -> Status[PhotoOut]:
    actor = membership_for(request, org, *WORKING_ROLES)
    p = photos.add_photo(actor, _task(actor, task_id), _decode(payload.content_base64), client_id=payload.client_id)
    return Status(201, PhotoOut(id=p.pk, task_id=p.task_id, size=p.size, content_type=p.content_type,
                                location_kept=p.location_kept))


IMAGE_BODY = {"schema": {"type": "string", "format": "binary"}}
PHOTO_UPLOAD = {
    "requestBody": {"required": True, "description": (
        "The photo's bytes as the raw body (JPEG, PNG or WebP), streamed: up to 8 MB, where "
        "a JSON body (base64) stops at 2.5 MB. Beyond 8 MB: 413 too_large, field photo."),
        "content": {"image/jpeg": IMAGE_BODY, "image/png": IMAGE_BODY, "image/webp": IMAGE_BODY,
                    "application/octet-stream": IMAGE_BODY}},
    "parameters": [{"in": "query", "name": "client_id", "required": False, "schema": {
        "type": "string", "maxLength": 64}, "description": "The phone's id for this photo: sent again, stored once."}],
}


def _client_id(request: HttpRequest) -> str | None:
    client_id = request.GET.get("client_id") or None
    if client_id is not None and len(client_id) > 64:
        raise ValidationError({"client_id": "At most 64 characters."})
    return client_id


@router.post("/orgs/{slug:org}/tasks/{int:task_id}/photos/upload", response={201: PhotoOut},
             openapi_extra=PHOTO_UPLOAD)
def upload_photo(request: HttpRequest, org: str, task_id: int) -> Status[PhotoOut]:
    """A task photo as the raw request body (up to 8 MB; FW4): what ``POST .../photos`` takes
    as base64 in JSON, without JSON's 2.5 MB body limit."""
    actor = membership_for(request, org, *WORKING_ROLES)
    task = _task(actor, task_id)
    client_id = _client_id(request)
    p = photos.add_photo(actor, task, photos.read_body(request), client_id=client_id)
    return Status(201, PhotoOut(id=p.pk, task_id=p.task_id, size=p.size, content_type=p.content_type,
                                location_kept=p.location_kept))


# --- attachments (FW1) -----------------------------------------------------------------------

def attachment_out(a: Any, org: str, zone: Any) -> AttachmentOut:
    return AttachmentOut(id=a.pk, task_id=a.task_id, name=a.name, content_type=a.content_type, size=a.size,
                         created_at=a.created_at, created_local=localtime.format_datetime(a.created_at, zone),
                         download_url=f"/api/fieldwork/orgs/{org}/tasks/{a.task_id}/attachments/{a.pk}")


@router.get("/orgs/{slug:org}/tasks/{int:task_id}/attachments", response=list[AttachmentOut])
def list_attachments(request: HttpRequest, org: str, task_id: int) -> list[AttachmentOut]:
    """The documents attached to a task (its assignees and dispatchers)."""
    actor = membership_for(request, org, *WORKING_ROLES)
    task = _task(actor, task_id)
    zone = _zone(actor)
    return [attachment_out(a, org, zone) for a in attachments.listed(actor, task)]


ATTACHMENT_UPLOAD = {
    "requestBody": {"required": True, "description": (
        "multipart/form-data with the document in the field ``file``: PDF, images (PNG, JPEG, GIF, "
        "WebP), plain text, CSV, DOCX, XLSX, ODT or ODS, up to 20 MB. Another type or no file: "
        "400 naming file; larger: 413 too_large naming file."),
        "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary"}}}}}},
}


@router.post("/orgs/{slug:org}/tasks/{int:task_id}/attachments", response={201: AttachmentOut},
             openapi_extra=ATTACHMENT_UPLOAD)
def upload_attachment(request: HttpRequest, org: str, task_id: int) -> Status[AttachmentOut]:
    """Attach a document to a task (dispatchers; FW1)."""
    actor = membership_for(request, org, *WORKING_ROLES)
    task = _task(actor, task_id)
    services.require_dispatcher(actor)
    if (request.META.get("CONTENT_LENGTH") or "0").isdigit() and \
            int(request.META.get("CONTENT_LENGTH") or 0) > attachments.MAX_BYTES + 64 * 1024:
        raise attachments.too_large()  # refused before the body is read
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationError({"file": "Send the document as the multipart field file."})
    if (upload.size or 0) > attachments.MAX_BYTES:
        raise attachments.too_large()
    a = attachments.attach(actor, task, upload.name or "", upload.read())
    return Status(201, attachment_out(a, org, _zone(actor)))


@router.get("/orgs/{slug:org}/tasks/{int:task_id}/attachments/{int:attachment_id}", response={200: None},
            openapi_extra={"responses": {200: {"description": "The document's bytes, as an attachment.",
                                                 "content": {"application/octet-stream": IMAGE_BODY}}}})
def download_attachment(request: HttpRequest, org: str, task_id: int, attachment_id: int) -> HttpResponseBase:
    """The document itself, streamed (``Content-Disposition: attachment``); assignees and dispatchers."""
    actor = membership_for(request, org, *WORKING_ROLES)
    task = _task(actor, task_id)
    found = attachments.find(actor, task, attachment_id)
    if found is None:
        raise Http404
    return attachments.download_response(actor, found)


@router.delete("/orgs/{slug:org}/tasks/{int:task_id}/attachments/{int:attachment_id}", response={204: None})
def delete_attachment(request: HttpRequest, org: str, task_id: int, attachment_id: int) -> Status[None]:
    """Remove a document from a task (dispatchers; audited)."""
    actor = membership_for(request, org, *WORKING_ROLES)
    task = _task(actor, task_id)
    found = attachments.find(actor, task, attachment_id)
    if found is None:
        raise Http404
    attachments.delete(actor, found)
    return Status(204, None)


# --- forms (FW3) ---------------------------------------------------------------------------

@router.get("/orgs/{slug:org}/forms", response=list[FormOut])
def list_forms(request: HttpRequest, org: str) -> list[FormOut]:
    actor = membership_for(request, org, *WORKING_ROLES)
    return [form_out(f) for f in Form.objects.filter(organization_id=actor.organization_id, archived=False)]


@router.post("/orgs/{slug:org}/forms", response={201: FormOut})
def create_form(request: HttpRequest, org: str, payload: FormIn) -> Status[FormOut]:
    actor = membership_for(request, org, *WORKING_ROLES)
    version = services.save_form(actor, payload.name, payload.definition)
    return Status(201, form_out(version.form))


@router.get("/orgs/{slug:org}/forms/{int:form_id}", response=FormOut)
def get_form(request: HttpRequest, org: str, form_id: int) -> FormOut:
    actor = membership_for(request, org, *WORKING_ROLES)
    return form_out(scoped_get(Form.objects.all(), actor.organization, pk=form_id))


@router.put("/orgs/{slug:org}/forms/{int:form_id}", response=FormOut)
def new_form_version(request: HttpRequest, org: str, form_id: int, payload: FormIn) -> FormOut:
    """A changed definition becomes a new version; submissions keep the version they were filled in."""
    actor = membership_for(request, org, *WORKING_ROLES)
    form = scoped_get(Form.objects.all(), actor.organization, pk=form_id)
    services.save_form(actor, payload.name, payload.definition, form)
    form.refresh_from_db()
    return form_out(form)


def _submission_out(s: Any) -> SubmissionOut:
    return SubmissionOut(id=s.pk, form_id=s.version.form_id, version=s.version.number, member_id=s.member_id,
                         task_id=s.task_id, answers=s.answers, occurred_at=s.occurred_at,
                         location_status=s.location.location_status if s.location else "none")


@router.post("/orgs/{slug:org}/forms/{int:form_id}/submissions", response={201: SubmissionOut})
def submit_form(request: HttpRequest, org: str, form_id: int, payload: SubmissionIn) -> Status[SubmissionOut]:
    actor = membership_for(request, org, *WORKING_ROLES)
    scoped_get(Form.objects.all(), actor.organization, pk=form_id)
    task = _task(actor, payload.task_id) if payload.task_id is not None else None
    s = services.submit_form(actor, form_id, payload.version, payload.answers, task=task, fix=payload.to_fix())
    return Status(201, _submission_out(s))


@router.get("/orgs/{slug:org}/forms/{int:form_id}/submissions", response=list[SubmissionOut])
def list_submissions(request: HttpRequest, org: str, form_id: int) -> list[SubmissionOut]:
    actor = membership_for(request, org, *WORKING_ROLES)
    form = scoped_get(Form.objects.all(), actor.organization, pk=form_id)
    return [_submission_out(s) for s in reading.submissions(actor, form)[:500]]


@router.get("/orgs/{slug:org}/forms/{int:form_id}/export", response={200: None})
def export_submissions(request: HttpRequest, org: str, form_id: int, format: str = "csv") -> HttpResponseBase:
    actor = membership_for(request, org, *WORKING_ROLES)
    services.require_dispatcher(actor)
    form = scoped_get(Form.objects.all(), actor.organization, pk=form_id)
    if format not in exports.FORMATS:
        raise ValidationError({"format": "Choose csv or xlsx."})
    return exports.response(actor, form, format)


# --- bids (FW5) ------------------------------------------------------------------------------

def _bid_out(bid: Bid, actor: Membership) -> FieldBidOut:
    return FieldBidOut(id=bid.pk, task_id=bid.task_id, status=bid.status, awarded_to_id=bid.awarded_to_id,
                       offers=[offer_out(o) for o in reading.offers(actor, bid=bid)])


@router.post("/orgs/{slug:org}/tasks/{int:task_id}/bids", response={201: FieldBidOut})
def offer_task(request: HttpRequest, org: str, task_id: int, payload: BidIn) -> Status[FieldBidOut]:
    actor = membership_for(request, org, *WORKING_ROLES)
    bid = bids.offer(actor, _task(actor, task_id), payload.member_ids)
    return Status(201, _bid_out(bid, actor))


@router.get("/orgs/{slug:org}/offers", response=list[OfferOut])
def my_offers(request: HttpRequest, org: str) -> list[OfferOut]:
    """The caller's own job offers (answered or not)."""
    actor = membership_for(request, org, *WORKING_ROLES)
    return [offer_out(o) for o in reading.offers(actor, member=actor)]


@router.post("/orgs/{slug:org}/offers/{int:offer_id}/answer", response=OfferOut)
def answer_offer(request: HttpRequest, org: str, offer_id: int, payload: BidAnswerIn) -> OfferOut:
    actor = membership_for(request, org, *WORKING_ROLES)
    offer = get_object_or_404(BidOffer.objects.select_related("bid__task", "member").filter(
        organization_id=actor.organization_id, member=actor), pk=offer_id)
    return offer_out(bids.answer_bid(actor, offer, payload.answer, payload.eta_minutes, payload.to_fix()))


@router.post("/orgs/{slug:org}/bids/{int:bid_id}/award", response=FieldBidOut)
def award_bid(request: HttpRequest, org: str, bid_id: int, payload: AwardIn) -> FieldBidOut:
    actor = membership_for(request, org, *WORKING_ROLES)
    services.require_dispatcher(actor)
    bid = scoped_get(Bid.objects.select_related("task"), actor.organization, pk=bid_id)
    return _bid_out(bids.award(actor, bid, payload.member_id), actor)


# --- dispatcher board (FW6) ---------------------------------------------------------------------

@router.get("/orgs/{slug:org}/dispatch", response=DispatchOut)
def dispatch_board(request: HttpRequest, org: str, day: str = "") -> DispatchOut:
    """A local day's tasks by member and status, late ones flagged; the last known positions
    only of members whose location the caller may see (each read audited)."""
    actor = membership_for(request, org, *WORKING_ROLES)
    services.require_dispatcher(actor)
    board = dispatch.board(actor, day)
    zone = _zone(actor)
    return DispatchOut(day=board.day, time_zone=zone.key, rows=[
        BoardRowOut(member_id=r.member_id, member=r.member, tasks=[task_out(t, zone) for t in r.tasks])
        for r in board.rows], positions=[PositionOut(**p) for p in dispatch.positions(actor)])


# --- the phone app (FW8) ----------------------------------------------------------------------

def _device(request: HttpRequest) -> Device:
    return request.auth  # type: ignore[attr-defined, no-any-return]


@router.get("/device/day", auth=device_auth, response=DayOut)
def device_day(request: HttpRequest) -> DayOut:
    """What the phone shows and caches for offline use: the member's open tasks, the forms,
    open job offers, their profile and privacy mode."""
    from officium.privacy.consent.services import photo_permission_given

    member = _device(request).member
    zone = localtime.zone_for(member.organization)
    tasks = services.visible_tasks(member).filter(assignments__member=member).exclude(
        status__in=services.FINAL).prefetch_related("assignments").order_by("window_start", "pk")
    forms = Form.objects.filter(organization_id=member.organization_id, archived=False)
    offers = reading.offers(member, member=member, bid__status=BidStatus.OPEN)
    return DayOut(member_id=member.pk, member=member.user.get_full_name() or member.user.email,
                  organization=member.organization.name, time_zone=zone.key,
                  privacy_mode=privacy_mode_on(member), location_kinds=sorted(DeviceProfile.kinds_for(member)),
                  photo_permission=photo_permission_given(member.user),
                  tasks=[task_out(t, zone) for t in tasks], forms=[form_out(f) for f in forms],
                  offers=[offer_out(o) for o in offers],
                  attachments=[device_attachment_out(a, zone) for t in tasks for a in attachments.listed(member, t)])


def device_attachment_out(a: Any, zone: Any) -> AttachmentOut:
    return AttachmentOut(id=a.pk, task_id=a.task_id, name=a.name, content_type=a.content_type, size=a.size,
                         created_at=a.created_at, created_local=localtime.format_datetime(a.created_at, zone),
                         download_url=f"/api/fieldwork/device/tasks/{a.task_id}/attachments/{a.pk}")


@router.get("/device/tasks/{int:task_id}/attachments/{int:attachment_id}", auth=device_auth, response={200: None},
            openapi_extra={"responses": {200: {"description": "The document's bytes, as an attachment.",
                                                 "content": {"application/octet-stream": IMAGE_BODY}}}})
def device_attachment(request: HttpRequest, task_id: int, attachment_id: int) -> HttpResponseBase:
    """A document attached to one of the phone's member's tasks (FW1), streamed."""
    member = _device(request).member
    task = get_object_or_404(services.visible_tasks(member), pk=task_id)
    found = attachments.find(member, task, attachment_id)
    if found is None:
        raise Http404
    return attachments.download_response(member, found)


class DevicePhotoIn(PhotoIn):
    task_id: int


@router.post("/device/tasks/{int:task_id}/photos/upload", auth=device_auth, response={201: PhotoOut},
             openapi_extra=PHOTO_UPLOAD)
def device_upload_photo(request: HttpRequest, task_id: int) -> Status[PhotoOut]:
    """The phone app's photo as the raw request body (up to 8 MB), sent from its offline
    queue with the photo's client id: replayed, stored once."""
    member = _device(request).member
    task = get_object_or_404(services.visible_tasks(member), pk=task_id)
    client_id = _client_id(request)
    p = photos.add_photo(member, task, photos.read_body(request), client_id=client_id)
    return Status(201, PhotoOut(id=p.pk, task_id=p.task_id, size=p.size, content_type=p.content_type,
                                location_kept=p.location_kept))


@router.post("/device/photos", auth=device_auth, response={201: PhotoOut})
def device_photo(request: HttpRequest, payload: DevicePhotoIn) -> Status[PhotoOut]:
    member = _device(request).member
    task = get_object_or_404(services.visible_tasks(member), pk=payload.task_id)
    p = photos.add_photo(member, task, _decode(payload.content_base64), client_id=payload.client_id)
    return Status(201, PhotoOut(id=p.pk, task_id=p.task_id, size=p.size, content_type=p.content_type,
                                location_kept=p.location_kept))
