"""Every operation on shift types and assignments (WT2): validate, then write and audit in one
transaction. Bad input raises ``ValidationError({field: message})`` and writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from officium.accounts import localtime
from officium.accounts.models import Membership
from officium.accounts.roles import ADMINISTRATORS, Role
from officium.attendance.models import Site
from officium.privacy import audit
from officium.workforce.audit_events import (
    SHIFT_ASSIGNED,
    SHIFT_TYPE_ARCHIVED,
    SHIFT_TYPE_CHANGED,
    SHIFT_TYPE_CREATED,
    SHIFT_UNASSIGNED,
)
from officium.workforce.models import ShiftAssignment, ShiftType
from officium.workforce.shifts import Spec

SHIFT_EDITORS = (Role.OWNER, Role.ADMIN, Role.MANAGER)
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ABBREVIATIONS = {name[:3]: number for number, name in enumerate(WEEKDAY_NAMES)}


def _require_editor(actor: Membership) -> None:
    if actor.role not in SHIFT_EDITORS:
        raise PermissionDenied("Only owners, administrators and managers can plan shifts.")


# --- shift types ---------------------------------------------------------------------------

def save_shift_type(actor: Membership, data: dict[str, Any], shift: ShiftType | None = None) -> ShiftType:
    """Create or change a shift type from plain values (pages and the API both land here)."""
    _require_editor(actor)
    if shift is not None and shift.organization_id != actor.organization_id:
        raise PermissionDenied
    values = _clean_shift_type(actor, data, shift)
    candidate = ShiftType(pk=shift.pk if shift else None, **values)
    if shift is not None:
        _check_overlaps_after_change(actor, candidate)
    with transaction.atomic():
        created = shift is None
        shift = shift or ShiftType(organization_id=actor.organization_id)
        for name, value in values.items():
            setattr(shift, name, value)
        shift.save()
        audit.record(SHIFT_TYPE_CREATED if created else SHIFT_TYPE_CHANGED, actor=actor.user_id,
                     organization=actor.organization_id, target=shift,
                     details={"overnight": shift.overnight, "weekdays": shift.weekdays})
    return shift


def archive_shift_type(actor: Membership, shift: ShiftType) -> None:
    """An archived type no longer judges check-ins; its assignments stay for the record."""
    _require_editor(actor)
    if shift.organization_id != actor.organization_id:
        raise PermissionDenied
    with transaction.atomic():
        ShiftType.objects.filter(pk=shift.pk).update(active=False)
        audit.record(SHIFT_TYPE_ARCHIVED, actor=actor.user_id, organization=actor.organization_id,
                     target=shift)


def _clean_shift_type(actor: Membership, data: dict[str, Any], shift: ShiftType | None) -> dict[str, Any]:
    name = str(data.get("name") or "").strip()
    if not name or len(name) > 80:
        raise ValidationError({"name": "Name the shift (1-80 characters)."})
    clash = ShiftType.objects.filter(organization_id=actor.organization_id, active=True, name__iexact=name)
    if shift is not None:
        clash = clash.exclude(pk=shift.pk)
    if clash.exists():
        raise ValidationError({"name": "Another active shift has this name."})
    start, end = _time(data.get("start"), "start"), _time(data.get("end"), "end")
    overnight = _flag(data.get("overnight"), "overnight")
    if not overnight and end <= start:
        raise ValidationError({"end": "The shift must end after it starts, or be marked overnight."})
    if overnight and end >= start:
        raise ValidationError({"overnight": "An overnight shift ends the next day, before its start time."})
    length = _minutes(end) + (24 * 60 if overnight else 0) - _minutes(start)
    breaks = _count(data.get("break_minutes", 0), "break_minutes", 0, length - 1)
    grace = _count(data.get("grace_minutes", 0), "grace_minutes", 0, min(240, length))
    return {"name": name, "start": start, "end": end, "overnight": overnight, "break_minutes": breaks,
            "grace_minutes": grace, "weekdays": parse_weekdays(data.get("weekdays"))}


def parse_weekdays(value: Any) -> list[int]:
    """Numbers 0 (Monday) to 6 (Sunday) or English day names; at least one; 400 on any other."""
    if not isinstance(value, list | tuple) or not value:
        raise ValidationError({"weekdays": "Choose at least one weekday."})
    days = set()
    for item in value:
        text = item.strip().lower() if isinstance(item, str) else None
        if isinstance(item, int) and not isinstance(item, bool) and 0 <= item <= 6:
            days.add(item)
        elif text is not None and text.isdigit() and int(text) <= 6:
            days.add(int(text))
        elif text is not None and len(text) >= 3 and text[:3] in _ABBREVIATIONS and (
                WEEKDAY_NAMES[_ABBREVIATIONS[text[:3]]].startswith(text)):
            days.add(_ABBREVIATIONS[text[:3]])
        else:
            raise ValidationError({"weekdays": f"Unknown weekday {str(item)[:20]!r}: use 0 (Monday) to 6 (Sunday)."})
    return sorted(days)


def _time(value: Any, field: str) -> dt.time:
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value.strip()).replace(second=0, microsecond=0)
        except ValueError:
            pass
    raise ValidationError({field: "Enter a time (HH:MM)."})


def _flag(value: Any, field: str) -> bool:
    if isinstance(value, bool) or value is None:
        return bool(value)
    raise ValidationError({field: "Answer true or false."})


def _count(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError({field: f"Enter whole minutes from {low} to {high}."})
    return value


def _minutes(clock: dt.time) -> int:
    return clock.hour * 60 + clock.minute


# --- assignments ---------------------------------------------------------------------------

def assign_shift(actor: Membership, shift: ShiftType, *, member: Membership | None = None,
                 site: Site | None = None, starts_on: Any = None, ends_on: Any = None) -> ShiftAssignment:
    """Put one member (a manager: their reports) or one site on a shift type for a range of days."""
    _require_editor(actor)
    if shift.organization_id != actor.organization_id or not shift.active:
        raise ValidationError({"shift_type": "Choose an active shift of this organization."})
    if (member is None) == (site is None):
        raise ValidationError({"member": "Assign the shift to a member or to a site, not both."})
    if member is not None:
        if member.organization_id != actor.organization_id or not member.clocks_in:
            raise ValidationError({"member": "Choose a working member of this organization."})
        if actor.role not in ADMINISTRATORS and member.reports_to_id != actor.pk and member.pk != actor.pk:
            raise PermissionDenied("Managers assign shifts to their own reports.")
    if site is not None and (site.organization_id != actor.organization_id or not site.active):
        raise ValidationError({"site": "Choose an active site of this organization."})
    first = _date(starts_on, "starts_on")
    last = None if ends_on in (None, "") else _date(ends_on, "ends_on")
    if last is not None and last < first:
        raise ValidationError({"ends_on": "The assignment must end on or after its first day."})
    candidate = ShiftAssignment(organization_id=actor.organization_id, shift_type=shift, member=member,
                                site=site, starts_on=first, ends_on=last, ended_at=_ended_at(last))
    _check_overlap(candidate, Spec.of(shift))
    with transaction.atomic():
        candidate.save()
        audit.record(SHIFT_ASSIGNED, actor=actor.user_id, organization=actor.organization_id,
                     subject=member.user_id if member else None, target=candidate,
                     details={"shift_type": shift.pk, "site": site.pk if site else None})
    return candidate


def unassign_shift(actor: Membership, assignment: ShiftAssignment) -> None:
    _require_editor(actor)
    member: Any = assignment.member
    if assignment.organization_id != actor.organization_id:
        raise PermissionDenied
    if member is not None and actor.role not in ADMINISTRATORS and member.reports_to_id != actor.pk:
        raise PermissionDenied("Managers change their own reports' shifts.")
    with transaction.atomic():
        audit.record(SHIFT_UNASSIGNED, actor=actor.user_id, organization=actor.organization_id,
                     subject=member.user_id if member else None, target=assignment,
                     details={"shift_type": assignment.shift_type_id})
        assignment.delete()


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationError({field: "Enter a date (YYYY-MM-DD)."})


def _ended_at(last: dt.date | None) -> dt.datetime | None:
    """The end of the assignment's last day (UTC, a day's slack for any zone): retention counts from it."""
    if last is None:
        return None
    return dt.datetime.combine(last + dt.timedelta(days=2), dt.time(0), tzinfo=localtime.UTC)


def _same_target(candidate: ShiftAssignment) -> Any:
    qs = ShiftAssignment.objects.filter(organization_id=candidate.organization_id).select_related("shift_type")
    qs = qs.filter(member_id=candidate.member_id) if candidate.member_id else qs.filter(Q(site_id=candidate.site_id))
    return qs.exclude(pk=candidate.pk) if candidate.pk else qs


def _dates_meet(a: ShiftAssignment, b: ShiftAssignment) -> bool:
    far = dt.date.max
    return a.starts_on <= (b.ends_on or far) and b.starts_on <= (a.ends_on or far)


def _check_overlap(candidate: ShiftAssignment, spec: Spec) -> None:
    """The same member (or site) cannot be on two shifts at the same hours of the same days."""
    for other in _same_target(candidate):
        if other.shift_type.active and _dates_meet(candidate, other) and spec.overlaps(Spec.of(other.shift_type)):
            raise ValidationError({"starts_on": (
                f"Overlaps the assignment to {other.shift_type.name} from {other.starts_on:%Y-%m-%d}"
                f"{f' to {other.ends_on:%Y-%m-%d}' if other.ends_on else ''} on the same days and hours.")})


def _check_overlaps_after_change(actor: Membership, changed: ShiftType) -> None:
    """Changing a type's hours or days must not make two of anyone's assignments overlap."""
    spec = Spec.of(changed)
    for assignment in ShiftAssignment.objects.filter(shift_type_id=changed.pk).select_related("shift_type"):
        for other in _same_target(assignment):
            if other.shift_type_id == changed.pk or not other.shift_type.active:
                continue
            if _dates_meet(assignment, other) and spec.overlaps(Spec.of(other.shift_type)):
                raise ValidationError({"start": (
                    f"With these hours it would overlap {other.shift_type.name} for someone on both shifts.")})
