"""SQLite's write-ahead log is copied back by a server process's own thread, not in the commit
that fills it (officium/sqlite_checkpoints.py): a check-in's commit no longer pays for it."""

from __future__ import annotations

import sqlite3
import time

import pytest
from django.db import connection
from django.db.backends.signals import connection_created

from officium import sqlite_checkpoints
from officium.sqlite_checkpoints import Checkpointer, start_for_server


def _writer(path):
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript("PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; CREATE TABLE IF NOT EXISTS t(x)")
    return conn


def _write(conn, pages):
    for _ in range(pages):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t VALUES (randomblob(3500))")  # about a page per row
        conn.execute("COMMIT")


def _log_pages(path):
    return (path.parent / (path.name + "-wal")).stat().st_size // 4096


def test_a_checkpoint_copies_the_whole_log_back(tmp_path):
    path = tmp_path / "db.sqlite3"
    writer = _writer(str(path))
    _write(writer, 200)
    checkpointer = Checkpointer(str(path))
    busy, log, copied = checkpointer.checkpoint()
    assert busy == 0 and log >= 200 and copied == log
    checkpointer.close()


def test_with_the_thread_running_the_log_is_reused_instead_of_growing(tmp_path):
    """Writers that never checkpoint themselves (as the server's connections, below their
    backstop): with the thread, the log restarts; without it, it only grows."""
    alone, helped = tmp_path / "alone.sqlite3", tmp_path / "helped.sqlite3"
    for path in (alone, helped):
        _write(_writer(str(path)), 150)
    one_pass = _log_pages(alone)
    checkpointer = Checkpointer(str(helped), interval=0.05)
    checkpointer.start()
    try:
        time.sleep(0.5)
        for path in (alone, helped):
            _write(_writer(str(path)), 150)
    finally:
        checkpointer.stop()
    assert _log_pages(alone) >= 2 * one_pass - 5
    assert _log_pages(helped) < 1.5 * one_pass


def test_a_database_it_cannot_open_is_tried_again_not_fatal(tmp_path):
    checkpointer = Checkpointer(str(tmp_path / "missing" / "db.sqlite3"))
    assert checkpointer.checkpoint() is None
    assert checkpointer._conn is None


@pytest.mark.django_db
def test_a_server_process_starts_it_for_a_sqlite_file_and_raises_the_backstop(settings):
    if connection.vendor != "sqlite" or connection.settings_dict["NAME"].startswith(("file:", ":memory:")) \
            or connection.settings_dict["NAME"] == "":
        assert start_for_server() is None  # PostgreSQL (or an in-memory database): nothing to do
        return
    settings.OFFICIUM_SQLITE_CHECKPOINTS = False
    assert start_for_server() is None
    settings.OFFICIUM_SQLITE_CHECKPOINTS = True
    started = start_for_server()
    try:
        assert started is not None and started is start_for_server()  # once per process
        connection_created.send(sender=type(connection), connection=connection)
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            assert cursor.fetchone()[0] == sqlite_checkpoints.BACKSTOP_PAGES
    finally:
        if started is not None:
            started.stop()
            sqlite_checkpoints._started.clear()
            connection_created.disconnect(dispatch_uid="officium-sqlite-backstop")
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_autocheckpoint=1000")
