"""Shifts over the API (WT2): shift types and assignments; handlers parse, scope, call a service."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from officium.accounts.models import Membership
from officium.accounts.roles import WORKING_ROLES
from officium.accounts.scoping import membership_for, scoped_get
from officium.attendance.models import Site
from officium.workforce import reading, services, shifts
from officium.workforce.models import ShiftAssignment, ShiftType

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
