"""Tasks the SC1 test's RQ workers run (imported by the worker processes by name): each run
leaves a row in the database, so a run counted twice is a job run twice."""

from __future__ import annotations

import time
import uuid

from django.utils import timezone
from django_tasks import task


def _mark(name: str) -> None:
    from officium.worker.models import ScheduledJob

    ScheduledJob.objects.create(name=f"{name}/{uuid.uuid4().hex}", next_run_at=timezone.now())


@task(queue_name="default")
def record(n: int) -> None:
    _mark(f"rq-test/run-{n}")


@task(queue_name="default")
def slow(seconds: float) -> None:
    _mark("rq-test/slow-started")
    time.sleep(seconds)
    _mark("rq-test/slow-finished")
