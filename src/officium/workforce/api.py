"""Shifts over the API (WT2): shift types and assignments; handlers parse, scope, call a service."""

from __future__ import annotations

from datetime import date, datetime, time
from types import ModuleType
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema, Status

from officium.accounts.models import Membership
from officium.accounts.roles import ADMINISTRATORS, WORKING_ROLES
from officium.accounts.scoping import membership_for, scoped_get
from officium.attendance import purposes
from officium.attendance.models import Site
from officium.workforce import corrections, leave, paging, reading, services, shifts, timesheets
from officium.workforce.models import (
    Correction,
    Holiday,
    LeaveRequest,
    LeaveType,
    ShiftAssignment,
    ShiftType,
)

router = Router(tags=["workforce"])


class ShiftTypeIn(Schema):
    name: str
    start: str
    end: str
    overnight: Any = False
    break_minutes: Any = 0
    grace_minutes: Any = 0
    weekdays: Any = None


class ShiftTypeOut(Schema):
    id: int
    name: str
    start: time
    end: time
    overnight: bool
    break_minutes: int
    grace_minutes: int
    weekdays: list[int]
    active: bool


class AssignmentIn(Schema):
    shift_type_id: int
    member_id: int | None = None
    site_id: int | None = None
    starts_on: str
    ends_on: str | None = None


class AssignmentOut(Schema):
    id: int
    shift_type_id: int
    member_id: int | None
    site_id: int | None
    starts_on: date
    ends_on: date | None


class PlacementOut(Schema):
    """Where a moment falls for the acting member: local work day, shift and status."""

    work_day: date
    shift_type_id: int | None
    shift_starts_at: datetime | None
    shift_ends_at: datetime | None
    status: str


def _type_out(s: ShiftType) -> ShiftTypeOut:
    return ShiftTypeOut(id=s.pk, name=s.name, start=s.start, end=s.end, overnight=s.overnight,
                        break_minutes=s.break_minutes, grace_minutes=s.grace_minutes,
                        weekdays=s.weekdays, active=s.active)


def _assignment_out(a: ShiftAssignment) -> AssignmentOut:
    return AssignmentOut(id=a.pk, shift_type_id=a.shift_type_id, member_id=a.member_id, site_id=a.site_id,
                         starts_on=a.starts_on, ends_on=a.ends_on)


@router.get("/orgs/{slug:org}/shift-types", response=list[ShiftTypeOut])
def list_shift_types(request: HttpRequest, org: str) -> list[ShiftTypeOut]:
    actor = membership_for(request, org, *WORKING_ROLES)
    return [_type_out(s) for s in ShiftType.objects.filter(organization=actor.organization, active=True)]


@router.post("/orgs/{slug:org}/shift-types", response={201: ShiftTypeOut})
def create_shift_type(request: HttpRequest, org: str, payload: ShiftTypeIn) -> Status[ShiftTypeOut]:
    actor = membership_for(request, org, *services.SHIFT_EDITORS)
    return Status(201, _type_out(services.save_shift_type(actor, payload.dict())))


@router.get("/orgs/{slug:org}/shift-types/{int:shift_id}", response=ShiftTypeOut)
def get_shift_type(request: HttpRequest, org: str, shift_id: int) -> ShiftTypeOut:
    actor = membership_for(request, org, *WORKING_ROLES)
    return _type_out(scoped_get(ShiftType.objects.all(), actor.organization, pk=shift_id))


@router.put("/orgs/{slug:org}/shift-types/{int:shift_id}", response=ShiftTypeOut)
def change_shift_type(request: HttpRequest, org: str, shift_id: int, payload: ShiftTypeIn) -> ShiftTypeOut:
    actor = membership_for(request, org, *services.SHIFT_EDITORS)
    shift = scoped_get(ShiftType.objects.all(), actor.organization, pk=shift_id)
    return _type_out(services.save_shift_type(actor, payload.dict(), shift))


@router.delete("/orgs/{slug:org}/shift-types/{int:shift_id}", response={204: None})
def archive_shift_type(request: HttpRequest, org: str, shift_id: int) -> Status[None]:
    actor = membership_for(request, org, *services.SHIFT_EDITORS)
    services.archive_shift_type(actor, scoped_get(ShiftType.objects.all(), actor.organization, pk=shift_id))
    return Status(204, None)


@router.get("/orgs/{slug:org}/assignments", response=list[AssignmentOut])
def list_assignments(request: HttpRequest, org: str) -> list[AssignmentOut]:
    actor = membership_for(request, org, *WORKING_ROLES)
    return [_assignment_out(a) for a in reading.assignments(actor)]


