"""Arrival estimates for a task's customer (FW7).

When an assignee sets off (en route), the customer gets an email with an estimate computed
from the assignee's last fixes and the task's destination (its own point, or its site):
straight-line distance over the speed between the last two fixes, or a town speed when
there is only one. Later located reports, and plain location syncs of the assignee on the
way (throttled, ``after_fix``), update it when it moves by more than ``MARGIN_MINUTES``. Never coordinates, no geocoder; an opt-out link in every message.
"""

from __future__ import annotations

import datetime as dt
import math

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from officium.accounts import localtime
from officium.accounts.emails import send_service_email
from officium.accounts.models import Membership
from officium.attendance import coordinates
from officium.attendance.coordinates import Fix
from officium.attendance.geofence import haversine_m
from officium.attendance.models import LocationEvent, LocationStatus
from officium.db import Prepared
from officium.fieldwork import audit_events as ev
from officium.fieldwork.models import Customer, Status, Task
from officium.privacy import audit

MARGIN_MINUTES = 10
TOWN_SPEED_MPS = 30 / 3.6
MIN_SPEED_MPS, MAX_SPEED_MPS = 2.0, 35.0
FRESH = dt.timedelta(minutes=30)
HORIZON_MINUTES = 24 * 60
THROTTLE = dt.timedelta(minutes=2)

# Asked on every check-in and located sync (``after_fix``), nearly always answering nothing:
# compiled once per connection (``officium.db.Prepared``), ids only.
_ON_THE_WAY = Prepared(lambda org, member: Task.objects.filter(
    organization_id=org, status=Status.EN_ROUTE, assignments__member_id=member, eta_sent_at__isnull=False,
    customer__isnull=False).values_list("pk"), kinds=(int, int), convert=False)


def destination(task: Task) -> tuple[float, float] | None:
    if task.destination_latitude is not None and task.destination_longitude is not None:
        return task.destination_latitude, task.destination_longitude
    site = task.site
    if site is None:
        return None
    if site.center_latitude is not None and site.center_longitude is not None:
        return site.center_latitude, site.center_longitude
    if site.polygon:
        lats, lons = zip(*site.polygon, strict=True)
        return sum(lats) / len(lats), sum(lons) / len(lons)
    return None


def last_fixes(member: Membership, count: int = 2) -> list[tuple[Fix, dt.datetime]]:
    rows = list(LocationEvent.objects.filter(member=member, location_status=LocationStatus.RECORDED)
                .order_by("-occurred_at", "-pk").values_list("occurred_at", *coordinates.VALUE_FIELDS)[:count])
    fixes = coordinates.open_rows(LocationEvent, member.user_id, [r[1:] for r in rows])
    return [(fix, row[0]) for fix, row in zip(fixes, rows, strict=True) if fix is not None]


def estimate(fixes: list[tuple[Fix, dt.datetime]], target: tuple[float, float]) -> int | None:
    """Minutes to ``target`` from the newest fix; None without a fix or beyond a day."""
    if not fixes:
        return None
    (last, at), speed = fixes[0], TOWN_SPEED_MPS
    if len(fixes) > 1 and dt.timedelta(0) < at - fixes[1][1] <= FRESH:
        moved = haversine_m(fixes[1][0].latitude, fixes[1][0].longitude, last.latitude, last.longitude)
        measured = moved / (at - fixes[1][1]).total_seconds()
        if measured >= MIN_SPEED_MPS:
            speed = min(measured, MAX_SPEED_MPS)
    distance = haversine_m(last.latitude, last.longitude, *target)
    minutes = max(1, math.ceil(distance / speed / 60))
    return minutes if minutes <= HORIZON_MINUTES else None


def after_entry(task: Task, member: Membership, status: str) -> None:
    """Called inside the entry's transaction: a first estimate when the member sets off, an
    update when a later fix moves it by more than the margin."""
    if status == Status.EN_ROUTE:
        send(task, member, first=True)
    elif not status and task.status == Status.EN_ROUTE and task.eta_sent_at is not None:
        send(task, member, first=False)


def after_fix(member: Membership, at: dt.datetime) -> None:
    """A plain location sync or check-in (no task entry) with a recorded fix: each task the
    member is on the way to (en route, customer already told) gets its estimate checked again,
    at most once per ``THROTTLE`` however often the phone syncs, and the customer is told only
    when it moved by more than the margin. Only fixes the member's device profile and privacy
    mode let the server record get here (``attendance.fixes``): the estimate serves the
    task's service to its customer, from the location the member's work records already carry."""
    now = timezone.now()
    if now - at > FRESH:
        return  # an old fix replayed from an offline queue says nothing about the way now
    for (task_id,) in _ON_THE_WAY.rows(member.organization_id, member.pk):
        claimed = Task.objects.filter(pk=task_id).filter(
            Q(eta_checked_at__isnull=True) | Q(eta_checked_at__lte=now - THROTTLE)).update(eta_checked_at=now)
        if claimed:  # this sync re-estimates; a concurrent one within the throttle does not
            send(Task.objects.get(pk=task_id), member, first=False)


def send(task: Task, member: Membership, *, first: bool) -> bool:
    customer = Customer.objects.filter(pk=task.customer_id).first() if task.customer_id else None
    target = destination(task)
    if customer is None or not customer.email or customer.eta_opt_out or target is None:
        return False
    minutes = estimate(last_fixes(member), target)
    if minutes is None:
        return False
    if not first and task.eta_minutes is not None and abs(minutes - task.eta_minutes) <= MARGIN_MINUTES:
        return False
    now = dt.datetime.now(dt.UTC)
    zone = localtime.zone_for(member.organization, task.site)
    arrival = now + dt.timedelta(minutes=minutes)
    Task.objects.filter(pk=task.pk).update(eta_minutes=minutes, eta_sent_at=now, eta_checked_at=now)
    task.eta_minutes, task.eta_sent_at = minutes, now
    send_service_email(customer.email, "fieldwork_eta", {
        "customer": customer.name, "organization": member.organization.name, "task": task.title,
        "minutes": minutes, "arrival": localtime.format_datetime(arrival, zone), "update": not first,
        "opt_out_path": reverse("fieldwork:eta_opt_out", kwargs={"token": customer.opt_out_token})},
        organization_id=task.organization_id)
    audit.record(ev.ETA_SENT, actor=member.user_id, organization=task.organization_id, target=task,
                 details={"minutes": minutes, "update": not first})
    return True


def opt_out(token: str) -> Customer | None:
    """The customer's one-click opt-out from the link in the message."""
    with transaction.atomic():
        customer = Customer.objects.select_for_update().filter(opt_out_token=token).first()
        if customer is None:
            return None
        if not customer.eta_opt_out:
            Customer.objects.filter(pk=customer.pk).update(eta_opt_out=True)
            audit.record(ev.ETA_OPTED_OUT, organization=customer.organization_id, target=customer)
    return customer
