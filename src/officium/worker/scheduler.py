"""Periodic jobs: registered with an interval, due jobs are enqueued on the task queue.

Apps register in their AppConfig.ready()::

    from officium.worker.scheduler import every
    every(timedelta(minutes=10), "retention.sweep", sweep_task)

A due job is claimed by a conditional UPDATE of its ``next_run_at``: if the update touched no
row, another worker claimed it first (the Healthchecks ``sendalerts`` pattern).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    interval: timedelta
    task: Any  # a django_tasks Task


_jobs: dict[str, PeriodicJob] = {}


def every(interval: timedelta, name: str, task: Any) -> None:
    _jobs[name] = PeriodicJob(name=name, interval=interval, task=task)


def jobs() -> list[PeriodicJob]:
    return list(_jobs.values())


def tick(now: datetime | None = None) -> list[str]:
    """Enqueue every job that is due; returns the names enqueued by this worker."""
    from officium.worker.models import ScheduledJob

    now = now or timezone.now()
    enqueued = []
    for job in _jobs.values():
        state = _state(job, now)
        if state.next_run_at > now:
            continue
        claimed = ScheduledJob.objects.filter(pk=state.pk, next_run_at=state.next_run_at).update(
            next_run_at=now + job.interval, last_run_at=now)
        if claimed:
            job.task.enqueue()
            enqueued.append(job.name)
            logger.debug("scheduled job enqueued: %s", job.name)
    return enqueued


def _state(job: PeriodicJob, now: datetime) -> Any:
    from officium.worker.models import ScheduledJob

    try:
        state, _ = ScheduledJob.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
    except IntegrityError:
        state = ScheduledJob.objects.get(name=job.name)
    return state
