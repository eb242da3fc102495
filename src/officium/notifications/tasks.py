"""The daily digest job (UX4), run by the worker's scheduler."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="default")
def send_digests() -> int:
    """Email each digest reader what they have not read yet; returns how many emails."""
    from officium.notifications.digest import send_digests as run

    return run()
