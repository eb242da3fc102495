"""Periodic jobs are claimed with a conditional UPDATE: a due job runs once per interval, even
with two workers ticking at the same moment."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import task

from officium.worker import scheduler
from officium.worker.models import ScheduledJob

RUNS: list[str] = []


@task()
def heartbeat() -> None:
    RUNS.append("beat")


@pytest.fixture
def registered():
    scheduler.every(timedelta(minutes=5), "test.heartbeat", heartbeat)
    RUNS.clear()
    yield
    scheduler._jobs.pop("test.heartbeat", None)


@pytest.mark.django_db
def test_due_job_runs_once_per_interval(registered):
    now = timezone.now()
    assert "test.heartbeat" in scheduler.tick(now)
    assert "test.heartbeat" not in scheduler.tick(now)  # a second worker at the same moment
    assert "test.heartbeat" not in scheduler.tick(now + timedelta(minutes=4))
    assert "test.heartbeat" in scheduler.tick(now + timedelta(minutes=5, seconds=1))
    assert RUNS == ["beat", "beat"]
    assert ScheduledJob.objects.get(name="test.heartbeat").last_run_at is not None


@pytest.mark.django_db
def test_stale_claim_loses(registered):
    now = timezone.now()
    scheduler.tick(now)
    state = ScheduledJob.objects.get(name="test.heartbeat")
    # A worker holding the old next_run_at tries to claim: its conditional UPDATE touches nothing.
    assert ScheduledJob.objects.filter(pk=state.pk, next_run_at=now).update(last_run_at=now) == 0
