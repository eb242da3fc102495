"""Timesheet days are rebuilt by the worker, not inside the check-in that changed them."""

from __future__ import annotations

import datetime as dt

from django_tasks import task


@task(queue_name="default")
def rebuild_timesheet_days(organization_id: int, days: list[list[int | str]]) -> int:
    """Rebuild the given (member id, ISO day) pairs; returns how many days were rebuilt."""
    from officium.workforce.timesheets import rebuild_days

    pairs = [(int(member), dt.date.fromisoformat(str(day))) for member, day in days]
    rebuild_days(organization_id, pairs)
    return len(pairs)
