"""The worker loop: enqueue due periodic jobs, run every ready task, sleep, repeat (on the
database queue; with RQ, ``officium.worker.rq.run_worker`` runs instead).

An idle worker is quiet: the loop wakes every second, but it logs only when it runs a task (the
task's own start and finish lines); the queue library's per-pass lines, and a pass that finds
nothing, are not logged at INFO.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from types import FrameType

from django.db import close_old_connections

from officium.worker import scheduler

logger = logging.getLogger(__name__)


class WorkerLoop:
    def __init__(self, interval: float = 1.0, *, once: bool = False) -> None:
        self.interval = interval
        self.once = once
        self.running = True
        self.worker_id = f"{socket.gethostname()}-{os.getpid()}"[:64]

    def stop(self, signum: int, frame: FrameType | None) -> None:
        logger.info("worker stopping after the current task")
        self.running = False

    def run(self) -> None:
        from django.conf import settings

        if str(settings.TASKS["default"]["BACKEND"]).endswith("RQBackend"):
            from officium.worker.rq import run_worker

            run_worker(self.worker_id, burst=self.once)  # RQ's own loop, the scheduler beside it
            return
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        logger.info("worker %s started with %d periodic jobs", self.worker_id, len(scheduler.jobs()))
        while self.running:
            close_old_connections()
            scheduler.tick()
            self.run_ready_tasks()
            if self.once:
                return
            time.sleep(self.interval)

    def run_ready_tasks(self) -> None:
        from django.conf import settings

        if not str(settings.TASKS["default"]["BACKEND"]).startswith("django_tasks_db"):
            return  # the immediate backend already ran them
        from django_tasks_db.management.commands.db_worker import Worker
        from django_tasks_db.models import DBTaskResult

        if not DBTaskResult.objects.ready().filter(backend_name="default").exists():
            logger.debug("no task ready")
            return
        Worker(queue_names=["*"], interval=0, batch=True, backend_name="default",
               startup_delay=False, max_tasks=None, worker_id=self.worker_id,
               excluded_queue_names=[]).run()
