"""Field actions replayed from a phone's offline queue through attendance's batch endpoint
(FW8): each queued event carries ``kind`` (task_entry, form, bid), its client id, time and
fix, and a ``data`` payload checked here. Attendance stores the location event (privacy mode
and the device profile applied again on the server); these handlers then write the domain row,
once per (member, client id) however often the queue is replayed.

Payloads:
- task_entry: ``{"task_id", "status", "note"}``
- form: ``{"form_id", "version", "answers", "task_id"?}``
- bid: ``{"offer_id", "answer", "eta_minutes"?}``
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from officium.attendance.ingest import BrokenEvent, register_action
from officium.attendance.models import Device, EventKind, LocationEvent, LocationStatus
from officium.fieldwork import bids, definitions, services
from officium.fieldwork.models import BidOffer, Status, Submission, Task, TaskEntry

DROPPED = (LocationStatus.PAUSED, LocationStatus.NOT_COLLECTED)


def _object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise BrokenEvent("data", "Send the action's data as an object.")
    return data


def _task(device: Device, task_id: Any, field: str = "task_id") -> Task:
    if type(task_id) is not int:
        raise BrokenEvent(f"data.{field}", "Name the task by its id.")
    task = services.visible_tasks(device.member).filter(pk=task_id).first()
    if task is None:
        raise BrokenEvent(f"data.{field}", "No such task.")
    return task


def _done(model: Any, device: Device, items: list[tuple[str, dt.datetime, Any, int | None]]) -> set[str]:
    return set(model.objects.filter(member=device.member, client_id__in=[i[0] for i in items])
               .values_list("client_id", flat=True))


def _guard(check: Any) -> Any:
    try:
        return check()
    except PermissionDenied as denied:
        raise BrokenEvent("data", str(denied) or "Not allowed.") from None


class EntryAction:
    def check(self, device: Device, data: Any) -> Any:
        data = _object(data)
        task = _task(device, data.get("task_id"))
        status, note = data.get("status") or "", data.get("note") or ""
        if type(status) is not str or type(note) is not str:
            raise BrokenEvent("data.note", "Status and note are text.")
        _guard(lambda: services.check_entry(device.member, task, status, note.strip()))
        return task.pk, status, note.strip()

    def store(self, device: Device, items: list[tuple[str, dt.datetime, Any, int | None]]) -> int:
        done, count = _done(TaskEntry, device, items), 0
        for cid, at, (task_id, status, note), location_id in items:
            if cid in done:
                continue
            task = Task.objects.select_for_update().get(pk=task_id)
            if status and (task.status in services.FINAL
                           or services.RANK[Status(task.status)] >= services.RANK[Status(status)]):
                status = ""  # overtaken by a later step: kept as a note
                if not note:
                    continue
            services.write_entry(device.member, task, status, note, location_id, at, device, cid)
            count += 1
        return count


class FormAction:
    def check(self, device: Device, data: Any) -> Any:
        data = _object(data)
        task = _task(device, data["task_id"]) if data.get("task_id") is not None else None
        version = services.current_version(device.member, data.get("form_id"), data.get("version"))
        answers = _guard(lambda: services.check_submission(device.member, version, data.get("answers"), task, True))
        return version, answers, task

    def store(self, device: Device, items: list[tuple[str, dt.datetime, Any, int | None]]) -> int:
        done, count = _done(Submission, device, items), 0
        statuses: dict[int | None, str] = dict(LocationEvent.objects.filter(
            pk__in=[i[3] for i in items if i[3]]).values_list("pk", "location_status"))
        for cid, at, (version, answers, task), location_id in items:
            if cid in done:
                continue
            if statuses.get(location_id) in DROPPED:  # privacy mode or profile: no location answers
                answers = definitions.clean_answers(version.definition, answers, keep_location=False)
            services.write_submission(device.member, version, answers, task, location_id, at, device, cid)
            count += 1
        return count


class BidAction:
    def check(self, device: Device, data: Any) -> Any:
        data = _object(data)
        offer_id = data.get("offer_id")
        offer = BidOffer.objects.select_related("bid", "member").filter(
            pk=offer_id, member=device.member).first() if type(offer_id) is int else None
        if offer is None:
            raise BrokenEvent("data.offer_id", "No such bid for you.")
        bids.check_answer(offer, data.get("answer"), data.get("eta_minutes"))
        return offer, data["answer"], data.get("eta_minutes")

    def store(self, device: Device, items: list[tuple[str, dt.datetime, Any, int | None]]) -> int:
        done, count = _done(BidOffer, device, items), 0
        for cid, at, (offer, answer, eta_minutes), location_id in items:
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
