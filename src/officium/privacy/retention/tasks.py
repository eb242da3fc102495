"""The retention jobs the worker's scheduler runs."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task(queue_name="retention")
def sweep_retention() -> int:
    """One retention sweep (resumes an abandoned one first); returns rows deleted."""
    from officium.privacy.retention.engine import sweep

    run = sweep()
    return int(run.deleted) if run is not None else 0


@task(queue_name="retention")
def finish_erasures() -> int:
    """RI4/RE4: erase what legal holds kept of erased people once those holds have ended."""
    from officium.privacy.vault.shredding import finish_held_erasures

    return len(finish_held_erasures())


@task(queue_name="retention")
def sweep_logs() -> int:
    """AC5: delete log files older than the policy's log retention."""
    from officium.privacy.logs import sweep_log_files

    return sweep_log_files()


def schedule(every: Any) -> None:
    """Register the periodic jobs. The termination purge lives with the accounts app (the
    engine imports no app); ``RETENTION_TERMINATION_TASK`` names it."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils.module_loading import import_string

    every(timedelta(hours=1), "retention.sweep", sweep_retention)
    every(timedelta(hours=1), "retention.finish_erasures", finish_erasures)
    every(timedelta(hours=6), "retention.logs", sweep_logs)
    path = getattr(settings, "RETENTION_TERMINATION_TASK",
                   "officium.accounts.termination.purge_terminated_organizations")
    if path:
        every(timedelta(hours=6), "retention.terminated_organizations", import_string(path))
