"""SQLite's write-ahead log copied back into the database off the request path (server processes).

SQLite checkpoints, by default, inside the commit that grows the log past 1,000 pages: that
commit copies the log into the database file while its writer still holds the writers' turn
(``db.sqlite_writers``), so it and every writer queued behind it wait. Measured on the check-in
path: one commit in thirty took 5-9 ms instead of 0.1 ms, and beside a device's batch sync the
log fills several times a second. In a server process a daemon thread checkpoints instead,
every ``INTERVAL`` seconds, PASSIVE (it never waits for readers or writers and never blocks
them; SQLite runs it without Python's GIL), on its own connection. The request connections of
that process then checkpoint themselves only past ``BACKSTOP_PAGES``, should the thread fall
behind. Other processes (the worker, management commands) keep SQLite's default.

``OFFICIUM_SQLITE_CHECKPOINTS=false`` leaves checkpoints to SQLite (docs/operations.md).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.db.backends.signals import connection_created

logger = logging.getLogger(__name__)

INTERVAL = 0.25
"""Seconds between checkpoints."""
BACKSTOP_PAGES = 10_000
"""A request connection checkpoints itself past this many log pages (SQLite's default: 1,000)."""


class Checkpointer:
    """Checkpoints one SQLite database file every ``interval`` seconds until stopped."""

    def __init__(self, path: str, interval: float = INTERVAL) -> None:
        self.path = path
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._conn: sqlite3.Connection | None = None

    def checkpoint(self) -> tuple[int, int, int] | None:
        """One PASSIVE checkpoint: (busy, pages in the log, pages copied back), or None when
        the database could not be opened or read (tried again next time)."""
        try:
            if self._conn is None:
                self._conn = sqlite3.connect(self.path, timeout=0, isolation_level=None,
                                             check_same_thread=False)
            row = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as error:
            logger.warning("SQLite checkpoint failed: %s", error)
            self.close()
            return None
        return (int(row[0]), int(row[1]), int(row[2])) if row else None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoints", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.checkpoint()


def _backstop(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite" and connection.alias == DEFAULT_DB_ALIAS:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")


_started: list[Checkpointer] = []


def start_for_server() -> Checkpointer | None:
    """Called once by a server process (``wsgi``): the checkpointer of the default database,
    when it is a SQLite file and ``OFFICIUM_SQLITE_CHECKPOINTS`` is on; None otherwise."""
    database = settings.DATABASES[DEFAULT_DB_ALIAS]
    name = str(database.get("NAME") or "")
    if (not str(database["ENGINE"]).endswith("sqlite3") or not name or name == ":memory:" or name.startswith("file:")
            or not getattr(settings, "OFFICIUM_SQLITE_CHECKPOINTS", True)):
        return None
    if _started:
        return _started[0]
    connection_created.connect(_backstop, weak=False, dispatch_uid="officium-sqlite-backstop")
    checkpointer = Checkpointer(name)
    checkpointer.start()
    _started.append(checkpointer)
    return checkpointer
