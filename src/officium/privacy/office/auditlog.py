"""PV1: the audit log as people read it: filtered, paged by keyset, in plain words, verifiable.

A page is the newest ``size`` entries below a cursor (the last ``seq`` shown), read through the
(organization, seq), (organization, event, seq), (organization, actor, seq) and (organization,
subject, seq) indexes; a time range becomes a range of ``seq`` first (``created_at`` is indexed
and grows with ``seq``), so a page costs what it shows, not what the table holds.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Max, Min, QuerySet

from officium.privacy import staff
from officium.privacy.audit import chain
from officium.privacy.audit.events import label
from officium.privacy.audit.models import AuditEntry
from officium.privacy.policy import dpv

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    event: str = ""
    actor_id: int | None = None
    subject_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    target_prefix: str = ""  # e.g. "attendance.": reads of one app's records (location reads)


@dataclass(frozen=True)
class Row:
    seq: int
    at: datetime
    event: str
    what: str
    who: str
    whom: str
    details: list[tuple[str, str]]
    zone: Any = "UTC"
    actor_id: int | None = None
    organization_id: int | None = None
    record: str = ""  # the kind of record the entry is about, in words ("Attendance records")


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    next_cursor: int | None


def _seq_bound(since: datetime | None, until: datetime | None) -> tuple[int | None, int | None]:
    """The time range as a range of seq, through the created_at index (one row each)."""
    low = high = None
    if since is not None:
        first = (AuditEntry.objects.filter(created_at__gte=since).order_by("created_at")
                 .values_list("seq", flat=True).first())
        if first is None:  # nothing that recent: an empty range
            return 0, -1
        low = first
    if until is not None:
        last = (AuditEntry.objects.filter(created_at__lt=until).order_by("-created_at")
                .values_list("seq", flat=True).first())
        high = last if last is not None else -1
    return low, high


def entries(base: QuerySet[AuditEntry], filters: Filters) -> QuerySet[AuditEntry]:
    """``base`` (already scoped to an organization or a subject) narrowed by ``filters``."""
    qs = base
    if filters.event:
        qs = qs.filter(event=filters.event)
    if filters.actor_id is not None:
        qs = qs.filter(actor_id=filters.actor_id)
    if filters.subject_id is not None:
        qs = qs.filter(subject_id=filters.subject_id)
    if filters.target_prefix:
        qs = qs.filter(target_type__startswith=filters.target_prefix)
    low, high = _seq_bound(filters.since, filters.until)
    if low is not None:
        qs = qs.filter(seq__gte=low)
    if high is not None:
        qs = qs.filter(seq__lte=high)
    return qs


def page(base: QuerySet[AuditEntry], filters: Filters, cursor: int | None = None,
         size: int = PAGE_SIZE) -> Page:
    """The newest ``size`` entries older than ``cursor`` (a seq), in plain words."""
    qs = entries(base, filters)
    if cursor is not None:
        qs = qs.filter(seq__lt=cursor)
    found = list(qs.order_by("-seq")[: size + 1])
    more = len(found) > size
    found = found[:size]
    return Page(describe(found), found[-1].seq if more and found else None)


def names(user_ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in user_ids if i}
    users = get_user_model().objects.filter(pk__in=wanted)
    return {u.pk: (u.get_full_name() or u.get_username()) for u in users}


def _person(user_id: int | None, known: dict[int, str], nobody: str) -> str:
    if not user_id:
        return nobody
    return known.get(user_id, "A deleted account")


DETAIL_LABELS = {
    "purpose": "Purpose", "categories": "Kinds of data", "status": "Status", "reason": "Reason",
    "request_type": "Request", "count": "Count", "role": "Role",
}


def _purpose(purpose_id: str) -> str:
    from officium.privacy.policy.loader import active_policy

    found = next((p for p in active_policy().purposes if p.id == purpose_id), None)
    return dpv.label(found.term) if found else purpose_id.replace("_", " ")


def _detail_value(key: str, value: Any) -> str:
    if key == "purpose" and isinstance(value, str):
        return _purpose(value)
    if key == "categories" and isinstance(value, list):
        return ", ".join(dpv.label(str(v)) if str(v).startswith("pd:") else str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or value == "":
        return "none"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')}: {_detail_value(k, v)}" for k, v in value.items())
    return str(value).replace("_", " ")


def describe(found: list[AuditEntry]) -> list[Row]:
    known = names([e.actor_id for e in found] + [e.subject_id for e in found])
    zones = staff.organization_zones({e.organization_id for e in found if e.organization_id})
    return [Row(
        seq=e.seq, at=e.created_at, event=e.event, what=label(e.event),
        who=_person(e.actor_id, known, "The system"),
        whom=_person(e.subject_id, known, ""),
        details=[(DETAIL_LABELS.get(k, k.replace("_", " ").capitalize()), _detail_value(k, v))
                 for k, v in sorted(e.details.items())],
        zone=zones.get(e.organization_id or 0, "UTC"),
        actor_id=e.actor_id, organization_id=e.organization_id, record=_record(e.target_type),
    ) for e in found]


def _record(target_type: str) -> str:
    """``attendance.attendancerecord`` as people say it: "Attendance records"."""
    from django.apps import apps

    if "." not in target_type:
        return ""
    try:
        model = apps.get_model(target_type)
    except (LookupError, ValueError):
        return ""
    return str(model._meta.verbose_name_plural).capitalize()


def csv_lines(base: QuerySet[AuditEntry], filters: Filters, batch: int = 2000) -> Iterator[str]:
    """The filtered entries as CSV, newest first, read a keyset batch at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(["seq", "time_utc", "event", "what", "who", "about", "details", "entry_hash"])
    yield flush()
    cursor: int | None = None
    while True:
        qs = entries(base, filters)
        if cursor is not None:
            qs = qs.filter(seq__lt=cursor)
        found = list(qs.order_by("-seq")[:batch])
        if not found:
            return
        hashes = {e.seq: e.entry_hash for e in found}
        for row in describe(found):
            writer.writerow([row.seq, row.at.isoformat(), row.event, row.what, row.who, row.whom,
                             "; ".join(f"{k}: {v}" for k, v in row.details), hashes[row.seq]])
        yield flush()
        cursor = found[-1].seq


@dataclass(frozen=True)
class RangeCheck:
    ok: bool
    first: int | None
    last: int | None
    checked: int
    message: str


def verify_range(base: QuerySet[AuditEntry]) -> RangeCheck:
    """Verify the chain across the range of entries ``base`` holds (from the entry before its
    first to the head: every later entry depends on them), and against the signed checkpoint."""
    bounds = base.aggregate(first=Min("seq"), last=Max("seq"))
    first, last = bounds["first"], bounds["last"]
    if first is None:
        return RangeCheck(True, None, None, 0, "There are no entries to verify yet.")
    before = AuditEntry.objects.filter(seq=first - 1).values_list("entry_hash", flat=True).first()
    result = (chain.verify_after(first - 1, before) if before is not None
              else chain.verify())
    problem: object = result.problem
    if problem is None:
        from officium.privacy.audit.checkpoints import against_checkpoint

        try:
            problem = against_checkpoint(result)
        except ValueError as error:
            problem = error
    if problem is not None:
        return RangeCheck(False, first, last, result.checked,
                          f"The log does not verify: {problem}. Tell your platform operator.")
    return RangeCheck(True, first, last, result.checked,
                      f"The log verifies: {result.checked} entries checked, from #{first} "
                      f"(this organization's first) to the head #{result.head_seq}; none was "
                      "changed, removed or reordered.")