@router.post("/orgs/{slug:org}/assignments", response={201: AssignmentOut})
def create_assignment(request: HttpRequest, org: str, payload: AssignmentIn) -> Status[AssignmentOut]:
    actor = membership_for(request, org, *services.SHIFT_EDITORS)
    organization = actor.organization
    shift = scoped_get(ShiftType.objects.all(), organization, pk=payload.shift_type_id)
    member = None if payload.member_id is None else scoped_get(
        Membership.objects.all(), organization, pk=payload.member_id)
    site = None if payload.site_id is None else scoped_get(Site.objects.all(), organization, pk=payload.site_id)
    made = services.assign_shift(actor, shift, member=member, site=site, starts_on=payload.starts_on,
                                 ends_on=payload.ends_on)
    return Status(201, _assignment_out(made))


@router.delete("/orgs/{slug:org}/assignments/{int:assignment_id}", response={204: None})
def delete_assignment(request: HttpRequest, org: str, assignment_id: int) -> Status[None]:
    actor = membership_for(request, org, *services.SHIFT_EDITORS)
    assignment = scoped_get(reading.assignments_queryset(actor), actor.organization, pk=assignment_id)
    services.unassign_shift(actor, assignment)
    return Status(204, None)


@router.get("/orgs/{slug:org}/my-shift", response=PlacementOut)
def my_shift(request: HttpRequest, org: str, at: datetime | None = None) -> PlacementOut:
    """The acting member's shift now (or at ``at``): work day, bounds and how a check-in then stands."""
    actor = membership_for(request, org, *WORKING_ROLES)
    from django.utils import timezone

    placed = shifts.placement_for(actor, at or timezone.now())
    slot = placed.slot
    return PlacementOut(work_day=placed.work_day, shift_type_id=slot.spec.id if slot else None,
                        shift_starts_at=slot.starts_at if slot else None,
                        shift_ends_at=slot.ends_at if slot else None, status=placed.status)


# --- timesheets (WT4), corrections (WT5), leave and holidays (WT6) ---------------------------

class TimesheetDayOut(Schema):
    day: date
    first_in: datetime | None
    last_out: datetime | None
    worked_minutes: int
    break_minutes: int
    expected_minutes: int
    overtime_minutes: int
    leave_minutes: int
    leave: str
    holiday: str
    flags: list[str]
    locked: bool


class TimesheetOut(Schema):
    member_id: int
    name: str
    starts_on: date
    ends_on: date
    zone: str
    locked: bool
    totals: dict[str, int]
    days: list[TimesheetDayOut]


class ApprovalIn(Schema):
    member_id: int
    starts_on: str
    ends_on: str


class ApprovalOut(Schema):
    id: int
    member_id: int
    starts_on: date
    ends_on: date


class CorrectionIn(Schema):
    kind: str
    record_id: Any = None
    occurred_at: str
    reason: str
    direction: str | None = None


class CorrectionOut(Schema):
    id: int
    member_id: int
    kind: str
    original_id: int | None
    replacement_id: int | None
    direction: str
    occurred_at: datetime
    reason: str
    state: str


class WorkDecisionIn(Schema):
    decision: str
    note: str = ""


class LeaveTypeIn(Schema):
    name: str
    yearly_days: Any = 0
    carry_over_days: Any = 0


class LeaveTypeOut(Schema):
    id: int
    name: str
    yearly_days: float
    carry_over_days: float


class LeaveIn(Schema):
    leave_type_id: Any = None
    starts_on: str
    ends_on: str
    reason: str = ""


class LeaveOut(Schema):
    id: int
    member_id: int
    leave_type_id: int
    starts_on: date
    ends_on: date
    days: float
    state: str


class BalanceOut(Schema):
    leave_type_id: int
    name: str
    year: int
    allowance: float
    taken: float
    pending: float
    remaining: float


class HolidayIn(Schema):
    day: str
    name: str
    site_id: int | None = None


class HolidayImportIn(Schema):
    file: str
    site_id: int | None = None


class HolidayOut(Schema):
    id: int
    day: date
    name: str
    site_id: int | None


class CountOut(Schema):
    count: int


class CorrectionPageOut(Schema):
    """One page of corrections; ``next_cursor`` fetches the next (null: none left)."""

    items: list[CorrectionOut]
    next_cursor: str | None


class LeavePageOut(Schema):
    items: list[LeaveOut]
    next_cursor: str | None


class HolidayPageOut(Schema):
    items: list[HolidayOut]
    next_cursor: str | None


def _which(value: str) -> str:
    if value not in ("mine", "waiting"):
        raise ValidationError({"which": "Choose mine or waiting."})
    return value


