"""Leave and holidays (WT6).

Leave types carry a yearly allowance in working days and how many unused days carry into the
next year. A member asks their reporting manager for leave; pending and approved requests
count against the balance, so a request beyond it, or overlapping another, is refused (400
naming the field, nothing written). Holidays belong to the organization or one site; they are
entered one by one or imported from an iCalendar file (``icalendar`` parses it). Timesheets
count both: approved leave and holidays are rebuilt into the days they cover.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from officium.accounts import localtime
from officium.accounts.emails import send_service_email
from officium.accounts.models import Membership
from officium.accounts.roles import ADMINISTRATORS
from officium.attendance import purposes
from officium.attendance.models import Site
from officium.notifications.services import notify
from officium.privacy import audit
from officium.workforce import timesheets
from officium.workforce.audit_events import (
    HOLIDAYS_SAVED,
    LEAVE_APPROVED,
    LEAVE_CANCELLED,
    LEAVE_REJECTED,
    LEAVE_REQUESTED,
    LEAVE_TYPE_SAVED,
)
from officium.workforce.models import Holiday, LeaveRequest, LeaveType, RequestState

MAX_LEAVE_DAYS = 366
MAX_ICAL_BYTES = 512 * 1024
COUNTED = (RequestState.PENDING, RequestState.APPROVED)


def _require_admin(actor: Membership) -> None:
    if actor.role not in ADMINISTRATORS:
        raise PermissionDenied("Only owners and administrators keep leave types and holidays.")


def _days_value(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        raise ValidationError({field: "Enter a number of days (0 to 366, halves allowed)."}) from None
    if isinstance(value, bool) or not number.is_finite() or not 0 <= number <= MAX_LEAVE_DAYS or number * 2 % 1:
        raise ValidationError({field: "Enter a number of days (0 to 366, halves allowed)."})
    return number


def save_leave_type(actor: Membership, data: dict[str, Any], leave_type: LeaveType | None = None) -> LeaveType:
    _require_admin(actor)
    name = str(data.get("name") or "").strip()
    if not name or len(name) > 80:
        raise ValidationError({"name": "Name the leave type (1-80 characters)."})
    yearly = _days_value(data.get("yearly_days", 0), "yearly_days")
    carry = _days_value(data.get("carry_over_days", 0), "carry_over_days")
    with transaction.atomic():
        leave_type = leave_type or LeaveType(organization_id=actor.organization_id)
        leave_type.name, leave_type.yearly_days, leave_type.carry_over_days = name, yearly, carry
        leave_type.save()
        audit.record(LEAVE_TYPE_SAVED, actor=actor.user_id, organization=actor.organization_id,
                     target=leave_type, details={"yearly_days": str(yearly), "carry_over_days": str(carry)})
    return leave_type


def holidays_between(organization_id: int, first: dt.date, last: dt.date) -> set[dt.date]:
    return set(Holiday.objects.filter(organization_id=organization_id, site__isnull=True,
                                      day__gte=first, day__lte=last).values_list("day", flat=True))


def working_days(organization_id: int, first: dt.date, last: dt.date) -> Decimal:
    """Monday to Friday between the two days, holidays of the organization left out."""
    off = holidays_between(organization_id, first, last)
    count = sum(1 for n in range((last - first).days + 1)
                if (d := first + dt.timedelta(days=n)).weekday() < 5 and d not in off)
    return Decimal(count)


def _used(member_id: int, leave_type_id: int, year: int, states: tuple[str, ...] = COUNTED) -> Decimal:
    total = LeaveRequest.objects.filter(member_id=member_id, leave_type_id=leave_type_id, state__in=states,
                                        starts_on__year=year).aggregate(s=Sum("days"))["s"]
    return Decimal(total or 0)


def allowance(member: Membership, leave_type: LeaveType, year: int) -> Decimal:
    """The year's days plus what carries over from last year (at most ``carry_over_days``,
    and only when the leave type existed last year)."""
    if leave_type.created_at.year >= year:
        return leave_type.yearly_days
    last_year_left = leave_type.yearly_days - _used(member.pk, leave_type.pk, year - 1, (RequestState.APPROVED,))
    return leave_type.yearly_days + max(Decimal(0), min(leave_type.carry_over_days, last_year_left))


def balances(member: Membership, year: int) -> list[dict[str, Any]]:
    out = []
    for leave_type in LeaveType.objects.filter(organization_id=member.organization_id, active=True):
        total = allowance(member, leave_type, year)
        taken = _used(member.pk, leave_type.pk, year, (RequestState.APPROVED,))
        pending = _used(member.pk, leave_type.pk, year, (RequestState.PENDING,))
        out.append({"leave_type_id": leave_type.pk, "name": leave_type.name, "year": year,
                    "allowance": float(total), "taken": float(taken), "pending": float(pending),
                    "remaining": float(total - taken - pending)})
    return out


def request_leave(member: Membership, data: dict[str, Any]) -> LeaveRequest:
    """The member's own request to their reporting manager."""
    if not member.clocks_in:
        raise PermissionDenied("Only working members ask for leave.")
    type_id = data.get("leave_type_id")
    leave_type = LeaveType.objects.filter(pk=type_id, organization_id=member.organization_id, active=True
                                          ).first() if isinstance(type_id, int) and not isinstance(type_id, bool) else None
    if leave_type is None:
        raise ValidationError({"leave_type_id": "Choose a leave type of this organization."})
    first = timesheets.parse_day(data.get("starts_on"), "starts_on")
    last = timesheets.parse_day(data.get("ends_on"), "ends_on")
    if last < first:
        raise ValidationError({"ends_on": "Leave ends on or after its first day."})
    if first.year != last.year:
        raise ValidationError({"ends_on": "Ask for each calendar year separately."})
    reason = str(data.get("reason") or "").strip()
    if len(reason) > 500:
        raise ValidationError({"reason": "Keep the reason under 500 characters."})
    days = working_days(member.organization_id, first, last)
    if days == 0:
        raise ValidationError({"starts_on": "These days hold no working day."})
    if LeaveRequest.objects.filter(member_id=member.pk, state__in=COUNTED, starts_on__lte=last,
                                   ends_on__gte=first).exists():
        raise ValidationError({"starts_on": "Overlaps another leave request of yours."})
    remaining = allowance(member, leave_type, first.year) - _used(member.pk, leave_type.pk, first.year)
    if days > remaining:
        raise ValidationError({"ends_on": f"{_text(days)} working days asked, {_text(remaining)} left of "
                                          f"{leave_type.name}."})
    tz = localtime.zone_for(member.organization)
    with transaction.atomic():
        made = LeaveRequest.objects.create(
            organization_id=member.organization_id, member=member, leave_type=leave_type, starts_on=first,
            ends_on=last, days=days, reason=reason,
            ended_at=localtime.day_bounds(last, tz)[1])
        audit.record(LEAVE_REQUESTED, actor=member.user_id, organization=member.organization_id,
                     subject=member.user_id, target=made, details={"days": str(days)})
        manager = member.reports_to
        if manager is not None:
            send_service_email(manager.user.email, "leave_requested", _mail(made), organization_id=member.organization_id)
            notify(manager.user, member.organization, "leave.requested",
                   f"{member.user} asked for {_text(made.days)} day{'s' if made.days != 1 else ''} of {leave_type.name}",
                   url=reverse("workforce:requests", kwargs={"org": member.organization.slug}))
    return made


