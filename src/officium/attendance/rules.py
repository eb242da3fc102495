"""Who may read which rows, registered with the engine's purpose-bound access (SE1, LO1).

- check-in records (in/out, times, verdicts): your own; your reports'; everyone's for owners
  and administrators;
- coordinates (location events, presence): your own; your reports' only when an
  administrator gave you ``can_see_report_locations``; nobody else's, administrators included;
- devices: your own, your reports', everyone's for administrators;
- notifications: the recipient's; location requests: the member's and the requester's.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from officium.accounts.models import Membership
from officium.accounts.roles import ADMINISTRATORS
from officium.privacy.access import AccessContext, add_rule


def records(context: AccessContext, qs: QuerySet[Any]) -> QuerySet[Any]:
    actor = context.actor
    if actor.role in ADMINISTRATORS:
        return qs
    return qs.filter(Q(member=actor) | Q(member__reports_to=actor))


def locations(context: AccessContext, qs: QuerySet[Any]) -> QuerySet[Any]:
    actor = context.actor
    allowed = Q(member=actor)
    if isinstance(actor, Membership) and actor.can_see_report_locations:
        allowed |= Q(member__reports_to=actor)
    return qs.filter(allowed)


def own(context: AccessContext, qs: QuerySet[Any]) -> QuerySet[Any]:
    return qs.filter(member=context.actor)


def received(context: AccessContext, qs: QuerySet[Any]) -> QuerySet[Any]:
    return qs.filter(recipient=context.actor)


def requests(context: AccessContext, qs: QuerySet[Any]) -> QuerySet[Any]:
    return qs.filter(Q(member=context.actor) | Q(requested_by=context.actor))


def can_manage_member(actor: Membership, member: Membership) -> bool:
    """Administrators, and the member's own reporting manager, manage a member's devices."""
    return actor.role in ADMINISTRATORS or member.reports_to_id == actor.pk


def register() -> None:
    from officium.attendance import models as m

    add_rule(m.AttendanceRecord, records)
    add_rule(m.LocationEvent, locations)
    add_rule(m.SitePresence, locations)
    add_rule(m.Device, records)
    add_rule(m.PrivacyModeChange, own)
    add_rule(m.Notification, received)
    add_rule(m.LocationRequest, requests)
