"""Field work's dashboard panel (UX3): the open tasks due next (one's own; a dispatcher's, the
organization's), the late ones counted, times local with the zone named."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils import timezone

from officium.accounts import dashboard, localtime
from officium.accounts.models import Membership
from officium.accounts.roles import WORKING_ROLES
from officium.fieldwork import dispatch, services
from officium.fieldwork.rules import is_dispatcher

SHOWN = 5


def tasks_due(member: Membership) -> dict[str, Any] | None:
    open_tasks = (services.visible_tasks(member).exclude(status__in=services.FINAL)
                  .order_by(F("window_start").asc(nulls_last=True), "pk"))
    shown = list(open_tasks[:SHOWN])
    if not shown:
        return None
    now = timezone.now()
    zone = localtime.zone_for(member.organization)
    return {"count": open_tasks.count(), "dispatcher": is_dispatcher(member),
            "tasks": [{"task": t, "starts": localtime.format_datetime(t.window_start, zone),
                       "late": dispatch.is_late(t, now)} for t in shown],
            "late": sum(1 for t in open_tasks.filter(window_start__lt=now) if dispatch.is_late(t, now)),
            "organization": member.organization}


def register() -> None:
    dashboard.register("fieldwork.tasks_due", "fieldwork/panel_tasks_due.html", WORKING_ROLES, tasks_due,
                       order=25)
