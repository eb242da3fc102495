"""Attendance over the API: people (session or API token) and devices (device token).

Device endpoints authenticate with ``DeviceAuth``: a per-device bearer token from a connection
code; a revoked or expired token answers 401. Handlers parse, scope, call a service.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from ninja import Field, Router, Schema, Status
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer
from pydantic import BaseModel

from officium.accounts.models import Membership
from officium.accounts.roles import ADMINISTRATORS, WORKING_ROLES
from officium.accounts.scoping import membership_for, scoped_get
from officium.attendance import board, exports, purposes, reading, retention, review, services
from officium.attendance import report as reading_report
from officium.attendance.coordinates import Fix
from officium.attendance.geofence import validate_fix
from officium.attendance.models import (
    AttendanceRecord,
    Device,
    LocationRequest,
    RequestStatus,
    Site,
)
from officium.text import SafeName

router = Router(tags=["attendance"])

Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]


class DeviceAuth(HttpBearer):
    """A device's own bearer token (not a person's API token)."""

    def __call__(self, request: HttpRequest) -> Device | None:
        """HttpBearer's reading of the header, straight from the WSGI environ (``request.headers``
        first builds a dict of every header: a tenth of a bare request's work), and an
        unexpected scheme is refused without logging the header's value (ninja logs it under
        DEBUG: a secret in the log)."""
        scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not token:
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> Device | None:
        device = services.device_for_token(token)
        if device is not None:
            request.device = device  # type: ignore[attr-defined]
        return device


device_auth = DeviceAuth()


def _device(request: HttpRequest) -> Device:
    return request.auth  # type: ignore[attr-defined, no-any-return]


# --- schemas -----------------------------------------------------------------------------

class FixIn(BaseModel):
    """Plain pydantic (as every body here that is only JSON): ninja's Schema would also run its
    Django getter over the values, which only matters for model instances."""

    latitude: Number | None = None
    longitude: Number | None = None
    accuracy: Number | None = None

    def to_fix(self) -> Fix | None:
        if self.latitude is None and self.longitude is None:
            return None
        return validate_fix(self.latitude, self.longitude, self.accuracy)


class CheckInIn(FixIn):
    direction: Literal["in", "out"] = "in"
    site_id: int | None = None


class RecordOut(Schema):
    id: int
    member_id: int
    direction: str
    occurred_at: datetime
    verdict: str
    accepted: bool
    site_id: int | None
    within_schedule: bool | None
    suspected_mock: bool
    review: str = ""
    work_day: date | None = None
    shift_status: str = ""
    latitude: float | None = None
    longitude: float | None = None
    accuracy: float | None = None


class SiteIn(Schema):
    name: SafeName
    shape: Literal["circle", "polygon"] = "circle"
    center_latitude: Number | None = None
    center_longitude: Number | None = None
    radius_m: Number | None = None
    polygon: list[list[Number]] | None = None
    schedule_start: time | None = None
    schedule_end: time | None = None
    weekdays: list[int] = []
    time_zone: str = ""


class SiteOut(Schema):
    id: int
    name: str
    shape: str
    center_latitude: float | None
    center_longitude: float | None
    radius_m: float | None
    polygon: list[list[float]]
    schedule_start: time | None
    schedule_end: time | None
    weekdays: list[int]
    time_zone: str
    active: bool


class PrivacyModeIn(Schema):
    enabled: bool


class PrivacyModeOut(Schema):
    enabled: bool


class ConnectIn(Schema):
    code: str
    name: SafeName
    platform: SafeName = ""


class ConnectOut(Schema):
    device_id: int
    token: str
    expires_at: datetime


class CodeOut(Schema):
    code: str
    expires_at: datetime


class DeviceOut(Schema):
    id: int
    member_id: int
    name: str
    platform: str
    created_at: datetime
    last_seen_at: datetime | None
    expires_at: datetime
    revoked: bool


class ProfileIn(Schema):
    location_kinds: list[str]


class ProfileOut(Schema):
    location_kinds: list[str]
    privacy_mode: bool = False


class BatchIn(BaseModel):
    """A plain pydantic body: ninja's Schema would run its Django getter over every one of up
    to thousands of events; each event is validated by ``ingest.parse_event`` instead."""

    events: list[Any]


class RejectedOut(Schema):
    index: int
    field: str
    message: str


class BatchOut(Schema):
    stored: int
    duplicates: int
    rejected: list[RejectedOut]
    actions: int = Field(0, description="Rows stored from events carrying data (task entries, forms, bid answers)")


class LocationRequestOut(Schema):
    id: int
    status: str
    created_at: datetime
    answered_at: datetime | None


class EtaOut(Schema):
    eta_minutes: int | None


class SettingsIn(Schema):
    without_location: Literal["refuse", "review", "accept"] = "review"
    repeat_check_in: Literal["refuse", "check_out"] = "refuse"
    location_retention_days: int | None = None


class ClockOut(Schema):
    """WT3: in or out, since when (UTC and local with the zone named), today's worked time."""

    checked_in: bool
    since: datetime | None
    since_local: str
    worked_today_minutes: int
    worked_today: str
    day: date
    time_zone: str
    pending_review: bool