def _mine_or_waiting(actor: Membership, requests: ModuleType, key: str, which: str, cursor: str,
                     limit: str) -> paging.Page[Any]:
    """One page of ``requests`` (the corrections or leave module): ``mine``, the actor's own, newest
    ``key`` first; ``waiting``, those waiting for the actor's decision, oldest first."""
    if _which(which) == "mine":
        return paging.page(requests.own_queryset(actor), key, descending=True, cursor=cursor,
                           size=paging.size_of(limit))
    return paging.page(requests.waiting_queryset(actor), key, descending=False, cursor=cursor,
                       size=paging.size_of(limit))


def _correction_out(c: Any) -> CorrectionOut:
    return CorrectionOut(id=c.pk, member_id=c.member_id, kind=c.kind, original_id=c.original_id,
                         replacement_id=c.replacement_id, direction=c.direction, occurred_at=c.occurred_at,
                         reason=c.reason, state=c.state)


def _leave_out(r: Any) -> LeaveOut:
    return LeaveOut(id=r.pk, member_id=r.member_id, leave_type_id=r.leave_type_id, starts_on=r.starts_on,
                    ends_on=r.ends_on, days=float(r.days), state=r.state)


@router.get("/orgs/{slug:org}/timesheets", response=list[TimesheetOut])
def list_timesheets(request: HttpRequest, org: str, view: str = "week", day: str | None = None,
                    member_id: int | None = None) -> list[TimesheetOut]:
    """Week or month timesheets: your own; a manager's reports'; everyone's for administrators."""
    from django.utils import timezone

    from officium.accounts import localtime

    actor = membership_for(request, org, *WORKING_ROLES)
    zone = localtime.zone_for(actor.organization)
    anchor = timesheets.parse_day(day) if day else localtime.local_day(timezone.now(), zone)
    period = timesheets.period_of(view, anchor)
    members = timesheets.visible_members(actor)
    if member_id is not None:
        members = [m for m in members if m.pk == member_id]
        if not members:
            scoped_get(Membership.objects.none(), actor.organization, pk=member_id)
    return [TimesheetOut(member_id=s["member_id"], name=s["name"], starts_on=period.first, ends_on=period.last,
                         zone=str(zone), locked=s["locked"], totals=s["totals"],
                         days=[TimesheetDayOut(**{k: d[k] for k in TimesheetDayOut.model_fields}) for d in s["days"]])
            for s in timesheets.sheet(actor, members, period)]


@router.post("/orgs/{slug:org}/timesheets/approvals", response={201: ApprovalOut})
def approve_timesheet(request: HttpRequest, org: str, payload: ApprovalIn) -> Status[ApprovalOut]:
    actor = membership_for(request, org, *services.SHIFT_EDITORS)
    member = scoped_get(Membership.objects.select_related("organization"), actor.organization, pk=payload.member_id)
    period = timesheets.Period(timesheets.parse_day(payload.starts_on, "starts_on"),
                               timesheets.parse_day(payload.ends_on, "ends_on"))
    made = timesheets.approve_period(actor, member, period)
    return Status(201, ApprovalOut(id=made.pk, member_id=made.member_id, starts_on=made.starts_on,
                                   ends_on=made.ends_on))


@router.get("/orgs/{slug:org}/corrections", response=CorrectionPageOut)
def list_corrections(request: HttpRequest, org: str, which: str = "mine", cursor: str = "",
                     limit: str = "") -> CorrectionPageOut:
    """``which=mine`` (default): your own corrections, newest first; ``which=waiting``: those
    waiting for your decision, oldest first. Paged by ``cursor`` (``next_cursor``), no cap."""
    actor = membership_for(request, org, *WORKING_ROLES)
    found = _mine_or_waiting(actor, corrections, "created_at", which, cursor, limit)
    return CorrectionPageOut(items=[_correction_out(c) for c in found.items], next_cursor=found.next_cursor)


@router.post("/orgs/{slug:org}/corrections", response={201: CorrectionOut})
def create_correction(request: HttpRequest, org: str, payload: CorrectionIn) -> Status[CorrectionOut]:
    actor = membership_for(request, org, *WORKING_ROLES)
    return Status(201, _correction_out(corrections.request_correction(actor, payload.dict())))


@router.post("/orgs/{slug:org}/corrections/{int:correction_id}/decision", response=CorrectionOut)
def decide_correction(request: HttpRequest, org: str, correction_id: int, payload: WorkDecisionIn) -> CorrectionOut:
    actor = membership_for(request, org, *WORKING_ROLES)
    found = scoped_get(Correction.objects.for_purpose(actor, purposes.location()).select_related(
        "member__user", "member__organization", "original"), actor.organization, pk=correction_id)
    return _correction_out(corrections.decide(actor, found, payload.decision, payload.note))


