"""Load proof (issue 20): inside a server process a device's batch sync goes after people's
requests. Batches take turns, and a batch steps aside while a person's request is in flight
(``officium.priority``): the check-ins beside syncs no longer wait behind two or three batches."""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse

from officium import priority
from officium.attendance import ingest
from officium.attendance.models import LocationEvent


class PersonsRequest:
    """A request through the middleware, in its own thread, that runs until released."""

    def __init__(self) -> None:
        self.started, self.release, self.ended = threading.Event(), threading.Event(), threading.Event()

    def view(self, request):
        self.started.set()
        self.release.wait(10)
        return HttpResponse()

    def __enter__(self):
        middleware = priority.RequestsInFlight(self.view)

        def run():
            middleware(None)
            self.ended.set()

        self.thread = threading.Thread(target=run)
        self.thread.start()
        assert self.started.wait(5)
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(5)


def batch_request(work):
    """``work()`` as a batch sync request's would run: a counted request, and a batch."""
    def view(request):
        with priority.batch():
            return work()
    return priority.RequestsInFlight(view)(None)


def test_LO2_the_middleware_counts_every_request_first():
    assert settings.MIDDLEWARE[0] == "officium.priority.RequestsInFlight"


def test_LO2_a_batch_steps_aside_until_the_persons_request_is_answered(monkeypatch):
    monkeypatch.setattr(priority, "STEP_ASIDE", 30.0)
    with PersonsRequest() as request:
        threading.Timer(0.05, request.release.set).start()
        batch_request(priority.step_aside)
        assert request.release.is_set()  # it did not go on while the request ran
    assert request.ended.is_set()


def test_LO2_a_batch_is_slowed_never_stopped(monkeypatch):
    monkeypatch.setattr(priority, "STEP_ASIDE", 0.05)
    with PersonsRequest() as request:
        started = time.monotonic()
        batch_request(priority.step_aside)
        assert time.monotonic() - started < 5  # the request still runs: the batch goes on anyway
        assert not request.ended.is_set()


def test_LO2_a_batch_alone_does_not_wait_for_itself(monkeypatch):
    monkeypatch.setattr(priority, "STEP_ASIDE", 30.0)
    started = time.monotonic()
    batch_request(priority.step_aside)  # its own request is counted, and is the batch
    assert time.monotonic() - started < 5

    def beside_a_waiting_batch():
        waiting = threading.Thread(target=batch_request, args=(lambda: None,))
        waiting.start()
        while priority._batches < 2:  # the other batch request waits for its turn
            time.sleep(0.001)
        started = time.monotonic()
        priority.step_aside()  # a batch waiting is nobody to step aside for
        return waiting, time.monotonic() - started

    waiting, waited = batch_request(beside_a_waiting_batch)
    waiting.join(5)
    assert waited < 5 and not waiting.is_alive()


@pytest.mark.django_db
def test_LO2_a_batch_never_steps_aside_inside_a_transaction(monkeypatch):
    monkeypatch.setattr(priority, "STEP_ASIDE", 30.0)

    def in_a_transaction():
        with transaction.atomic():
            priority.step_aside()  # it would hold the transaction's locks while it slept

    with PersonsRequest():
        started = time.monotonic()
        batch_request(in_a_transaction)
        assert time.monotonic() - started < 5


def test_LO2_batches_of_one_process_take_turns():
    order: list[str] = []
    first_in, second_tried = threading.Event(), threading.Event()

    def second():
        second_tried.set()
        with priority.batch():
            order.append("second")

    with priority.batch():
        first_in.set()
        waiting = threading.Thread(target=second)
        waiting.start()
        assert second_tried.wait(5)
        waiting.join(0.1)
        assert waiting.is_alive() and order == []  # held until the first is done
        order.append("first")
    waiting.join(5)
    assert order == ["first", "second"]


@pytest.mark.django_db
def test_LO2_a_batch_sync_request_is_counted_as_a_batch_and_its_events_stored(bob_device, api, monkeypatch):
    seen = []
    real = ingest._ingest

    def counting(device, events):
        seen.append((priority._requests, priority._batches))
        return real(device, events)

    monkeypatch.setattr(ingest, "_ingest", counting)
    batch = [{"id": f"e{i}", "kind": "app_open", "at": "2026-03-01T08:00:00Z"} for i in range(60)]
    answer = api(bob_device.client, "post", "/device/events", {"events": batch}).json()
    assert answer["stored"] == 60 and LocationEvent.objects.count() == 60
    assert seen == [(1, 1)]  # its own request, and it is the batch: nobody to step aside for
    assert (priority._requests, priority._batches) == (0, 0)
