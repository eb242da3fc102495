"""Reads of this app's personal data for people, all through ``for_purpose`` (SE1).

A record's coordinates are attached only when the reader's purpose-bound queryset of location
events returns them; fetching them writes the audit entries the subject sees.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from officium.accounts.models import Membership
from officium.attendance import alerts, coordinates, purposes
from officium.attendance.geofence import Fence
from officium.attendance.models import (
    AttendanceRecord,
    Device,
    LocationEvent,
    LocationStatus,
    Notification,
    PrivacyModeChange,
    Site,
)
from officium.privacy.audit.models import AuditEntry
from officium.privacy.audit_events import SENSITIVE_READ

READ_EVENT = SENSITIVE_READ.name


def records(actor: Membership, *, limit: int = 200, member_id: int | None = None) -> list[AttendanceRecord]:
    """Check-in records the actor may see; ``visible_fix`` set where they may see the location."""
    purpose = purposes.location()
    qs = AttendanceRecord.objects.for_purpose(actor, purpose).select_related("member__user", "site")
    if member_id is not None:
        qs = qs.filter(member_id=member_id)
    rows = list(qs[:limit])
    wanted = [r.location_id for r in rows if r.location_id is not None]
    fixes: dict[int | None, Any] = {}
    if wanted:
        events = LocationEvent.objects.for_purpose(actor, purpose).select_related("member").filter(
            pk__in=wanted, location_status=LocationStatus.RECORDED)
        fixes = {e.pk: coordinates.point_of(e) for e in events}
    for row in rows:
        row.visible_fix = fixes.get(row.location_id)  # type: ignore[attr-defined]
    return rows


def events(actor: Membership, *, limit: int = 500, member_id: int | None = None) -> list[LocationEvent]:
    qs = LocationEvent.objects.for_purpose(actor, purposes.location()).select_related("member__user")
    if member_id is not None:
        qs = qs.filter(member_id=member_id)
    return list(qs.order_by("-occurred_at", "-pk")[:limit])


def eta(actor: Membership, member: Membership, site: Site) -> int | None:
    """Minutes for ``member`` to reach ``site`` from their last two fixes the actor may see."""
    fixes = [(e.fix, e.occurred_at) for e in LocationEvent.objects.for_purpose(actor, purposes.location())
             .select_related("member").filter(member=member, location_status=LocationStatus.RECORDED)
             .order_by("-occurred_at", "-pk")[:2]]
    if member.pk != actor.pk and not fixes:
        raise PermissionDenied("You may not see this member's location.")
    if len(fixes) < 2 or fixes[0][0] is None or fixes[1][0] is None:  # None: shredded
        return None
    return alerts.eta_minutes(Fence(site), fixes[1], fixes[0])  # type: ignore[arg-type]


def devices(actor: Membership) -> list[Device]:
    return list(Device.objects.for_purpose(actor, purposes.devices()).select_related("member__user"))


def notifications(actor: Membership, limit: int = 100) -> list[Notification]:
    return list(Notification.objects.for_purpose(actor, purposes.location())
                .select_related("member__user", "site")[:limit])


def privacy_history(actor: Membership, limit: int = 50) -> list[PrivacyModeChange]:
    return list(PrivacyModeChange.objects.for_purpose(actor, purposes.privacy_choices())
                .order_by("-changed_at", "-pk")[:limit])


def location_reads(actor: Membership, limit: int = 200) -> list[dict[str, Any]]:
    """Who read the actor's location in this organization (SE1): when, who, for what."""
    entries = list(AuditEntry.objects.filter(
        event=READ_EVENT, subject_id=actor.user_id, organization_id=actor.organization_id,
        target_type__startswith="attendance.").order_by("-created_at", "-id")[:limit])
    readers: dict[int | None, Membership] = {m.user_id: m for m in Membership.objects.select_related("user").filter(
        organization_id=actor.organization_id, user_id__in={e.actor_id for e in entries})}
    rows = []
    for entry in entries:
        reader = readers.get(entry.actor_id)
        rows.append({"at": entry.created_at, "reader_id": entry.actor_id,
                     "reader": (reader.user.get_full_name() or reader.user.email) if reader else "A former member",
                     "role": reader.get_role_display() if reader else "",
                     "is_self": entry.actor_id == actor.user_id,
                     "purpose": entry.details.get("purpose", ""), "what": entry.target_type})
    return rows
