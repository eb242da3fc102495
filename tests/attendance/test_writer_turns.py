"""SQLite's single writer slot: a check-in goes before a batch sync's next chunk (the load proof's
p95 beside syncs), yet a batch is never starved (``officium.db.sqlite_writers``)."""

from __future__ import annotations

import subprocess
import sys
import time

from officium.db import _SQLiteWriters

HOLD_SHARED = ("import fcntl, os, sys, time\n"
               "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
               "fcntl.flock(fd, fcntl.LOCK_SH)\n"
               "print('waiting', flush=True)\n"
               "time.sleep(float(sys.argv[2]))\n")


def test_a_batch_chunk_lets_a_check_in_of_another_process_go_first_but_is_never_starved(tmp_path):
    writers = _SQLiteWriters()
    name = str(tmp_path / "db.sqlite3")
    fd = writers._file(name, "writers")
    assert fd is not None
    # Another server process has a check-in waiting for the writer (its shared "waiting" lock).
    other = subprocess.Popen([sys.executable, "-c", HOLD_SHARED, f"{name}.waiting", "1.0"],  # noqa: S603
                             stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "waiting"
        started = time.monotonic()
        with writers._batch_turn(fd, name):
            waited = time.monotonic() - started
        assert waited >= writers.BATCH_YIELD  # it gave the turn away while the check-in waited
        assert waited < 0.5  # and wrote anyway after the bound, the check-in still there
    finally:
        other.wait(timeout=10)
    started = time.monotonic()
    with writers._batch_turn(fd, name):  # nobody waiting: straight in
        assert time.monotonic() - started < writers.BATCH_YIELD


def test_a_batch_chunk_lets_a_check_in_of_its_own_process_go_first(tmp_path):
    writers = _SQLiteWriters()
    name = str(tmp_path / "db.sqlite3")
    fd = writers._file(name, "writers")
    waiting = writers._file(name, "waiting")
    assert fd is not None and waiting is not None
    writers._announce(waiting, +1)  # a request thread of this process waits for the writer
    try:
        started = time.monotonic()
        with writers._batch_turn(fd, name):
            assert time.monotonic() - started >= writers.BATCH_YIELD
    finally:
        writers._announce(waiting, -1)
    # Once it is done, the shared lock is released: another process's batch goes straight in.
    probe = _SQLiteWriters()
    probe_fd = probe._file(name, "writers")
    assert probe_fd is not None
    started = time.monotonic()
    with probe._batch_turn(probe_fd, name):
        assert time.monotonic() - started < probe.BATCH_YIELD
