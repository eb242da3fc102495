"""The dashboard panels accounts draws itself (UX3): data requests due, for the privacy staff
(the engine sits below accounts, so accounts reads its queue here)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from officium.accounts import dashboard, localtime
from officium.accounts.models import Membership
from officium.accounts.roles import PRIVACY_STAFF
from officium.privacy.rights.models import OPEN_STATUSES, RightsRequest

SOON = timedelta(days=7)


def requests_due(member: Membership) -> dict[str, Any] | None:
    today = localtime.local_day(timezone.now(), localtime.zone_for(member.organization))
    open_requests = RightsRequest.objects.filter(organization_id=member.organization_id,
                                                 status__in=OPEN_STATUSES)
    count = open_requests.count()
    if not count:
        return None
    overdue = open_requests.filter(due_on__lt=today).count()
    soon = open_requests.filter(due_on__gte=today, due_on__lte=today + SOON).count()
    next_due = open_requests.order_by("due_on", "pk").values_list("due_on", flat=True).first()
    return {"count": count, "overdue": overdue, "soon": soon, "next_due": next_due,
            "organization": member.organization}


def breach_clocks(member: Membership) -> dict[str, Any] | None:
    """PV5: each breach the authority has not been told of yet, with its 72-hour clock."""
    from officium.privacy.office.breaches import open_clocks

    clocks = open_clocks(member.organization_id)
    if not clocks:
        return None
    return {"breaches": clocks, "organization": member.organization}


def register() -> None:
    dashboard.register("privacy.breach_clocks", "accounts/panel_breach_clocks.html", PRIVACY_STAFF,
                       breach_clocks, order=20)
    dashboard.register("privacy.requests_due", "accounts/panel_requests_due.html", PRIVACY_STAFF,
                       requests_due, order=25)
