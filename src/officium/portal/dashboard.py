"""The portal's dashboard panel (UX3): the reader's spaces and the files that arrived lately."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from officium.accounts import dashboard
from officium.accounts.models import Membership
from officium.accounts.roles import Role
from officium.portal.models import File, Space

RECENT = timedelta(days=7)


def spaces(member: Membership) -> dict[str, Any] | None:
    """Counts only: names of files are not read here (no document is opened or listed)."""
    since = timezone.now() - RECENT
    mine = list(Space.objects.filter(organization_id=member.organization_id, members__membership=member)
                .order_by("name", "pk")[:20])
    if not mine and member.role != Role.CLIENT:
        return None
    arrived = dict(File.objects.filter(organization_id=member.organization_id, space__in=mine)
                   .values_list("space").annotate(n=Count("pk", filter=Q(completed_at__gte=since)))
                   .values_list("space", "n"))
    return {"spaces": [(s, arrived.get(s.pk, 0)) for s in mine],
            "arrived": sum(arrived.values()), "organization": member.organization}


def register() -> None:
    dashboard.register("portal.spaces", "portal/panel_spaces.html", tuple(Role), spaces, order=40)
