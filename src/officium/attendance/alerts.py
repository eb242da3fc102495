"""Geofence enter/exit alerts and ETA notifications (LO4), in the app and by email.

They go to the people entitled to a member's whereabouts: the member's reporting manager when
an administrator gave them the right to see report locations, and the administrators. The
email is service mail, sent after commit; it names the member and the site, never coordinates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from officium.accounts.emails import send_service_email
from officium.accounts.models import Membership
from officium.accounts.roles import ADMINISTRATORS
from officium.attendance.coordinates import Fix
from officium.attendance.geofence import Fence, Verdict
from officium.attendance.models import AlertKind, Notification, Site, SitePresence
from officium.db import Prepared
from officium.notifications import services as inbox

# Read on every check-in with a location: compiled once per connection (officium.db.Prepared).
_PRESENCE = Prepared(lambda member: SitePresence.objects.filter(member_id=member).values_list(
    "pk", "site_id", "inside", "changed_at"))


class _Presence(NamedTuple):
    pk: int
    inside: bool
    changed_at: datetime


ETA_MIN_CLOSING_SPEED_MPS = 0.5
ETA_HORIZON_MINUTES = 180
ETA_REPEAT_AFTER = timedelta(minutes=30)


def entitled_recipients(member: Membership) -> list[Membership]:
    """Who is told where ``member`` comes and goes: their manager with the right, and admins."""
    people = {m.pk: m for m in Membership.objects.select_related("user").filter(
        organization_id=member.organization_id, role__in=ADMINISTRATORS).exclude(pk=member.pk)}
    manager = member.reports_to
    if manager is not None and manager.can_see_report_locations and manager.pk != member.pk:
        people.setdefault(manager.pk, manager)
    return list(people.values())


def fences_of(organization_id: int) -> list[Fence]:
    return [Fence(site) for site in Site.objects.filter(organization_id=organization_id, active=True)]


def track(member: Membership, fix: Fix, at: datetime, previous: tuple[Fix, datetime] | None,
          fences: Sequence[Fence] | None = None) -> list[Notification]:
    """Compare a member's newest fix with where they were; alert on entering, leaving, approaching.

    Runs inside the caller's transaction; undecided verdicts change nothing.
    """
    fences = fences_of(member.organization_id) if fences is None else fences
    if not fences:
        return []
    presence = {site_id: _Presence(pk, inside, changed_at)
                for pk, site_id, inside, changed_at in _PRESENCE.rows(member.pk)}
    alerts: list[tuple[str, Site, int | None]] = []
    for fence in fences:
        verdict, _ = fence.judge(fix)
        if verdict == Verdict.UNDECIDED:
            continue
        inside = verdict == Verdict.INSIDE
        known = presence.get(fence.site.pk)
        if known is None:
            SitePresence.objects.create(organization_id=member.organization_id, member=member,
                                        site=fence.site, inside=inside, changed_at=at)
            if inside:
                alerts.append((AlertKind.ENTER, fence.site, None))
        elif known.inside != inside and at >= known.changed_at:
            SitePresence.objects.filter(pk=known.pk).update(inside=inside, changed_at=at)
            alerts.append((AlertKind.ENTER if inside else AlertKind.EXIT, fence.site, None))
        if not inside and previous is not None:
            eta = eta_minutes(fence, previous, (fix, at))
            if eta is not None and not _recent_eta(member, fence.site, at):
                alerts.append((AlertKind.ETA, fence.site, eta))
    return notify(member, alerts)


def eta_minutes(fence: Fence, earlier: tuple[Fix, datetime], later: tuple[Fix, datetime]) -> int | None:
    """Minutes to reach the fence at the speed the member closed in between two fixes."""
    seconds = (later[1] - earlier[1]).total_seconds()
    if seconds <= 0:
        return None
    before, now = fence.distance_outside(earlier[0]), fence.distance_outside(later[0])
    closing = (before - now) / seconds
    if now <= 0 or closing < ETA_MIN_CLOSING_SPEED_MPS:
        return None
    minutes = math.ceil(now / closing / 60)
    return minutes if minutes <= ETA_HORIZON_MINUTES else None


def _recent_eta(member: Membership, site: Site, at: datetime) -> bool:
    return Notification.objects.filter(member=member, site=site, kind=AlertKind.ETA,
                                       created_at__gte=at - ETA_REPEAT_AFTER).exists()


def notify(member: Membership, alerts: Sequence[tuple[str, Site, int | None]]) -> list[Notification]:
    if not alerts:
        return []
    recipients = entitled_recipients(member)
    now = timezone.now()
    rows = Notification.objects.bulk_create([
        Notification(organization_id=member.organization_id, recipient=recipient, member=member,
                     kind=kind, site=site, eta_minutes=eta, created_at=now)
        for kind, site, eta in alerts for recipient in recipients])
    name = member.user.get_full_name() or member.user.email
    for kind, site, eta in alerts:
        for recipient in recipients:
            path = f"/o/{member.organization.slug}/attendance/notifications/"
            send_service_email(recipient.user.email, "attendance_alert", {
                "member_name": name, "site": site.name, "kind": kind, "eta_minutes": eta,
                "organization": member.organization, "path": path})
            inbox.notify(recipient.user, member.organization, f"attendance.{kind}",
                         f"{name}: {AlertKind(kind).label.lower()} {site.name}"
                         + (f" in about {eta} min" if eta is not None else ""), url=path)  # UX4
    return rows


def mark_read(actor: Membership) -> int:
    with transaction.atomic():
        return Notification.objects.filter(recipient=actor, read_at=None).update(read_at=timezone.now())
