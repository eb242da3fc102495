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
    first = dt.date.today().replace(day=1)  # noqa: DTZ011  (a calendar date for the demo)
    for who, shift in ASSIGNMENTS:
        target = ({"site": sites[who]} if who in sites else
                  {"member": Membership.objects.filter(organization=organization, user__email=who).first()})
        if None in target.values():
            continue
        ShiftAssignment.objects.get_or_create(organization=organization, shift_type=shifts[shift],
                                              defaults={"starts_on": first}, **target)
