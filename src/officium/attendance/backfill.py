"""Filling in ``work_day`` on check-in records written before the column existed (WT1, WT4).

Such records have it NULL: reports fall back to their UTC instant and timesheets skip them.
``fill_work_days`` places each one as a live check-in would be placed (``workday.judge``: the
local day of its site's zone, else the organization's; with workforce's shift rules an overnight
shift's check-out lands on the evening it started), a keyset batch at a time, each batch in its
own transaction, and tells the listeners (timesheets) which days now hold records. Run it with
``officium manage backfill_work_days``; running it again finds nothing left to do.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction

from officium.accounts import localtime
from officium.attendance import workday
from officium.attendance.models import AttendanceRecord

BATCH = 2000


def fill_work_days(batch: int = BATCH, organization_id: int | None = None) -> int:
    """Fill every NULL ``work_day`` (of one organization, or all); returns how many were filled."""
    filled = 0
    after = 0
    while True:
        qs = AttendanceRecord.objects.filter(work_day__isnull=True, pk__gt=after)
        if organization_id is not None:
            qs = qs.filter(organization_id=organization_id)
        chunk = list(qs.select_related("organization", "site").order_by("pk")[:batch])
        if not chunk:
            return filled
        after = chunk[-1].pk
        groups: dict[tuple[int, int], list[AttendanceRecord]] = defaultdict(list)
        for record in chunk:
            groups[(record.organization_id, record.member_id)].append(record)
        touched: dict[int, set[tuple[int, dt.date]]] = defaultdict(set)
        with transaction.atomic():
            for (org_id, member_id), records in groups.items():
                places = workday.judge(org_id, member_id, [
                    workday.Moment(r.site_id, r.direction, r.occurred_at,
                                   localtime.zone_for(r.organization, r.site)) for r in records])
                for record, (day, _status) in zip(records, places, strict=True):
                    record.work_day = day
                    touched[org_id].add((member_id, day))
            # Only rows still NULL: a record placed meanwhile (a correction, a review) keeps its day.
            AttendanceRecord.objects.filter(work_day__isnull=True).bulk_update(chunk, ["work_day"], batch_size=500)
            for org_id, days in touched.items():
                workday.changed(org_id, sorted(days))
        filled += len(chunk)
