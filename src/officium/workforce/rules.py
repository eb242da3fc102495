"""Who may read shift assignments (purpose-bound access): administrators all; others the
site assignments, their own, and (managers) their reports'."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from officium.accounts.roles import ADMINISTRATORS
from officium.privacy.access import AccessContext, add_rule


def assignments(context: AccessContext, qs: QuerySet[Any]) -> QuerySet[Any]:
    actor = context.actor
    if actor.role in ADMINISTRATORS:
        return qs
    return qs.filter(Q(member__isnull=True) | Q(member=actor) | Q(member__reports_to=actor))


def register() -> None:
    from officium.attendance.rules import records
    from officium.workforce import models as m

    add_rule(m.ShiftAssignment, assignments)
    for model in (m.TimesheetDay, m.TimesheetApproval, m.Correction, m.LeaveRequest):
        add_rule(model, records)  # own, reports', everyone's for administrators
