"""Working time's dashboard panel (UX3): requests waiting for the reader's decision, and the
reader's own requests still open."""

from __future__ import annotations

from typing import Any

from officium.accounts import dashboard
from officium.accounts.models import Membership
from officium.accounts.roles import WORKING_ROLES
from officium.workforce import corrections, leave
from officium.workforce.models import LeaveRequest, RequestState


def requests(member: Membership) -> dict[str, Any] | None:
    leave_waiting = leave.pending_for(member)
    corrections_waiting = corrections.pending_for(member)
    mine = list(LeaveRequest.objects.filter(organization_id=member.organization_id, member=member,
                                            state=RequestState.PENDING)
                .select_related("leave_type").order_by("starts_on", "pk")[:5])
    if not (leave_waiting or corrections_waiting or mine):
        return None
    return {"leave": leave_waiting[:5], "leave_count": len(leave_waiting),
            "corrections_count": len(corrections_waiting), "mine": mine,
            "organization": member.organization}


def register() -> None:
    dashboard.register("workforce.requests", "workforce/panel_requests.html", WORKING_ROLES, requests, order=30)
