"""Prometheus metrics (SC2): what a request costs by route, and the state of the background work.

Two kinds, kept apart so a request pays only a counter increment and a histogram observation:

* per request, counted by ``RequestMetrics`` (the middleware): requests by method, route name
  and status, and their latency by method and route name. The route is the URL resolver's
  name for the pattern (``view_name``, else its pattern text), never the path: a path carries
  ids and tokens, a route name does not. Under gunicorn with several worker processes set
  ``PROMETHEUS_MULTIPROC_DIR`` (``officium serve`` does) so a scrape sums every process.
* per scrape, read from the database (or Redis) by ``BackgroundWork``: tasks waiting and
  failed by queue and task, the mail outbox's backlog by status, the retention sweep's
  progress. Computed when scraped, they are the same whichever process answers.

No label holds a person, an address, an id or a path.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
RQ_FAILED_SAMPLE = 500  # failed RQ jobs read per queue to name their tasks

REQUESTS = Counter("officium_http_requests", "HTTP requests answered, by route name.",
                   ["method", "route", "status"], registry=None)
LATENCY = Histogram("officium_http_request_duration_seconds",
                    "Time to answer an HTTP request, by route name.", ["method", "route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
                    registry=None)


def route_of(request: HttpRequest) -> str:
    """The route's name: never the path (it can carry ids and tokens)."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name or match.route or "unnamed"
    if request.path_info.startswith(settings.STATIC_URL):
        return "static"
    return "unmatched"


class RequestMetrics:
    """Counts each request and observes its latency, labelled by route name."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        method = request.method if request.method in METHODS else "OTHER"
        route = route_of(request)
        LATENCY.labels(method, route).observe(time.perf_counter() - started)
        REQUESTS.labels(method, route, str(response.status_code)).inc()
        return response


class BackgroundWork:
    """Gauges read at scrape time: queues, failures, the outbox, the retention sweep."""

    def collect(self) -> Iterator[Metric]:
        yield from _tasks()
        yield from _outbox()
        yield from _retention()


def _tasks() -> Iterator[Metric]:
    queued = GaugeMetricFamily("officium_tasks_queued", "Tasks waiting to run, by queue and task.",
                               labels=["queue", "task"])
    failed = GaugeMetricFamily("officium_tasks_failed", "Tasks recorded as failed, by queue and task.",
                               labels=["queue", "task"])
    backend = settings.TASKS["default"]["BACKEND"]
    if backend.startswith("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        rows = (DBTaskResult.objects.filter(status__in=["READY", "FAILED"])
                .values("status", "queue_name", "task_path").annotate(n=Count("id")).order_by())
        for row in rows:
            family = queued if row["status"] == "READY" else failed
            family.add_metric([row["queue_name"], row["task_path"]], row["n"])
    elif backend.endswith("RQBackend"):
        yield from _rq(queued, failed)
        return
    yield queued
    yield failed


def _rq(queued: GaugeMetricFamily, failed: GaugeMetricFamily) -> Iterator[Metric]:
    """RQ keeps one list per queue: its depth is counted per queue (task ``all``); the failed
    jobs' tasks are read from the newest ``RQ_FAILED_SAMPLE`` of each queue's failed registry."""
    import django_rq
    from rq.job import Job

    for name in settings.TASKS["default"].get("QUEUES", ["default"]):
        queue = django_rq.get_queue(name)
        queued.add_metric([name, "all"], queue.count)
        registry = queue.failed_job_registry
        total = registry.count
        ids = registry.get_job_ids(0, RQ_FAILED_SAMPLE - 1)
        by_task: dict[str, int] = {}
        for job in Job.fetch_many(ids, connection=queue.connection):
            if job is not None:
                by_task[job.func_name or "unknown"] = by_task.get(job.func_name or "unknown", 0) + 1
        by_task_total = sum(by_task.values())
        if total > by_task_total:
            by_task["unknown"] = by_task.get("unknown", 0) + total - by_task_total
        for task, count in by_task.items():
            failed.add_metric([name, task], count)
    yield queued
    yield failed


def _outbox() -> Iterator[Metric]:
    from officium.mail.models import OutboxEmail, Status

    backlog = GaugeMetricFamily("officium_mail_outbox", "Outbox emails not yet sent, by status.",
                                labels=["status"])
    counts = dict(OutboxEmail.objects.filter(status__in=[Status.PENDING, Status.SENDING, Status.FAILED])
                  .values_list("status").annotate(n=Count("id")).order_by())
    for status in (Status.PENDING, Status.SENDING, Status.FAILED):
        backlog.add_metric([str(status)], counts.get(status, 0))
    yield backlog
    oldest = OutboxEmail.objects.filter(status=Status.PENDING).aggregate(at=Min("created_at"))["at"]
    yield GaugeMetricFamily("officium_mail_outbox_oldest_pending_seconds",
                            "Age of the oldest email waiting to be sent (0 when none waits).",
                            value=(timezone.now() - oldest).total_seconds() if oldest else 0.0)


def _retention() -> Iterator[Metric]:
    from officium.privacy.retention.models import SweepRun, SweepStatus

    latest = SweepRun.objects.order_by("-started_at").first()
    last_done = (SweepRun.objects.filter(status=SweepStatus.DONE, finished_at__isnull=False)
                 .order_by("-finished_at").values_list("finished_at", flat=True).first())
    yield GaugeMetricFamily("officium_retention_sweep_running",
                            "1 while a retention sweep is under way.",
                            value=1 if latest is not None and latest.status == SweepStatus.RUNNING else 0)
    yield GaugeMetricFamily("officium_retention_sweep_deleted_rows",
                            "Rows deleted so far by the latest retention sweep (grows as it runs).",
                            value=latest.deleted if latest is not None else 0)
    yield GaugeMetricFamily("officium_retention_sweep_last_finished_timestamp_seconds",
                            "When the last retention sweep finished (Unix time; 0 if never).",
                            value=last_done.timestamp() if last_done else 0)


def exposition() -> bytes:
    """The text a scrape receives: the request metrics of every process, then the gauges."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
    registry.register(BackgroundWork())
    return generate_latest(registry)