def _text(days: Decimal) -> str:
    """5.0 -> "5", 2.5 -> "2.5" (a person reads days, not decimals)."""
    return format(days.normalize(), "f")


def _timesheets_url(member: Membership) -> str:
    return reverse("workforce:timesheets", kwargs={"org": member.organization.slug})


def _mail(made: LeaveRequest) -> dict[str, Any]:
    return {"organization": made.member.organization.name, "leave_type": made.leave_type.name,
            "starts_on": made.starts_on.isoformat(), "ends_on": made.ends_on.isoformat(), "days": made.days}


def waiting_queryset(actor: Membership) -> Any:
    """Leave requests waiting for the actor: their reports', everyone's for administrators."""
    return (LeaveRequest.objects.for_purpose(actor, purposes.location()).filter(state=RequestState.PENDING)
            .filter(timesheets.approvable_q(actor))
            .select_related("member__user", "leave_type"))


def pending_for(actor: Membership, limit: int = 20) -> list[LeaveRequest]:
    """The earliest few waiting for the actor (the timesheet page; the requests page pages them all)."""
    return list(waiting_queryset(actor).order_by("starts_on", "pk")[:limit])


def own_queryset(member: Membership) -> Any:
    return LeaveRequest.objects.filter(member_id=member.pk).select_related("leave_type")


def decide(actor: Membership, made: LeaveRequest, decision: str) -> LeaveRequest:
    member: Any = made.member
    if made.organization_id != actor.organization_id:
        raise PermissionDenied
    if not timesheets.can_approve(actor, member):
        raise PermissionDenied("Only the member's manager or an administrator decides this.")
    if decision not in ("approve", "reject"):
        raise ValidationError({"decision": "Choose approve or reject."})
    state = RequestState.APPROVED if decision == "approve" else RequestState.REJECTED
    with transaction.atomic():
        if not LeaveRequest.objects.filter(pk=made.pk, state=RequestState.PENDING).update(
                state=state, decided_by=actor, decided_at=timezone.now()):
            raise ValidationError({"decision": "This request was already decided."})
        made.state = state
        audit.record(LEAVE_APPROVED if state == RequestState.APPROVED else LEAVE_REJECTED, actor=actor.user_id,
                     organization=actor.organization_id, subject=member.user_id, target=made,
                     details={"days": str(made.days)})
        if state == RequestState.APPROVED:
            timesheets.recompute(member, timesheets.Period(made.starts_on, made.ends_on).days)
        send_service_email(member.user.email, "leave_decided", {**_mail(made), "approved": state == RequestState.APPROVED},
                           organization_id=member.organization_id)
        notify(member.user, member.organization, f"leave.{state}",
               f"Your {made.leave_type.name.lower()} from {made.starts_on:%Y-%m-%d} was {state}",
               url=_timesheets_url(member))
    return made


