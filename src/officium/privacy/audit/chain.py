"""The hash chain: how entries are appended and verified.

entry_hash = SHA-256(prev_hash || payload), where payload is the canonical JSON of the entry
(seq, time, organization, actor, subject, event, target, details). Appends take one lock per
transaction (PostgreSQL: a transaction-scoped advisory lock; SQLite: its writer lock, held by
the IMMEDIATE transaction), read the tail, and insert, so concurrent transactions still form
one chain. Verification re-hashes every entry and checks that the columns say what the payload
says, so an edit, a deletion or a reordering is found at the first bad entry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction

GENESIS = "0" * 64
LOCK_KEY = 0x0FF1C1A  # pg_advisory_xact_lock key of the audit chain
COLUMNS = ("organization_id", "actor_id", "subject_id", "event", "target_type", "target_id", "details")


@dataclass(frozen=True)
class Draft:
    """An entry before it has a place in the chain."""

    created_at: datetime
    organization_id: int | None
    actor_id: int | None
    subject_id: int | None
    event: str
    target_type: str
    target_id: str
    details: dict[str, Any]


def canonical_payload(seq: int, draft: Draft) -> str:
    return json.dumps(
        [seq, draft.created_at.isoformat(), draft.organization_id, draft.actor_id, draft.subject_id,
         draft.event, draft.target_type, draft.target_id, draft.details],
        sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str,
    )


def link(prev_hash: str, payload: str) -> str:
    return hashlib.sha256(prev_hash.encode() + payload.encode()).hexdigest()


def append(drafts: Sequence[Draft]) -> list[Any]:
    """Chain and insert ``drafts`` in the caller's transaction (one is opened if there is none)."""
    from officium.privacy.audit.models import AuditEntry

    with transaction.atomic():
        seq, prev = _locked_tail()
        entries = []
        for draft in drafts:
            seq += 1
            payload = canonical_payload(seq, draft)
            entry_hash = link(prev, payload)
            entries.append(AuditEntry(seq=seq, payload=payload, prev_hash=prev, entry_hash=entry_hash,
                                      **{f: getattr(draft, f) for f in ("created_at", *COLUMNS)}))
            prev = entry_hash
        if len(entries) == 1:
            entries[0].save(force_insert=True)
        else:
            AuditEntry.objects.bulk_create(entries)
    return entries


def _locked_tail() -> tuple[int, str]:
    from officium.privacy.audit.models import AuditEntry

    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        cursor.execute(f"SELECT seq, entry_hash FROM {table} ORDER BY seq DESC LIMIT 1")  # noqa: S608
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


@dataclass(frozen=True)
class Problem:
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"entry #{self.seq}: {self.reason}"


@dataclass(frozen=True)
class Verification:
    checked: int
    head_seq: int
    head_hash: str
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(chunk: int = 5000) -> Verification:
    """Walk the whole chain in seq order; stop at the first bad entry."""
    prev_seq, prev_hash, checked = 0, GENESIS, 0
    for seq, payload, stored_prev, stored_hash, columns in _rows(chunk):
        problem = _check(seq, payload, stored_prev, stored_hash, columns, prev_seq, prev_hash)
        if problem is not None:
            return Verification(checked, prev_seq, prev_hash, problem)
        prev_seq, prev_hash = seq, stored_hash
        checked += 1
    return Verification(checked, prev_seq, prev_hash, None)


def _check(seq: int, payload: str, stored_prev: str, stored_hash: str, columns: tuple[Any, ...],
           prev_seq: int, prev_hash: str) -> Problem | None:
    if seq != prev_seq + 1:
        return Problem(prev_seq + 1, f"missing (the next entry is #{seq})")
    if stored_prev != prev_hash:
        return Problem(seq, "does not follow the previous entry (removed or reordered entries)")
    if link(prev_hash, payload) != stored_hash:
        return Problem(seq, "its content was changed (hash mismatch)")
    data = json.loads(payload)
    if data[0] != seq or tuple(data[2:]) != columns:
        return Problem(seq, "its columns differ from what was recorded")
    return None


def _rows(chunk: int) -> Iterator[tuple[int, str, str, str, tuple[Any, ...]]]:
    from officium.privacy.audit.models import AuditEntry

    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    last = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"SELECT seq, payload, prev_hash, entry_hash, {cols} FROM {table} "  # noqa: S608
                "WHERE seq > %s ORDER BY seq LIMIT %s", [last, chunk])
            rows = cursor.fetchall()
            if not rows:
                return
            for row in rows:
                details = row[10]
                if isinstance(details, str):
                    details = json.loads(details)
                yield row[0], row[1], row[2], row[3], (*row[4:10], details)
            last = rows[-1][0]
