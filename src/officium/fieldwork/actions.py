"""Field actions replayed from a phone's offline queue through attendance's batch endpoint
(FW8): each queued event carries ``kind`` (task_entry, form, bid), its client id, time and
fix, and a ``data`` payload checked here. Attendance stores the location event (privacy mode
and the device profile applied again on the server); these handlers then write the domain row,
once per (member, client id) however often the queue is replayed.

Payloads:
- task_entry: ``{"task_id", "status", "note"}``
- form: ``{"form_id", "version", "answers", "task_id"?}``
- bid: ``{"offer_id", "answer", "eta_minutes"?}``

A batch may hold thousands of actions: what a check looks up (a task, whether the member may
report on it, a form's current version) is looked up once per batch (``memo``); notes and
submissions are inserted in bulk, counted by kind in the audit entry attendance writes for each
chunk (``attendance.events_synced``, details ``actions``); status steps, which move a task and
may tell its customer (FW7), are applied one by one in time order (each audited as a step).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models.constants import OnConflict
from django.utils import timezone

from officium.attendance.ingest import BrokenEvent, Item, register_action
from officium.attendance.models import Device, EventKind, LocationStatus
from officium.db import datetime_adapter, executemany
from officium.fieldwork import bids, definitions, eta, services
from officium.fieldwork.models import BidOffer, FormVersion, Status, Submission, Task, TaskEntry
from officium.shard.tenancy import unique_key_scope

DROPPED = (LocationStatus.PAUSED, LocationStatus.NOT_COLLECTED)
Items = list[Item]


def _object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise BrokenEvent("data", "Send the action's data as an object.")
    return data


@dataclass(frozen=True, slots=True)
class TaskRef:
    """A task as a batch's checks see it: its id and its status when the batch was read (a
    store that moves the task reads it afresh, under its row lock)."""

    pk: int
    status: str


def _task(device: Device, task_id: Any, memo: dict[Any, Any]) -> TaskRef:
    """A task the device's member may report on (an assignee's, or any for a dispatcher):
    all of them read once per batch, ids and statuses only."""
    if type(task_id) is not int:
        raise BrokenEvent("data.task_id", "Name the task by its id.")
    if "tasks" not in memo:
        memo["tasks"] = {pk: TaskRef(pk, status) for pk, status in services.visible_task_states(device.member).items()}
    task = memo["tasks"].get(task_id)
    if task is None:
        raise BrokenEvent("data.task_id", "No such task for you.")
    return task  # type: ignore[no-any-return]


def _version(device: Device, data: dict[str, Any], memo: dict[Any, Any]) -> FormVersion:
    key = ("form", data.get("form_id"), data.get("version"))
    if key not in memo:
        try:
            memo[key] = services.current_version(device.member, data.get("form_id"), data.get("version"))
        except ValidationError as error:
            memo[key] = error
    if isinstance(memo[key], ValidationError):
        raise memo[key]
    return memo[key]  # type: ignore[no-any-return]


ENTRY_COLUMNS = ("organization_id", "member_id", "device_id", "task_id", "status", "note", "location_id",
                 "occurred_at", "received_at", "client_id")
SUBMISSION_COLUMNS = ("organization_id", "member_id", "device_id", "version_id", "task_id", "answers", "location_id",
                      "occurred_at", "received_at", "client_id")


def insert(model: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> int:
    """One ``executemany`` (as attendance's ingest does for location events): preparing each
    value of each model instance for ``bulk_create`` costs more than the insert itself. The
    rows hold database values: times through ``datetime_adapter``, JSON through the
    connection's ``adapt_json_value``. Duplicates by (member, client id) are skipped by the
    constraint."""
    if not rows:
        return 0
    ops = connection.ops
    names = ", ".join(ops.quote_name(c) for c in columns)
    table = ops.quote_name(model._meta.db_table)
    suffix = ops.on_conflict_suffix_sql(None, OnConflict.IGNORE, None, None)
    sql = (f"{ops.insert_statement(on_conflict=OnConflict.IGNORE)} {table} ({names}) "
           f"VALUES ({', '.join(['%s'] * len(columns))}) {suffix}")
    return executemany(sql, rows)


def _done(model: Any, device: Device, items: Items) -> set[str]:
    return set(model.objects.order_by().filter(  # the whole unique key: one index probe each
        member=device.member, client_id__in=[i[0] for i in items], **unique_key_scope(device.organization_id))
        .values_list("client_id", flat=True))


class EntryAction:
    def check(self, device: Device, data: Any, memo: dict[Any, Any]) -> Any:
        data = _object(data)
        task = _task(device, data.get("task_id"), memo)
        status, note = data.get("status") or "", data.get("note") or ""
        if type(status) is not str or type(note) is not str:
            raise BrokenEvent("data.note", "Status and note are text.")
        note = note.strip()
        if len(note) > services.MAX_NOTE:
            raise BrokenEvent("data.note", f"At most {services.MAX_NOTE} characters.")
        if status:
            services.check_step(task.status, status)
        elif not note:
            raise BrokenEvent("data.note", "Write a note or choose a status.")
        return task, status, note

    def store(self, device: Device, items: Items, new: bool = False) -> int:
        done = set() if new else _done(TaskEntry, device, items)
        fresh = [i for i in items if i[0] not in done]
        member, now = device.member, timezone.now()
        steps = [i for i in fresh if i[2][1]]
        notes = [(task, note, location_id, stored_at, cid)
                 for cid, _, (task, status, note), location_id, _, stored_at in fresh if not status]
        head = (member.organization_id, member.pk, device.pk)
        received = datetime_adapter(connection.vendor)(now)
        count = insert(TaskEntry, ENTRY_COLUMNS, [(*head, task.pk, "", note, location_id, stored_at, received, cid)
                                                  for task, note, location_id, stored_at, cid in notes])
        for cid, at, (task, status, note), location_id, *_ in sorted(steps, key=lambda i: i[1]):
            task = Task.objects.select_for_update().get(pk=task.pk)
            if task.status in services.FINAL or services.RANK[Status(task.status)] >= services.RANK[Status(status)]:
                status = ""  # overtaken by a later step: kept as a note
                if not note:
                    continue
            services.write_entry(member, task, status, note, location_id, at, device, cid)
            count += 1
        for pk in {n[0].pk for n in notes if n[0].status == Status.EN_ROUTE}:
            eta.after_entry(Task.objects.get(pk=pk), member, "")  # a new fix may move the customer's estimate
        return count


class FormAction:
    def check(self, device: Device, data: Any, memo: dict[Any, Any]) -> Any:
        data = _object(data)
        task = _task(device, data["task_id"], memo) if data.get("task_id") is not None else None
        version = _version(device, data, memo)
        answers = definitions.clean_answers(version.definition, data.get("answers"), keep_location=True)
        return version, answers, task

    def store(self, device: Device, items: Items, new: bool = False) -> int:
        done = set() if new else _done(Submission, device, items)
        fresh = [i for i in items if i[0] not in done]
        member, now = device.member, timezone.now()
        head = (member.organization_id, member.pk, device.pk)
        received = datetime_adapter(connection.vendor)(now)
        # What the field's get_db_prep_save ends in for a dict, without its per-value checks.
        as_json, encoder = connection.ops.adapt_json_value, Submission._meta.get_field("answers").encoder
        rows = []
        for cid, _, (version, answers, task), location_id, location_status, stored_at in fresh:
            if location_status in DROPPED:  # privacy mode or profile: no location answers
                answers = definitions.clean_answers(version.definition, answers, keep_location=False)
            rows.append((*head, version.pk, task.pk if task else None, as_json(answers, encoder),
                         location_id, stored_at, received, cid))
        count = insert(Submission, SUBMISSION_COLUMNS, rows)
        return count


class BidAction:
    def check(self, device: Device, data: Any, memo: dict[Any, Any]) -> Any:
        data = _object(data)
        offer_id = data.get("offer_id")
        offer = BidOffer.objects.select_related("bid", "member").filter(
            pk=offer_id, member=device.member).first() if type(offer_id) is int else None
        if offer is None:
            raise BrokenEvent("data.offer_id", "No such bid for you.")
        bids.check_answer(offer, data.get("answer"), data.get("eta_minutes"))
        return offer, data["answer"], data.get("eta_minutes")

    def store(self, device: Device, items: Items, new: bool = False) -> int:
        done, count = (set() if new else _done(BidOffer, device, items)), 0
        for cid, at, (offer, answer, eta_minutes), location_id, *_ in items:
            if cid in done:
                continue
            try:
                bids.write_answer(offer, answer, eta_minutes, location_id, at, device, cid)
            except ValidationError:
                continue  # answered meanwhile (twice in one queue): the first answer stands
            count += 1
        return count


def register() -> None:
    register_action(EventKind.TASK_ENTRY, EntryAction())
    register_action(EventKind.FORM, FormAction())
    register_action(EventKind.BID, BidAction())
