"""The hash chain: how entries are appended and verified.

entry_hash = SHA-256(prev_hash || canonical form), where the canonical form joins the stored
columns (seq, UTC time to the microsecond, organization, actor, subject, event, target, details
as canonical JSON) with a unit separator. The hash covers the columns themselves, so editing any
of them, deleting, reordering or inserting an entry is found at the first bad entry.

Appends take one lock per transaction (PostgreSQL: a transaction-scoped advisory lock; SQLite:
the writer lock its IMMEDIATE transactions hold), read the tail and insert, so concurrent
transactions still form one chain. A cut tail still links: signed checkpoints
(``checkpoints.py``) reveal it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

GENESIS = "0" * 64
LOCK_KEY = 0x0FF1C1A  # pg_advisory_xact_lock key of the audit chain
TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # == to_char(..., 'YYYY-MM-DD HH24:MI:SS.US') in UTC


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


def canonical_details(details: dict[str, Any]) -> str:
    return json.dumps(details, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def canonical(row: Sequence[object]) -> str:
    """seq, time text, organization, actor, subject, event, target type, target id, details text.

    ``None`` renders as "None": only the integer columns can be null, so it cannot be confused.
    """
    s, t, o, a, u, e, tt, ti, d = row
    return f"{s}\x1f{t}\x1f{o}\x1f{a}\x1f{u}\x1f{e}\x1f{tt}\x1f{ti}\x1f{d}"


def link(prev_hash: str, canonical_form: str) -> str:
    return hashlib.sha256((prev_hash + canonical_form).encode()).hexdigest()


def append(drafts: Sequence[Draft]) -> list[int]:
    """Chain and insert ``drafts`` in the caller's transaction (one is opened if there is none).

    It talks to the DB-API cursor directly on purpose: the append sits on every write path, and
    Django's connection proxy and cursor wrapper cost more than the statements themselves.
    Returns the new entries' sequence numbers.
    """
    conn = connections[DEFAULT_DB_ALIAS]
    with transaction.atomic(savepoint=False):
        conn.ensure_connection()
        statements = _statements(conn.vendor)
        cursor = conn.connection.cursor()
        try:
            if statements.lock:
                cursor.execute(statements.lock, (LOCK_KEY,))
            cursor.execute(statements.tail)
            row = cursor.fetchone()
            seq, prev = (row[0], row[1]) if row else (0, GENESIS)
            rows = []
            for draft in drafts:
                seq += 1
                moment = draft.created_at.astimezone(UTC)
                columns = (seq, moment.strftime(TIME_FORMAT), draft.organization_id, draft.actor_id,
                           draft.subject_id, draft.event, draft.target_type, draft.target_id,
                           canonical_details(draft.details))
                entry_hash = link(prev, canonical(columns))
                stored_time = columns[1] if conn.vendor == "sqlite" else moment
                rows.append((seq, stored_time, *columns[2:], prev, entry_hash))
                prev = entry_hash
            if len(rows) == 1:
                cursor.execute(statements.insert, rows[0])
            else:
                cursor.executemany(statements.insert, rows)
        finally:
            cursor.close()
    return [row[0] for row in rows]


@dataclass(frozen=True)
class _Statements:
    lock: str
    tail: str
    insert: str
    walk: str


@lru_cache(maxsize=4)
def _statements(vendor: str) -> _Statements:
    from officium.privacy.audit.models import AuditEntry

    table = AuditEntry._meta.db_table
    mark = "?" if vendor == "sqlite" else "%s"
    columns = ("seq, created_at, organization_id, actor_id, subject_id, event, target_type, "
               "target_id, details, prev_hash, entry_hash")
    time_text = ("to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
                 if vendor == "postgresql" else "created_at || ''")
    return _Statements(
        lock="SELECT pg_advisory_xact_lock(%s)" if vendor == "postgresql" else "",
        tail=f'SELECT seq, entry_hash FROM "{table}" ORDER BY seq DESC LIMIT 1',  # noqa: S608
        insert=f'INSERT INTO "{table}" ({columns}) VALUES ({", ".join([mark] * 11)})',  # noqa: S608
        walk=(f"SELECT seq, {time_text}, organization_id, actor_id, subject_id, event, target_type, "  # noqa: S608
              f'target_id, details, prev_hash, entry_hash FROM "{table}" WHERE seq > {mark} '
              f"ORDER BY seq LIMIT {mark}"),
    )


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


def verify(chunk: int = 20000) -> Verification:
    """Walk the whole chain in seq order and report the first bad entry."""
    prev_seq, prev_hash, checked = 0, GENESIS, 0
    sha256 = hashlib.sha256
    for rows in _chunks(chunk):
        for row in rows:
            seq, t, o, a, u, e, tt, ti, d, stored_prev, stored_hash = row
            if seq != prev_seq + 1:
                return Verification(checked, prev_seq, prev_hash,
                                    Problem(prev_seq + 1, f"missing (the next entry is #{seq})"))
            if stored_prev != prev_hash:
                return Verification(checked, prev_seq, prev_hash, Problem(
                    seq, "does not follow the previous entry (removed or reordered entries)"))
            form = f"{prev_hash}{seq}\x1f{t}\x1f{o}\x1f{a}\x1f{u}\x1f{e}\x1f{tt}\x1f{ti}\x1f{d}"
            if sha256(form.encode()).hexdigest() != stored_hash:
                return Verification(checked, prev_seq, prev_hash,
                                    Problem(seq, "its recorded content was changed (hash mismatch)"))
            prev_seq, prev_hash = seq, stored_hash
            checked += 1
    return Verification(checked, prev_seq, prev_hash, None)


def _chunks(chunk: int) -> Iterator[list[tuple[Any, ...]]]:
    conn = connections[DEFAULT_DB_ALIAS]
    conn.ensure_connection()
    walk = _statements(conn.vendor).walk
    last = 0
    cursor = conn.connection.cursor()
    try:
        while True:
            cursor.execute(walk, (last, chunk))
            rows = cursor.fetchall()
            if not rows:
                return
            yield rows
            last = rows[-1][0]
    finally:
        cursor.close()
