"""``enqueue(task, ...)``: ``task.enqueue(...)`` for hot paths.

On the database queue (``django_tasks_db``), the task's row is written by a ``db.PreparedInsert``
(its INSERT compiled once per connection) with exactly the values the backend's own
``enqueue`` writes, in the caller's transaction; the backend's ``task_enqueued`` signal (a
debug log line) is not sent. Any other backend (RQ, the immediate one in tests), or
``OFFICIUM_PREPARED_STATEMENTS=false``, takes ``task.enqueue`` as it is.
"""

from __future__ import annotations

from typing import Any

from django_tasks.base import Task
from django_tasks.utils import normalize_json
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import get_date_max

from officium.db import PreparedInsert, prepared_statements

_ROW: list[PreparedInsert] = []


def _row() -> PreparedInsert:
    if not _ROW:
        from django_tasks_db.models import DBTaskResult

        _ROW.append(PreparedInsert(DBTaskResult, with_pk=True, signals_stood_in=True))
    return _ROW[0]


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _json(value: Any) -> Any:
    """``normalize_json`` (what the backend stores), without its abstract-class checks for what
    is plain JSON already (exact lists and tuples, dicts with text keys, scalars); the rest
    through it."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is list or kind is tuple:
        return [_json(item) for item in value]
    if kind is dict and all(type(key) is str for key in value):
        return {key: _json(item) for key, item in value.items()}
    return normalize_json(value)


def enqueue(task: Task[Any, Any], *args: Any, **kwargs: Any) -> None:
    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend) or task.run_after is not None or not prepared_statements():
        task.enqueue(*args, **kwargs)
        return
    rows = _row()
    rows.insert_row(rows.prepare_row({
        "id": backend._get_id(),  # the backend's id function (private API: tests/test_hot_paths.py)
        "args_kwargs": _json({"args": args, "kwargs": kwargs}), "priority": task.priority,
        "task_path": task.module_path, "queue_name": task.queue_name, "backend_name": backend.alias,
        # What the backend's pre_save receiver sets for a task without run_after (its only
        # receiver: tests/test_hot_paths.py); no instance is built, no signal sent.
        "run_after": get_date_max()}))