def cancel(member: Membership, made: LeaveRequest) -> LeaveRequest:
    """The member withdraws their own request: a pending one, or an approved one that has not
    started yet (its days are rebuilt without the leave). The manager is told by email."""
    if made.member_id != member.pk:
        raise PermissionDenied("Only the member who asked withdraws a request.")
    today = localtime.local_day(timezone.now(), localtime.zone_for(member.organization))
    if made.state == RequestState.APPROVED and made.starts_on <= today:
        raise ValidationError({"state": "This leave has started; ask your manager to change it."})
    with transaction.atomic():
        if not LeaveRequest.objects.filter(pk=made.pk, state__in=COUNTED).update(state=RequestState.CANCELLED):
            raise ValidationError({"state": "This request was already decided or withdrawn."})
        was_approved = made.state == RequestState.APPROVED
        made.state = RequestState.CANCELLED
        audit.record(LEAVE_CANCELLED, actor=member.user_id, organization=member.organization_id,
                     subject=member.user_id, target=made, details={"days": str(made.days)})
        if was_approved:
            timesheets.recompute(member, timesheets.Period(made.starts_on, made.ends_on).days)
        manager = member.reports_to
        if manager is not None:
            send_service_email(manager.user.email, "leave_cancelled", _mail(made),
                               organization_id=member.organization_id)
    return made


# --- holidays --------------------------------------------------------------------------------

def _site(actor: Membership, site_id: Any) -> Site | None:
    if site_id in (None, ""):
        return None
    site = Site.objects.filter(pk=site_id, organization_id=actor.organization_id).first() if str(
        site_id).isdigit() else None
    if site is None:
        raise ValidationError({"site_id": "Choose a site of this organization."})
    return site


def save_holidays(actor: Membership, entries: list[tuple[dt.date, str]], site: Site | None) -> int:
    """Store holidays (a day already there is renamed) and rebuild the timesheet days they touch."""
    _require_admin(actor)
    with transaction.atomic():
        for day, name in entries:
            Holiday.objects.update_or_create(organization_id=actor.organization_id, site=site, day=day,
                                             defaults={"name": name[:120]})
        audit.record(HOLIDAYS_SAVED, actor=actor.user_id, organization=actor.organization_id,
                     details={"count": len(entries), "site": site.pk if site else None})
        from officium.workforce.models import TimesheetDay

        days = {d for d, _ in entries}
        touched: dict[int, set[dt.date]] = {}
        for member_id, day in TimesheetDay.objects.filter(organization_id=actor.organization_id,
                                                          day__in=days).values_list("member_id", "day"):
            touched.setdefault(member_id, set()).add(day)
        for member in Membership.objects.filter(pk__in=touched).select_related("organization"):
            timesheets.recompute(member, touched[member.pk])
    return len(entries)


def add_holiday(actor: Membership, data: dict[str, Any]) -> int:
    day = timesheets.parse_day(data.get("day"), "day")
    name = str(data.get("name") or "").strip()
    if not name or len(name) > 120:
        raise ValidationError({"name": "Name the holiday (1-120 characters)."})
    _require_admin(actor)
    return save_holidays(actor, [(day, name)], _site(actor, data.get("site_id")))


def import_ical(actor: Membership, content: bytes, site_id: Any = None) -> int:
    """Holidays from an iCalendar file's all-day (or dated) events; anything else is a 400
    naming ``file`` and nothing is written."""
    _require_admin(actor)
    site = _site(actor, site_id)
    if not content or len(content) > MAX_ICAL_BYTES:
        raise ValidationError({"file": "Upload an iCalendar (.ics) file of at most 512 KB."})
    import icalendar

    try:
        calendar = icalendar.Calendar.from_ical(content.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError, IndexError, KeyError):
        raise ValidationError({"file": "This is not an iCalendar (.ics) file."}) from None
    if getattr(calendar, "name", "") != "VCALENDAR":
        raise ValidationError({"file": "This is not an iCalendar (.ics) file."})
    entries: list[tuple[dt.date, str]] = []
    for event in calendar.walk("VEVENT"):
        start = event.get("DTSTART")
        if start is None:
            continue
        value = start.dt
        day = value.date() if isinstance(value, dt.datetime) else value
        name = str(event.get("SUMMARY") or "Holiday").strip() or "Holiday"
        entries.append((day, name))
    if not entries:
        raise ValidationError({"file": "The calendar holds no dated events."})
    return save_holidays(actor, entries, site)