class ReportRowOut(Schema):
    id: int
    member_id: int
    member: str
    direction: str
    occurred_at: datetime
    local_time: str = Field(description="ISO 8601 with the UTC offset of the record's zone")
    time_zone: str
    local_text: str
    work_day: date | None
    result: str
    verdict: str
    shift_status: str
    site_id: int | None
    site: str
    latitude: float | None = None
    longitude: float | None = None
    accuracy: float | None = None


class ReportOut(Schema):
    start: date
    end: date
    time_zone: str
    rows: list[ReportRowOut]
    next_cursor: str | None


class PresentOut(Schema):
    member_id: int
    member: str
    since: datetime
    since_local: str
    pending_review: bool


class SiteBoardOut(Schema):
    site_id: int | None
    name: str
    present: list[PresentOut]


class BoardOut(Schema):
    at: datetime
    time_zone: str
    out: int
    sites: list[SiteBoardOut]


class MapSiteOut(Schema):
    id: int
    name: str
    shape: str
    center: list[float] | None
    radius_m: float | None
    polygon: list[list[float]]


class AttemptOut(Schema):
    record_id: int
    member: str
    direction: str
    result: str
    latitude: float
    longitude: float
    accuracy: float | None
    local_time: str


class MapOut(Schema):
    day: date
    sites: list[MapSiteOut]
    attempts: list[AttemptOut]


class ReviewIn(Schema):
    decision: Literal["accept", "reject"]


class NotificationOut(Schema):
    id: int
    kind: str
    member_id: int
    site_id: int | None
    eta_minutes: int | None
    created_at: datetime
    read: bool


class ReadOut(Schema):
    at: datetime
    reader_id: int | None
    reader: str
    purpose: str


def _created(record: Any) -> HttpResponse:
    """A new check-in record as ``RecordOut`` renders it (no coordinates: the caller sent them),
    rendered directly: validating a schema we build ourselves from our own row costs more than
    the rest of the answer on the check-in path."""
    when = _ENCODER.default  # the time and the day as ninja writes them; the rest is plain JSON
    data = {"id": record.pk, "member_id": record.member_id, "direction": record.direction,
            "occurred_at": when(record.occurred_at), "verdict": record.verdict, "accepted": record.accepted,
            "site_id": record.site_id, "within_schedule": record.within_schedule,
            "suspected_mock": record.suspected_mock, "review": record.review,
            "work_day": None if record.work_day is None else when(record.work_day),
            "shift_status": record.shift_status, "latitude": None, "longitude": None, "accuracy": None}
    return HttpResponse(json.dumps(data), status=201, content_type="application/json; charset=utf-8")


_ENCODER = NinjaJSONEncoder()


