"""The demo organization's working time (`officium demo`, idempotent): Acme works in Berlin
time, with a second site in Lisbon (its own zone), a day and a night shift, and assignments."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from officium.accounts.models import Membership, Organization
from officium.attendance.models import Site
from officium.workforce.models import ShiftAssignment, ShiftType

SITES = [
    # (name, latitude, longitude, radius, zone: empty = the organization's)
    ("Berlin HQ", 52.5200, 13.4050, 150.0, ""),
    ("Lisbon depot", 38.7223, -9.1393, 200.0, "Europe/Lisbon"),
]
SHIFTS = [
    # (name, start, end, overnight, breaks, grace, weekdays)
    ("Early", dt.time(6), dt.time(14), False, 30, 5, [0, 1, 2, 3, 4]),
    ("Night", dt.time(22), dt.time(6), True, 45, 10, [0, 1, 2, 3]),
]
ASSIGNMENTS = [
    # (member email or site name, shift)
    ("member1@acme.example", "Early"),
    ("member2@acme.example", "Night"),
    ("Lisbon depot", "Early"),
]


@transaction.atomic
def seed_working_time(slug: str = "acme") -> None:
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        return
    if organization.time_zone != "Europe/Berlin":
        Organization.objects.filter(pk=organization.pk).update(time_zone="Europe/Berlin")
    sites = {}
    for name, latitude, longitude, radius, zone in SITES:
        sites[name], _ = Site.objects.get_or_create(
            organization=organization, name=name,
            defaults={"shape": "circle", "center_latitude": latitude, "center_longitude": longitude,
                      "radius_m": radius, "time_zone": zone})
    shifts = {}
    for name, start, end, overnight, breaks, grace, weekdays in SHIFTS:
        shifts[name], _ = ShiftType.objects.get_or_create(
            organization=organization, name=name,
            defaults={"start": start, "end": end, "overnight": overnight, "break_minutes": breaks,
                      "grace_minutes": grace, "weekdays": weekdays})
    first = (dt.date.today() - dt.timedelta(days=31)).replace(day=1)  # noqa: DTZ011  (a calendar date for the demo)
    for who, shift in ASSIGNMENTS:
        target = ({"site": sites[who]} if who in sites else
                  {"member": Membership.objects.filter(organization=organization, user__email=who).first()})
        if None in target.values():
            continue
        ShiftAssignment.objects.get_or_create(organization=organization, shift_type=shifts[shift],
                                              defaults={"starts_on": first}, **target)
    seed_month(slug)


# --- a month of attendance, leave and a correction (WT4-WT6) ---------------------------------

MONTH = [
    # (member email, site, local start, local end, overnight)
    ("member1@acme.example", "Berlin HQ", dt.time(6, 2), dt.time(14, 5), False),
    ("member2@acme.example", "Berlin HQ", dt.time(21, 55), dt.time(6, 10), True),
    ("manager@acme.example", "Lisbon depot", dt.time(6, 10), dt.time(14, 30), False),
]


@transaction.atomic
def seed_month(slug: str = "acme", today: dt.date | None = None) -> None:
    """The last 30 days of check-ins (weekdays; member2 on nights; the manager in Lisbon's
    zone), one forgotten check-out with its correction request, an approved and a pending
    leave request. A member who already has records in that month is left alone."""
    from officium.accounts import localtime
    from officium.attendance.models import AttendanceRecord
    from officium.workforce import shifts, timesheets
    from officium.workforce.models import Correction, LeaveRequest, LeaveType

    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        return
    today = today or dt.date.today()  # noqa: DTZ011  (a calendar date for the demo)
    first = today - dt.timedelta(days=30)
    sites = {s.name: s for s in Site.objects.filter(organization=organization)}
    annual, _ = LeaveType.objects.get_or_create(organization=organization, name="Annual leave",
                                                defaults={"yearly_days": 25, "carry_over_days": 5})
    for email, site_name, start, end, overnight in MONTH:
        member = Membership.objects.filter(organization=organization, user__email=email).select_related(
            "organization").first()
        site = sites.get(site_name)
        if member is None or site is None:
            continue
        if AttendanceRecord.objects.filter(member=member, occurred_at__date__gte=first).exists():
            continue
        tz = localtime.zone_for(organization, site)
        records: list[AttendanceRecord] = []
        days = [first + dt.timedelta(days=n) for n in range(30) if (first + dt.timedelta(days=n)).weekday() < 4]
        for index, day in enumerate(days):
            came = localtime.at_local(day, start, tz)
            left = localtime.at_local(day + dt.timedelta(days=1) if overnight else day, end, tz)
            moments = [("in", came)] + ([] if index == 3 and email.startswith("member1") else [("out", left)])
            for direction, at in moments:
                placed = shifts.plan_for(organization.pk, member.pk, [site.pk]).place(direction, at, tz, site.pk)
                records.append(AttendanceRecord(
                    organization=organization, member=member, direction=direction, occurred_at=at,
                    verdict="inside", accepted=True, site=site, work_day=placed.work_day,
                    shift_status=placed.status))
        AttendanceRecord.objects.bulk_create(records)
        timesheets.recompute(member, days)
        if email.startswith("member1"):
            forgotten = next(r for r in AttendanceRecord.objects.filter(member=member, work_day=days[3])
                             .order_by("occurred_at"))
            Correction.objects.create(organization=organization, member=member, kind="missing_check_out",
                                      original=forgotten, direction="out",
                                      occurred_at=localtime.at_local(days[3], end, tz),
                                      reason="Forgot to check out after the early shift.")
        leave_day = today + dt.timedelta(days=14 if email.startswith("member1") else 21)
        leave_day += dt.timedelta(days=(7 - leave_day.weekday()) % 7)  # a Monday and Tuesday
        if email.startswith("member") and not LeaveRequest.objects.filter(member=member).exists():
            LeaveRequest.objects.create(
                organization=organization, member=member, leave_type=annual, starts_on=leave_day,
                ends_on=leave_day + dt.timedelta(days=1), days=2,
                state="approved" if email.startswith("member1") else "pending",
                decided_by=member.reports_to if email.startswith("member1") else None,
                ended_at=localtime.day_bounds(leave_day + dt.timedelta(days=1), tz)[1],
                reason="Family visit")


# --- today, and the smaller second organization (UX1) ----------------------------------------

TODAY = [
    # (organization, member email, site, local time checked in this morning)
    ("acme", "member1@acme.example", "Berlin HQ", dt.time(6, 4)),
    ("acme", "manager@acme.example", "Lisbon depot", dt.time(7, 12)),
    ("globex", "member@globex.example", "Paris office", dt.time(8, 55)),
]


@transaction.atomic
def seed_today() -> None:
    """Who is in right now: a few check-ins this morning (local time of each site); Globex gets
    its one site and a week of its member's days. Nothing is added twice."""
    from django.utils import timezone

    from officium.accounts import localtime
    from officium.attendance.models import AttendanceRecord
    from officium.workforce import shifts, timesheets

    globex = Organization.objects.filter(slug="globex").first()
    if globex is not None:
        Site.objects.get_or_create(organization=globex, name="Paris office", defaults={
            "shape": "circle", "center_latitude": 48.8698, "center_longitude": 2.3319, "radius_m": 120.0})
    now = timezone.now()
    for slug, email, site_name, start in TODAY:
        member = Membership.objects.filter(organization__slug=slug, user__email=email).select_related("organization").first()
        site = Site.objects.filter(organization__slug=slug, name=site_name).first()
        if member is None or site is None:
            continue
        tz = localtime.zone_for(member.organization, site)
        today = localtime.local_day(now, tz)
        days = [today - dt.timedelta(days=n) for n in range(7, 0, -1)] if slug == "globex" else []
        moments: list[tuple[dt.date, dt.datetime, dt.datetime | None]] = [
            (d, localtime.at_local(d, start, tz), localtime.at_local(d, dt.time(17, 30), tz)) for d in days]
        came_today = localtime.at_local(today, start, tz)
        if came_today > now:
            came_today = now - dt.timedelta(minutes=20)
        moments.append((today, came_today, None))
        if AttendanceRecord.objects.filter(member=member, occurred_at__gte=moments[0][1] - dt.timedelta(hours=1)).exists():
            continue
        plan = shifts.plan_for(member.organization.pk, member.pk, [site.pk])
        records = []
        for _day, came, left in moments:
            for direction, at in [("in", came)] + ([("out", left)] if left else []):
                placed = plan.place(direction, at, tz, site.pk)
                records.append(AttendanceRecord(
                    organization=member.organization, member=member, direction=direction, occurred_at=at,
                    verdict="inside", accepted=True, site=site, work_day=placed.work_day, shift_status=placed.status))
        AttendanceRecord.objects.bulk_create(records)
        timesheets.recompute(member, [d for d, _, _ in moments])