@router.get("/orgs/{slug:org}/leave-types", response=list[LeaveTypeOut])
def list_leave_types(request: HttpRequest, org: str) -> list[LeaveTypeOut]:
    actor = membership_for(request, org, *WORKING_ROLES)
    return [_leave_type_out(t) for t in LeaveType.objects.filter(organization=actor.organization, active=True)]


@router.post("/orgs/{slug:org}/leave-types", response={201: LeaveTypeOut})
def create_leave_type(request: HttpRequest, org: str, payload: LeaveTypeIn) -> Status[LeaveTypeOut]:
    actor = membership_for(request, org, *ADMINISTRATORS)
    return Status(201, _leave_type_out(leave.save_leave_type(actor, payload.dict())))


def _leave_type_out(t: LeaveType) -> LeaveTypeOut:
    return LeaveTypeOut(id=t.pk, name=t.name, yearly_days=float(t.yearly_days),
                        carry_over_days=float(t.carry_over_days))


@router.get("/orgs/{slug:org}/leave/balances", response=list[BalanceOut])
def leave_balances(request: HttpRequest, org: str, year: int | None = None) -> list[BalanceOut]:
    from django.utils import timezone

    actor = membership_for(request, org, *WORKING_ROLES)
    return [BalanceOut(**b) for b in leave.balances(actor, year or timezone.now().year)]


@router.get("/orgs/{slug:org}/leave-requests", response=LeavePageOut)
def list_leave(request: HttpRequest, org: str, which: str = "mine", cursor: str = "",
               limit: str = "") -> LeavePageOut:
    """``which=mine`` (default): your own requests, latest first; ``which=waiting``: those
    waiting for your decision, earliest first. Paged by ``cursor`` (``next_cursor``), no cap."""
    actor = membership_for(request, org, *WORKING_ROLES)
    found = _mine_or_waiting(actor, leave, "starts_on", which, cursor, limit)
    return LeavePageOut(items=[_leave_out(r) for r in found.items], next_cursor=found.next_cursor)


@router.post("/orgs/{slug:org}/leave-requests", response={201: LeaveOut})
def create_leave(request: HttpRequest, org: str, payload: LeaveIn) -> Status[LeaveOut]:
    actor = membership_for(request, org, *WORKING_ROLES)
    return Status(201, _leave_out(leave.request_leave(actor, payload.dict())))


@router.post("/orgs/{slug:org}/leave-requests/{int:leave_id}/decision", response=LeaveOut)
def decide_leave(request: HttpRequest, org: str, leave_id: int, payload: WorkDecisionIn) -> LeaveOut:
    actor = membership_for(request, org, *WORKING_ROLES)
    found = scoped_get(LeaveRequest.objects.for_purpose(actor, purposes.location()).select_related(
        "member__user", "member__organization", "leave_type"), actor.organization, pk=leave_id)
    return _leave_out(leave.decide(actor, found, payload.decision))


@router.get("/orgs/{slug:org}/holidays", response=HolidayPageOut)
def list_holidays(request: HttpRequest, org: str, cursor: str = "", limit: str = "") -> HolidayPageOut:
    """The organization's and its sites' holidays by day, paged by ``cursor``."""
    actor = membership_for(request, org, *WORKING_ROLES)
    found = paging.page(Holiday.objects.filter(organization=actor.organization), "day", descending=False,
                        cursor=cursor, size=paging.size_of(limit))
    return HolidayPageOut(items=[HolidayOut(id=h.pk, day=h.day, name=h.name, site_id=h.site_id)
                                 for h in found.items], next_cursor=found.next_cursor)


@router.post("/orgs/{slug:org}/holidays", response={201: CountOut})
def create_holiday(request: HttpRequest, org: str, payload: HolidayIn) -> Status[CountOut]:
    actor = membership_for(request, org, *ADMINISTRATORS)
    return Status(201, CountOut(count=leave.add_holiday(actor, payload.dict())))


@router.post("/orgs/{slug:org}/holidays/import", response={201: CountOut})
def import_holidays(request: HttpRequest, org: str, payload: HolidayImportIn) -> Status[CountOut]:
    """``file``: the text of an iCalendar (.ics) file; its events become holidays."""
    actor = membership_for(request, org, *ADMINISTRATORS)
    return Status(201, CountOut(count=leave.import_ical(actor, payload.file.encode(), payload.site_id)))