def _record_out(r: Any) -> RecordOut:
    fix = getattr(r, "visible_fix", None)
    return RecordOut(id=r.pk, member_id=r.member_id, direction=r.direction, occurred_at=r.occurred_at,
                     verdict=r.verdict, accepted=r.accepted, site_id=r.site_id,
                     within_schedule=r.within_schedule, suspected_mock=r.suspected_mock,
                     review=r.review, work_day=r.work_day, shift_status=r.shift_status,
                     latitude=fix.latitude if fix else None, longitude=fix.longitude if fix else None,
                     accuracy=fix.accuracy if fix else None)


def _site_out(s: Site) -> SiteOut:
    return SiteOut(id=s.pk, name=s.name, shape=s.shape, center_latitude=s.center_latitude,
                   center_longitude=s.center_longitude, radius_m=s.radius_m, polygon=s.polygon,
                   schedule_start=s.schedule_start, schedule_end=s.schedule_end,
                   weekdays=s.weekdays, time_zone=s.time_zone, active=s.active)


def _member(actor: Membership, member_id: int) -> Membership:
    return scoped_get(Membership.objects.select_related("user"), actor.organization, pk=member_id)


# --- people ------------------------------------------------------------------------------

@router.get("/orgs/{slug:org}/sites", response=list[SiteOut])
def list_sites(request: HttpRequest, org: str) -> list[SiteOut]:
    actor = membership_for(request, org, *WORKING_ROLES)
    return [_site_out(s) for s in Site.objects.for_organization(actor.organization).filter(active=True)]


@router.post("/orgs/{slug:org}/sites", response={201: SiteOut})
def create_site(request: HttpRequest, org: str, payload: SiteIn) -> Status[SiteOut]:
    actor = membership_for(request, org, *WORKING_ROLES)
    return Status(201, _site_out(services.save_site(actor, payload.dict())))


@router.get("/orgs/{slug:org}/sites/{int:site_id}", response=SiteOut)
def get_site(request: HttpRequest, org: str, site_id: int) -> SiteOut:
    actor = membership_for(request, org, *WORKING_ROLES)
    return _site_out(scoped_get(Site.objects.all(), actor.organization, pk=site_id))


@router.put("/orgs/{slug:org}/sites/{int:site_id}", response=SiteOut)
def change_site(request: HttpRequest, org: str, site_id: int, payload: SiteIn) -> SiteOut:
    actor = membership_for(request, org, *WORKING_ROLES)
    site = scoped_get(Site.objects.all(), actor.organization, pk=site_id)
    return _site_out(services.save_site(actor, payload.dict(), site))


@router.delete("/orgs/{slug:org}/sites/{int:site_id}", response={204: None})
def archive_site(request: HttpRequest, org: str, site_id: int) -> Status[None]:
    actor = membership_for(request, org, *WORKING_ROLES)
    services.archive_site(actor, scoped_get(Site.objects.all(), actor.organization, pk=site_id))
    return Status(204, None)


@router.post("/orgs/{slug:org}/check-ins", response={201: RecordOut})
def check_in(request: HttpRequest, org: str, payload: CheckInIn) -> HttpResponse:
    actor = membership_for(request, org, *WORKING_ROLES)
    record = services.check_in(actor, payload.direction, payload.to_fix(), site_id=payload.site_id)
    return _created(record)


