"""The Redis queue (SC1): django-tasks-rq's backend and an RQ worker, with Officium's promises.

Selected with ``OFFICIUM_TASKS_BACKEND=rq`` (and ``REDIS_URL``); the database queue stays the
embedded default. Three things are added to the library's backend and to RQ's worker:

* **Enqueued on commit.** A task enqueued inside a transaction reaches Redis only when the
  transaction commits (the database queue gets this for free by writing a row): a rolled-back
  request never leaves a job behind, and a job never runs before the rows it reads exist.
* **A job whose worker died runs again, once.** Each job carries an RQ ``Retry``; a job that
  *raised* has its retries cleared (it failed, as on the database queue), so only a job
  abandoned by a killed worker is put back, by the next worker's registry maintenance, after
  its heartbeat lapsed (``OFFICIUM_RQ_HEARTBEAT_SECONDS`` + ``OFFICIUM_RQ_GRACE_SECONDS``).
* **Heartbeats while a job runs, without forking.** ``Worker`` runs each job in its own process
  (RQ's ``SimpleWorker``: Django's database connections are not shared with a forked child,
  and killing the worker kills its job), and a thread extends the job's heartbeat meanwhile.

The periodic jobs are still claimed by ``scheduler.tick``'s conditional UPDATE; each RQ worker
runs it in a thread, so several workers enqueue each due run once.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import django_rq
from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from django_tasks.base import TASK_MAX_PRIORITY, Task, TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued
from django_tasks.utils import get_random_id
from django_tasks_rq.backend import Job as LibraryJob
from django_tasks_rq.backend import RQBackend as LibraryBackend
from django_tasks_rq.backend import failed_callback, success_callback
from rq.job import Callback, JobStatus, Retry  # type: ignore[attr-defined]  # rq re-exports it without __all__
from rq.worker import SimpleWorker, WorkerStatus

from officium.worker import scheduler

logger = logging.getLogger(__name__)


class Job(LibraryJob):
    """A django-tasks job that is retried only when abandoned, never because it raised."""

    def _execute(self) -> Any:
        try:
            return super()._execute()
        except BaseException:
            self.retries_left = 0  # a task that raised has failed; only a dead worker's job reruns
            raise


class RQBackend(LibraryBackend):
    """django-tasks-rq's backend, enqueueing on commit and retrying abandoned jobs.

    No delayed tasks (``run_after``): they would need RQ's scheduler process beside each
    worker; Officium's periodic work goes through ``officium.worker.scheduler`` instead."""

    supports_defer = False

    def enqueue(self, task: Task[Any, Any], args: Any, kwargs: Any) -> TaskResult[Any]:
        self.validate_task(task)
        result: TaskResult[Any] = TaskResult(
            task=task, id=get_random_id(), status=TaskResultStatus.READY, enqueued_at=None,
            started_at=None, last_attempted_at=None, finished_at=None, args=args, kwargs=kwargs,
            backend=self.alias, errors=[], worker_ids=[])
        alias = self.alias

        def push() -> None:
            queue = django_rq.get_queue(task.queue_name, job_class=Job)
            job = queue.create_job(
                task.module_path, args=args, kwargs=kwargs, job_id=result.id,
                status=JobStatus.QUEUED,
                on_failure=Callback(failed_callback), on_success=Callback(success_callback),
                meta={"backend_name": alias},
                retry=Retry(max=settings.OFFICIUM_RQ_ABANDONED_RETRIES))
            queue.enqueue_job(job, at_front=task.priority == TASK_MAX_PRIORITY)

        transaction.on_commit(push)  # at once when no transaction is open
        object.__setattr__(result, "enqueued_at", timezone.now())
        task_enqueued.send(type(self), task_result=result)
        return result

    def _get_queues(self) -> list[Any]:
        return django_rq.queues.get_queues(*self.queues, job_class=Job)  # type: ignore[no-any-return, no-untyped-call]

    def _get_job(self, result_id: str) -> Any:
        from rq.exceptions import NoSuchJobError

        try:
            return Job.fetch(result_id, connection=django_rq.get_queue("default").connection)
        except NoSuchJobError:
            return None


class Worker(SimpleWorker):
    """RQ's in-process worker, heartbeating from a thread while a job runs."""

    def get_heartbeat_ttl(self, job: Any, working_time: float = 0.0) -> int:
        return int(self.job_monitoring_interval + settings.OFFICIUM_RQ_GRACE_SECONDS)

    def execute_job(self, job: Any, queue: Any) -> None:
        execution = self.prepare_execution(job)
        done = threading.Event()

        def beat() -> None:
            while not done.wait(self.job_monitoring_interval):
                try:
                    self.maintain_heartbeats(job, execution)
                except Exception:  # a missed beat is retried at the next one
                    logger.warning("job heartbeat failed", exc_info=True)

        beater = threading.Thread(target=beat, name="rq-heartbeat", daemon=True)
        beater.start()
        close_old_connections()
        try:
            self.perform_job(job, queue, execution)
        finally:
            done.set()
            beater.join()
            close_old_connections()
        self.set_state(WorkerStatus.IDLE)


def run_worker(worker_name: str, *, burst: bool = False) -> None:
    """Work every configured queue until stopped, ticking the periodic scheduler meanwhile."""
    queue_names = list(settings.TASKS["default"].get("QUEUES", ["default"]))
    queues = [django_rq.get_queue(name, job_class=Job) for name in queue_names]
    worker = Worker(queues, connection=queues[0].connection, job_class=Job, name=worker_name,
                    job_monitoring_interval=settings.OFFICIUM_RQ_HEARTBEAT_SECONDS,
                    maintenance_interval=settings.OFFICIUM_RQ_MAINTENANCE_SECONDS)
    stop = threading.Event()

    def tick() -> None:
        while not stop.is_set():
            try:
                close_old_connections()
                scheduler.tick()
            except Exception:
                logger.exception("periodic scheduler tick failed")
            stop.wait(1.0)

    ticker = threading.Thread(target=tick, name="officium-scheduler", daemon=True)
    ticker.start()
    logger.info("worker %s started on RQ with %d periodic jobs", worker_name, len(scheduler.jobs()))
    try:
        worker.work(burst=burst, with_scheduler=False, logging_level="WARNING")
    finally:
        stop.set()
        ticker.join(timeout=5)
