"""worker.enqueue: on the database queue, the task row written by a prepared INSERT is the row
django_tasks_db's own enqueue writes (both modes of OFFICIUM_PREPARED_STATEMENTS), inside the
caller's transaction; other backends go through task.enqueue."""

from __future__ import annotations

import pytest
from django.db import transaction
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from officium.worker.enqueue import enqueue
from officium.workforce.tasks import rebuild_timesheet_days

pytestmark = pytest.mark.django_db(transaction=True)

FIELDS = ("args_kwargs", "priority", "task_path", "queue_name", "backend_name", "run_after", "status",
          "worker_ids", "started_at", "finished_at", "return_value", "exception_class_path", "traceback")


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend",
                                  "QUEUES": settings.TASK_QUEUES}}  # django_tasks re-reads it
    assert isinstance(rebuild_timesheet_days.get_backend(), DatabaseBackend)


def _row(pk) -> dict:
    return dict(DBTaskResult.objects.filter(pk=pk).values(*FIELDS).get())


@pytest.mark.parametrize("args", [
    (7, [[3, "2026-12-05"], [4, "2026-12-06"]]),
    # what the plain-JSON fast path leaves to normalize_json: tuples, a mapping with a number key
    (7, ((3, "2026-12-05"),), {"a": (1, 2.5, None, True), 4: ["x"]}),
])
@pytest.mark.parametrize("prepared", [True, False])
def test_enqueue_writes_the_row_the_backend_writes(database_queue, settings, prepared, args):
    settings.OFFICIUM_PREPARED_STATEMENTS = prepared
    theirs = rebuild_timesheet_days.enqueue(*args).id
    enqueue(rebuild_timesheet_days, *args)
    ours = DBTaskResult.objects.exclude(pk=theirs).get().pk
    assert _row(ours) == _row(theirs)
    assert DBTaskResult.objects.get(pk=ours).task_result.args == DBTaskResult.objects.get(pk=theirs).task_result.args


def test_enqueue_belongs_to_the_callers_transaction(database_queue):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue(rebuild_timesheet_days, 7, [[3, "2026-12-05"]])
        assert DBTaskResult.objects.count() == 1
        raise RuntimeError
    assert DBTaskResult.objects.count() == 0
