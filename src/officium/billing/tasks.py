"""The worker's billing jobs: renewals and retries (BI3), usage counts and gauges (BI4)."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="default")
def renew_and_retry() -> dict[str, int]:
    from officium.billing import invoices

    return {"renewed": invoices.renew_due(), "retried": invoices.retry_due(),
            "fell_back": invoices.fall_back_after_grace()}


@task(queue_name="default")
def flush_usage() -> int:
    from officium.billing.usage import counters

    return counters.flush()


@task(queue_name="default")
def snapshot_usage() -> int:
    from officium.billing.usage import snapshot

    return snapshot()
