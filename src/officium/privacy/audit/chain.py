"""The hash chain: how entries are appended and verified.

entry_hash = SHA-256(prev_hash || canonical form), where the canonical form joins the stored
columns (seq, UTC time to the microsecond, organization, actor, subject, event, target, details
as canonical JSON) with a unit separator. The hash covers the columns themselves, so editing any
of them, deleting, reordering or inserting an entry is found at the first bad entry.

Appends take one lock per transaction (PostgreSQL: a transaction-scoped advisory lock; SQLite:
the writer lock its IMMEDIATE transactions hold), read the tail once and insert, so concurrent
transactions still form one chain. Verification streams every entry's canonical form (rendered by
the database, hashed here) through one cursor. A cut tail still links: signed checkpoints
(``checkpoints.py``) reveal it.

Holding the tail reads Django's private ``run_on_commit`` list (tests/test_hot_paths.py checks
its shape); ``OFFICIUM_AUDIT_HELD_TAIL=false`` reads the tail on every append instead.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from django.conf import settings
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
            tail = _held_tail(conn)
            if tail is None:
                cursor.execute(statements.tail)
                if statements.locks:
                    cursor.nextset()  # past the lock's result to the tail's
                row = cursor.fetchone()
                tail = (row[0], row[1]) if row else (0, GENESIS)
            seq, prev = tail
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
            _hold_tail(conn, seq, prev)
        finally:
            cursor.close()
    return [row[0] for row in rows]


# The tail stays valid for the rest of the transaction that read it: the chain's lock (the
# advisory lock, or SQLite's writer lock) is held until the transaction ends, so no one else
# appends. A marker registered with on_commit says whether it still holds: Django drops the
# marker when the transaction commits or rolls back, and when a savepoint that was open at the
# append is rolled back (which also removes the rows just inserted).

def _held_tail(conn: Any) -> tuple[int, str] | None:
    if not _holding():
        return None  # the plain path: the tail is read under the lock on every append
    held = getattr(conn, "_audit_tail", None)
    if held is None:
        return None
    marker, seq, entry_hash = held
    if any(entry[1] is marker for entry in conn.run_on_commit):
        return seq, entry_hash
    conn._audit_tail = None
    return None


def _hold_tail(conn: Any, seq: int, entry_hash: str) -> None:
    if not _holding():
        conn._audit_tail = None  # nothing held: switching back mid-transaction reads afresh
        return
    held = getattr(conn, "_audit_tail", None)
    marker = held[0] if held else None
    current = set(conn.savepoint_ids)
    entry = next((e for e in conn.run_on_commit if e[1] is marker), None) if marker else None
    if entry is None or entry[0] != current:
        marker = _TailMarker()
        transaction.on_commit(marker, using=conn.alias)
    conn._audit_tail = (marker, seq, entry_hash)


def _holding() -> bool:
    return bool(getattr(settings, "OFFICIUM_AUDIT_HELD_TAIL", True))


class _TailMarker:
    """An on_commit callback that does nothing: its presence is the signal."""

    def __call__(self) -> None:
        return None


@dataclass(frozen=True)
class _Statements:
    locks: bool
    tail: str
    insert: str
    walk: str
    walk_after: str


@lru_cache(maxsize=4)
def _statements(vendor: str) -> _Statements:
    from officium.privacy.audit.models import AuditEntry

    table = AuditEntry._meta.db_table
    mark = "?" if vendor == "sqlite" else "%s"
    columns = ("seq, created_at, organization_id, actor_id, subject_id, event, target_type, "
               "target_id, details, prev_hash, entry_hash")
    if vendor == "postgresql":
        # The database only renders each entry's canonical form; the hashing is done here.
        form = ("concat_ws(chr(31), seq, to_char(created_at AT TIME ZONE 'UTC', "
                "'YYYY-MM-DD HH24:MI:SS.US'), coalesce(organization_id::text, 'None'), "
                "coalesce(actor_id::text, 'None'), coalesce(subject_id::text, 'None'), event, "
                "target_type, target_id, details)")
    else:
        form = " || char(31) || ".join((
            "seq", "created_at", "coalesce(organization_id, 'None')", "coalesce(actor_id, 'None')",
            "coalesce(subject_id, 'None')", "event", "target_type", "target_id", "details"))
    tail = f'SELECT seq, entry_hash FROM "{table}" ORDER BY seq DESC LIMIT 1'  # noqa: S608
    if vendor == "postgresql":
        # One round trip, two statements: the tail is read under the lock, because each
        # statement of a simple query takes its own snapshot (READ COMMITTED).
        tail = f"SELECT pg_advisory_xact_lock({LOCK_KEY}); {tail}"
    return _Statements(
        locks=vendor == "postgresql",
        tail=tail,
        insert=f'INSERT INTO "{table}" ({columns}) VALUES ({", ".join([mark] * 11)})',  # noqa: S608
        walk=f'SELECT seq, prev_hash, entry_hash, {form} FROM "{table}" ORDER BY seq',  # noqa: S608
        walk_after=(f'SELECT seq, prev_hash, entry_hash, {form} FROM "{table}" '  # noqa: S608
                    f"WHERE seq > {mark} ORDER BY seq"),
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


def verify(batch: int = 10000) -> Verification:
    """Walk the whole chain in seq order and report the first bad entry."""
    with _walk(batch) as batches:
        return _check(batches)


def verify_after(seq: int, entry_hash: str, batch: int = 10000) -> Verification:
    """Walk only the entries after ``seq``, starting from its (trusted) ``entry_hash``.

    The checkpoint job uses it so its cost follows the new entries, not the log's size; whether
    entry ``seq`` itself still has that hash is the caller's check. ``checked`` counts the
    entries walked here.
    """
    with _walk(batch, after=seq) as batches:
        return _check(batches, start=(seq, entry_hash))


def _check(batches: Iterator[list[tuple[Any, ...]]],
           start: tuple[int, str] = (0, GENESIS)) -> Verification:
    (prev_seq, prev_hash), checked = start, 0
    sha256 = hashlib.sha256
    for rows in batches:
        for seq, stored_prev, stored_hash, form in rows:
            if seq != prev_seq + 1:
                return Verification(checked, prev_seq, prev_hash,
                                    Problem(prev_seq + 1, f"missing (the next entry is #{seq})"))
            if stored_prev != prev_hash:
                return Verification(checked, prev_seq, prev_hash, Problem(
                    seq, "does not follow the previous entry (removed or reordered entries)"))
            if sha256((prev_hash + form).encode()).hexdigest() != stored_hash:
                return Verification(checked, prev_seq, prev_hash,
                                    Problem(seq, "its recorded content was changed (hash mismatch)"))
            prev_seq, prev_hash = seq, stored_hash
            checked += 1
    return Verification(checked, prev_seq, prev_hash, None)


@contextmanager
def _walk(batch: int, after: int | None = None) -> Iterator[Iterator[list[tuple[Any, ...]]]]:
    """Every entry as (seq, prev_hash, entry_hash, canonical form), in one streaming query: a
    server-side cursor on PostgreSQL (inside a transaction, as those need); on SQLite a plain
    cursor, outside any transaction so no writer waits for the walk."""
    conn = connections[DEFAULT_DB_ALIAS]
    postgres = conn.vendor == "postgresql"
    with transaction.atomic() if postgres else nullcontext():
        conn.ensure_connection()
        if postgres:
            cursor = conn.connection.cursor(name="officium_audit_walk")
            cursor.itersize = batch
        else:
            cursor = conn.connection.cursor()
        try:
            statements = _statements(conn.vendor)
            if after is None:
                cursor.execute(statements.walk)
            else:
                cursor.execute(statements.walk_after, (after,))
            yield iter(lambda: cursor.fetchmany(batch), [])
        finally:
            cursor.close()
