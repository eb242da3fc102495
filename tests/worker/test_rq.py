"""SC1: RQ workers over Redis run each job exactly once, and a job whose worker was killed is
finished once by another worker.

Runs against the machine's Redis (127.0.0.1:6379, database 13 when the suite runs on SQLite and 14
on PostgreSQL, so CI's two suites running side by side never flush each other's queues; flushed here). Without Redis the
tests are skipped locally; with CI=true they fail instead, so CI always exercises RQ.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
_REDIS_DB = 14 if os.environ.get("DATABASE_URL", "").startswith("postgres") else 13
REDIS_URL = os.environ.get("OFFICIUM_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{_REDIS_DB}")
QUEUES = ["default", "email", "privacy", "retention"]
RQ_SETTINGS = {
    "TASKS": {"default": {"BACKEND": "officium.worker.rq.RQBackend", "QUEUES": QUEUES}},
    "RQ_QUEUES": {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600} for name in QUEUES},
}


def _redis():
    import redis

    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.RedisError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    return connection


@pytest.fixture
def redis_db():
    connection = _redis()
    connection.flushdb()
    yield connection
    connection.flushdb()


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """One migrated database file, copied for each test (migrating takes a while)."""
    database = tmp_path_factory.mktemp("rq") / "template.sqlite3"
    subprocess.run([sys.executable, "-m", "officium.cli", "manage", "migrate", "--verbosity", "0"],
                   env=_env(database, database.parent), check=True, capture_output=True)
    return database


def _env(database: Path, home: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": f"sqlite:///{database}",
            "OFFICIUM_VAR_DIR": str(home / "var"), "OFFICIUM_ENV": "development",
            "DJANGO_SETTINGS_MODULE": "officium.settings", "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",
            "OFFICIUM_TASKS_BACKEND": "rq", "REDIS_URL": REDIS_URL, "LOG_TO_FILES": "false",
            "OFFICIUM_TASKS_IMMEDIATE": "false",
            "OFFICIUM_RQ_HEARTBEAT_SECONDS": "1", "OFFICIUM_RQ_GRACE_SECONDS": "2",
            "OFFICIUM_RQ_MAINTENANCE_SECONDS": "1"}


@pytest.fixture
def worker_env(tmp_path, redis_db, migrated):
    database = tmp_path / "rq.sqlite3"
    shutil.copyfile(migrated, database)
    env = _env(database, tmp_path)
    workers: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        process = subprocess.Popen([sys.executable, "-m", "officium.cli", "worker"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        workers.append(process)
        return process

    yield database, start
    for process in workers:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in workers:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _count(database: Path, prefix: str) -> dict[str, int]:
    """Rows per run name, read straight from the workers' database file."""
    with sqlite3.connect(database, timeout=10) as db:
        names = [row[0] for row in db.execute(
            "SELECT name FROM worker_scheduledjob WHERE name LIKE ?", (f"{prefix}%",))]
    counts: dict[str, int] = {}
    for name in names:
        run = name.rsplit("/", 1)[0]
        counts[run] = counts.get(run, 0) + 1
    return counts


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def _enqueue(task, *args) -> None:
    with override_settings(**RQ_SETTINGS):
        task.enqueue(*args)


@pytest.mark.django_db(transaction=True)
def test_SC1_two_rq_workers_run_a_hundred_jobs_each_exactly_once(worker_env):
    from tests.worker.rq_jobs import record

    database, start = worker_env
    first, second = start(), start()
    for n in range(100):
        _enqueue(record, n)
    _wait_for(lambda: len(_count(database, "rq-test/run-")) == 100, 120, "a hundred runs")
    time.sleep(1.0)  # a doubled run would land now
    counts = _count(database, "rq-test/run-")
    assert counts == {f"rq-test/run-{n}": 1 for n in range(100)}
    assert first.poll() is None and second.poll() is None
    # The periodic jobs were claimed by the conditional UPDATE: each enqueued once by the pair.
    import redis
    from rq.registry import FinishedJobRegistry

    connection = redis.Redis.from_url(REDIS_URL)
    finished = FinishedJobRegistry("retention", connection=connection)
    _wait_for(lambda: finished.count >= 3, 60, "the periodic retention jobs")
    from rq.job import Job

    names = [job.func_name for job in Job.fetch_many(finished.get_job_ids(), connection=connection)
             if job is not None]
    assert sorted(names) == sorted(set(names)), names


@pytest.mark.django_db(transaction=True)
def test_SC1_a_job_of_a_killed_worker_is_finished_once_by_the_other(worker_env):
    from tests.worker.rq_jobs import slow

    database, start = worker_env
    doomed = start()
    _enqueue(slow, 4.0)
    _wait_for(lambda: _count(database, "rq-test/slow-started"), 60, "the slow job to start")
    doomed.send_signal(signal.SIGKILL)
    doomed.wait()
    start()
    _wait_for(lambda: _count(database, "rq-test/slow-finished"), 90, "the other worker to finish it")
    time.sleep(2.0)
    assert _count(database, "rq-test/slow-finished") == {"rq-test/slow-finished": 1}
    assert _count(database, "rq-test/slow-started") == {"rq-test/slow-started": 2}


@pytest.mark.django_db(transaction=True)
def test_SC1_a_job_enqueued_in_a_rolled_back_transaction_never_reaches_redis(redis_db):
    from django.db import transaction
    from rq import Queue
    from tests.worker.rq_jobs import record

    queue = Queue("default", connection=redis_db)
    with override_settings(**RQ_SETTINGS):
        with transaction.atomic():
            record.enqueue(1)
            assert queue.count == 0  # not before the commit
            transaction.set_rollback(True)
        assert queue.count == 0
        with transaction.atomic():
            record.enqueue(2)
        assert queue.count == 1