def _clock_out(state: Any) -> ClockOut:
    return ClockOut(checked_in=state.checked_in, since=state.since, since_local=state.since_local,
                    worked_today_minutes=int(state.worked_today.total_seconds() // 60),
                    worked_today=state.worked_today_text, day=state.day, time_zone=state.zone.key,
                    pending_review=state.pending_review)


@router.get("/orgs/{slug:org}/clock", response=ClockOut)
def clock(request: HttpRequest, org: str) -> ClockOut:
    """The acting member's own state (WT3); non-working roles get 403."""
    actor = membership_for(request, org, *WORKING_ROLES)
    return _clock_out(services.clock_state(actor))


@router.get("/orgs/{slug:org}/reviews", response=list[RecordOut])
def list_reviews(request: HttpRequest, org: str) -> list[RecordOut]:
    """Check-ins held for review that the actor decides (WT9)."""
    actor = membership_for(request, org, *WORKING_ROLES)
    return [_record_out(r) for r in review.pending(actor)]


@router.post("/orgs/{slug:org}/reviews/{int:record_id}", response=RecordOut)
def decide_review(request: HttpRequest, org: str, record_id: int, payload: ReviewIn) -> RecordOut:
    actor = membership_for(request, org, *WORKING_ROLES)
    record = scoped_get(AttendanceRecord.objects.for_purpose(actor, purposes.location())
                        .select_related("member"), actor.organization, pk=record_id)
    return _record_out(services.decide_review(actor, record, payload.decision))


@router.get("/orgs/{slug:org}/records", response=list[RecordOut])
def list_records(request: HttpRequest, org: str, member_id: int | None = None) -> list[RecordOut]:
    """The newest 200 records (kept for existing clients); ``/report`` filters and pages them all."""
    actor = membership_for(request, org, *WORKING_ROLES)
    return [_record_out(r) for r in reading.records(actor, member_id=member_id)]


def _report_params(request: HttpRequest) -> dict[str, Any]:
    return {k: request.GET.get(k) for k in ("start", "end", "member", "team", "site")}


@router.get("/orgs/{slug:org}/report", response=ReportOut)
def attendance_report(request: HttpRequest, org: str, start: str = "", end: str = "", member: str = "",
                      team: str = "", site: str = "", cursor: str = "", limit: str = "") -> ReportOut:
    """WT7: the records the caller may read, filtered by local days (``start``, ``end``:
    YYYY-MM-DD, inclusive), ``member``, ``team`` (a manager's reports) and ``site``; paged by
    ``next_cursor`` (no cap on how far). Coordinates only where the caller may see them."""
    actor = membership_for(request, org, *WORKING_ROLES)
    filters = reading_report.parse(actor, _report_params(request))
    page = reading_report.page(actor, filters, cursor=cursor, size=reading_report.page_size(limit))
    return ReportOut(start=filters.start, end=filters.end, time_zone=filters.zone.key,
                     next_cursor=page.next_cursor, rows=[ReportRowOut(
                         id=r.record_id, member_id=r.member_id, member=r.member, direction=r.direction,
                         occurred_at=r.occurred_at, local_time=r.local_iso, time_zone=r.zone.key,
                         local_text=r.local_text, work_day=r.work_day, result=r.result, verdict=r.verdict,
                         shift_status=r.shift_status, site_id=r.site_id, site=r.site, latitude=r.latitude,
                         longitude=r.longitude, accuracy=r.accuracy) for r in page.rows])


@router.get("/orgs/{slug:org}/report/export", response={200: None})
def export_report(request: HttpRequest, org: str, format: str = "csv", start: str = "", end: str = "",
                  member: str = "", team: str = "", site: str = "") -> HttpResponseBase:
    """WT7: the same rows as CSV (streamed) or XLSX (``format``), local times with offsets."""
    actor = membership_for(request, org, *WORKING_ROLES)
    if format not in exports.FORMATS:
        raise ValidationError({"format": "Choose csv or xlsx."})
    return exports.response(actor, reading_report.parse(actor, _report_params(request)), format)


@router.get("/orgs/{slug:org}/board", response=BoardOut)
def team_board(request: HttpRequest, org: str) -> BoardOut:
    """WT8: who is in now, per site (managers: their reports; administrators: everyone)."""
    actor = membership_for(request, org, *ADMINISTRATORS, "manager")
    found = board.who_is_in(actor)
    return BoardOut(at=found.at, time_zone=found.zone.key, out=found.out, sites=[SiteBoardOut(
        site_id=b.site_id, name=b.name, present=[PresentOut(
            member_id=p.member_id, member=p.member, since=p.since, since_local=p.since_local,
            pending_review=p.pending_review) for p in b.present]) for b in found.sites])


@router.get("/orgs/{slug:org}/map", response=MapOut)
def site_map(request: HttpRequest, org: str, day: str = "") -> MapOut:
    """WT8: the sites' shapes and a local day's check-in attempts whose location the caller
    may see (each read audited)."""
    actor = membership_for(request, org, *WORKING_ROLES)
    when = board.parse_day(actor, day)
    return MapOut(day=when, sites=[MapSiteOut(**s) for s in board.site_shapes(actor)],
                  attempts=[AttemptOut(**a) for a in board.attempts(actor, when)])


@router.get("/orgs/{slug:org}/privacy-mode", response=PrivacyModeOut)
def get_privacy_mode(request: HttpRequest, org: str) -> PrivacyModeOut:
    actor = membership_for(request, org, *WORKING_ROLES)
    return PrivacyModeOut(enabled=services.privacy_mode_on(actor))


@router.put("/orgs/{slug:org}/privacy-mode", response=PrivacyModeOut)
def set_privacy_mode(request: HttpRequest, org: str, payload: PrivacyModeIn) -> PrivacyModeOut:
    actor = membership_for(request, org, *WORKING_ROLES)
    services.set_privacy_mode(actor, payload.enabled, source="api")
    return PrivacyModeOut(enabled=payload.enabled)


@router.put("/orgs/{slug:org}/settings", response=SettingsIn)
def change_settings(request: HttpRequest, org: str, payload: SettingsIn) -> SettingsIn:
    actor = membership_for(request, org, *WORKING_ROLES)
    s = services.change_settings(actor, payload.without_location, payload.location_retention_days,
                                 payload.repeat_check_in)
    return SettingsIn(without_location=s.without_location, repeat_check_in=s.repeat_check_in,  # type: ignore[arg-type]
                      location_retention_days=retention.chosen_days(actor.organization_id))


@router.get("/orgs/{slug:org}/devices", response=list[DeviceOut])
def list_devices(request: HttpRequest, org: str) -> list[DeviceOut]:
    actor = membership_for(request, org, *WORKING_ROLES)
    return [DeviceOut(id=d.pk, member_id=d.member_id, name=d.name, platform=d.platform,
                      created_at=d.created_at, last_seen_at=d.last_seen_at, expires_at=d.expires_at,
                      revoked=d.revoked_at is not None) for d in reading.devices(actor)]


@router.delete("/orgs/{slug:org}/devices/{int:device_id}", response={204: None})
def revoke_device(request: HttpRequest, org: str, device_id: int) -> Status[None]:
    actor = membership_for(request, org, *WORKING_ROLES)
    services.revoke_device(actor, scoped_get(Device.objects.select_related("member"), actor.organization, pk=device_id))
    return Status(204, None)


@router.post("/orgs/{slug:org}/members/{int:member_id}/connection-codes", response={201: CodeOut})
def create_connection_code(request: HttpRequest, org: str, member_id: int) -> Status[CodeOut]:
    actor = membership_for(request, org, *WORKING_ROLES)
    code, raw = services.create_connection_code(actor, _member(actor, member_id))
    return Status(201, CodeOut(code=raw, expires_at=code.expires_at))


@router.put("/orgs/{slug:org}/members/{int:member_id}/device-profile", response=ProfileOut)
def set_device_profile(request: HttpRequest, org: str, member_id: int, payload: ProfileIn) -> ProfileOut:
    actor = membership_for(request, org, *WORKING_ROLES)
    profile = services.set_device_profile(actor, _member(actor, member_id), payload.location_kinds)
    return ProfileOut(location_kinds=profile.location_kinds)


@router.post("/orgs/{slug:org}/members/{int:member_id}/location-requests", response={201: LocationRequestOut})
def request_location(request: HttpRequest, org: str, member_id: int) -> Status[LocationRequestOut]:
    actor = membership_for(request, org, *WORKING_ROLES)
    r = services.request_location(actor, _member(actor, member_id))
    return Status(201, LocationRequestOut(id=r.pk, status=r.status, created_at=r.created_at, answered_at=r.answered_at))


@router.get("/orgs/{slug:org}/members/{int:member_id}/eta", response=EtaOut)
def eta(request: HttpRequest, org: str, member_id: int, site_id: int) -> EtaOut:
    actor = membership_for(request, org, *WORKING_ROLES)
    site = scoped_get(Site.objects.all(), actor.organization, pk=site_id)
    return EtaOut(eta_minutes=reading.eta(actor, _member(actor, member_id), site))


@router.get("/orgs/{slug:org}/notifications", response=list[NotificationOut])
def list_notifications(request: HttpRequest, org: str) -> list[NotificationOut]:
    actor = membership_for(request, org, *WORKING_ROLES)
    return [NotificationOut(id=n.pk, kind=n.kind, member_id=n.member_id, site_id=n.site_id,
                            eta_minutes=n.eta_minutes, created_at=n.created_at, read=n.read_at is not None)
            for n in reading.notifications(actor)]


@router.get("/orgs/{slug:org}/location-reads", response=list[ReadOut])
def location_reads(request: HttpRequest, org: str) -> list[ReadOut]:
    actor = membership_for(request, org, *WORKING_ROLES)
    return [ReadOut(at=r["at"], reader_id=r["reader_id"], reader=r["reader"], purpose=r["purpose"])
            for r in reading.location_reads(actor)]


# --- devices -----------------------------------------------------------------------------

@router.post("/device/connect", auth=None, response={201: ConnectOut})
def connect(request: HttpRequest, payload: ConnectIn) -> Status[ConnectOut]:
    device, token = services.connect_device(payload.code, payload.name, payload.platform)
    return Status(201, ConnectOut(device_id=device.pk, token=token, expires_at=device.expires_at))


@router.get("/device/profile", auth=device_auth, response=ProfileOut)
def device_profile(request: HttpRequest) -> ProfileOut:
    from officium.attendance.models import DeviceProfile

    member = _device(request).member
    return ProfileOut(location_kinds=sorted(DeviceProfile.kinds_for(member)),
                      privacy_mode=services.privacy_mode_on(member))


@router.put("/device/privacy-mode", auth=device_auth, response=PrivacyModeOut)
def device_privacy_mode(request: HttpRequest, payload: PrivacyModeIn) -> PrivacyModeOut:
    services.set_privacy_mode(_device(request).member, payload.enabled, source="device")
    return PrivacyModeOut(enabled=payload.enabled)


@router.post("/device/events", auth=device_auth, response=BatchOut)
def sync_events(request: HttpRequest, payload: BatchIn) -> BatchOut:
    result = services.ingest_batch(_device(request), payload.events)
    return BatchOut(stored=result.stored, duplicates=result.duplicates, rejected=result.rejected,  # type: ignore[arg-type]
                    actions=result.actions)


@router.post("/device/check-ins", auth=device_auth, response={201: RecordOut})
def device_check_in(request: HttpRequest, payload: CheckInIn) -> HttpResponse:
    device = _device(request)
    record = services.check_in(device.member, payload.direction, payload.to_fix(),
                               site_id=payload.site_id, device=device)
    return _created(record)


@router.get("/device/location-requests", auth=device_auth, response=list[LocationRequestOut])
def pending_requests(request: HttpRequest) -> list[LocationRequestOut]:
    device = _device(request)
    pending = LocationRequest.objects.filter(member=device.member, status=RequestStatus.PENDING)
    return [LocationRequestOut(id=r.pk, status=r.status, created_at=r.created_at, answered_at=r.answered_at)
            for r in pending.order_by("created_at")[:50]]


@router.post("/device/location-requests/{int:request_id}/answer", auth=device_auth, response=LocationRequestOut)
def answer_request(request: HttpRequest, request_id: int, payload: FixIn) -> LocationRequestOut:
    device = _device(request)
    pending = scoped_get(LocationRequest.objects.filter(member=device.member), device.member.organization,
                         pk=request_id)
    r = services.answer_location_request(device, pending, payload.to_fix())
    return LocationRequestOut(id=r.pk, status=r.status, created_at=r.created_at, answered_at=r.answered_at)


__all__ = ["DeviceAuth", "router"]
