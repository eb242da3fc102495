"""A person's request goes before a device's batch inside one server process.

A server process runs Python in one thread at a time (the GIL). A batch sync is mostly
Python: parsing, checking and sealing hundreds of events. A request that a person waits for
(a check-in, a page) gives the interpreter up at each database call and must win it back
after, each time behind the batch (up to the switch interval, ``wsgi``). Measured beside four
phones syncing (``bench/load.py``): the slow check-ins were those whose process was working
through batches at that moment, two or three at once.

So, within a process:

- batches take turns (``batch()``): running side by side they go no faster, the GIL runs
  one at a time anyway, but each is one more thread a person's request waits behind;
- a batch steps aside (``step_aside()``, called between pieces of its work, never inside a
  transaction) while a request of this process that is not a batch is in flight, for at most
  ``STEP_ASIDE`` seconds each time: slowed, never stopped.

``RequestsInFlight`` (middleware) counts the requests; ``batch()`` counts the batches among them.
SQLite's single writer slot has the same rule (``db.sqlite_writers``). Other processes are the
operating system's to schedule.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection
from django.http import HttpRequest, HttpResponseBase

STEP_ASIDE = 0.01
"""Seconds a batch waits at most, each time it steps aside."""
_NAP = 0.0003
_count = threading.Lock()
_requests = 0  # requests of this process in flight
_batches = 0  # of which batches (working or waiting for their turn)
_turn = threading.Lock()


class RequestsInFlight:
    """Counts this process's requests in flight (middleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        global _requests
        with _count:
            _requests += 1
        try:
            return self.get_response(request)
        finally:
            with _count:
                _requests -= 1


@contextmanager
def batch() -> Iterator[None]:
    """A device's batch: not a person's request, and one at a time in this process."""
    global _batches
    with _count:
        _batches += 1
    try:
        with _turn:
            yield
    finally:
        with _count:
            _batches -= 1


def step_aside() -> None:
    """Sleep while a person's request of this process is in flight, ``STEP_ASIDE`` at most.

    Does nothing inside a transaction: the batch would hold its locks while it sleeps."""
    if _requests <= _batches or connection.in_atomic_block:
        return
    until = time.monotonic() + STEP_ASIDE
    while _requests > _batches and time.monotonic() < until:
        time.sleep(_NAP)
