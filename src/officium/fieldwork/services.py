"""Tasks (FW1), task entries (FW2), forms and submissions (FW3): every operation takes the
acting membership, validates first, then writes and audits in one transaction.

A located action (entry, submission, bid answer) stores its attendance ``LocationEvent``
through ``capture.locate`` (web/API) or the device batch (``actions``), so privacy mode and
the device profile decide its coordinates in one place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from officium.accounts.models import Membership
from officium.accounts.roles import WORKING_ROLES
from officium.attendance.coordinates import Fix
from officium.attendance.geofence import validate_fix
from officium.attendance.models import Device, EventKind, Site
from officium.db import Prepared
from officium.fieldwork import audit_events as ev
from officium.fieldwork import capture, definitions, eta
from officium.fieldwork.models import (
    Customer,
    Form,
    FormVersion,
    Priority,
    Status,
    Submission,
    Task,
    TaskAssignment,
    TaskEntry,
)
from officium.fieldwork.rules import is_dispatcher
from officium.notifications.services import notify
from officium.privacy import audit
from officium.text import validate_name

RANK = {Status.NEW: 0, Status.ASSIGNED: 1, Status.EN_ROUTE: 2, Status.ON_SITE: 3,
        Status.DONE: 4, Status.NOT_COMPLETED: 4}
FINAL = (Status.DONE, Status.NOT_COMPLETED)
STEP_FIELD = {Status.ASSIGNED: "assigned_at", Status.EN_ROUTE: "en_route_at", Status.ON_SITE: "on_site_at",
              Status.DONE: "finished_at", Status.NOT_COMPLETED: "finished_at"}
MAX_NOTE = 4000


def require_dispatcher(actor: Membership) -> None:
    if not is_dispatcher(actor):
        raise PermissionDenied("Only owners, administrators and managers dispatch field work.")


def visible_tasks(actor: Membership) -> QuerySet[Task]:
    """Dispatchers see every task of the organization; others the tasks assigned to them."""
    return _visible(actor.organization_id, None if is_dispatcher(actor) else actor.pk)


def _visible(organization_id: int, assignee_id: int | None) -> QuerySet[Task]:
    tasks = Task.objects.filter(organization_id=organization_id)
    if assignee_id is None:
        return tasks
    return tasks.filter(assignments__member=assignee_id).distinct()


# The same rule compiled once per connection (officium.db.Prepared): a phone's batch checks
# hundreds of actions against it, and building the query cost more than running it.
_ALL_STATES = Prepared(lambda org: _visible(org, None).order_by().values_list("id", "status"))
_ASSIGNED_STATES = Prepared(lambda org, member: _visible(org, member).order_by().values_list("id", "status"),
                            kinds=(int, int))


def visible_task_states(actor: Membership) -> dict[int, str]:
    """Id and status of each task of ``visible_tasks``, for checking many actions at once."""
    if is_dispatcher(actor):
        return dict(_ALL_STATES.rows(actor.organization_id))
    return dict(_ASSIGNED_STATES.rows(actor.organization_id, actor.pk))


def is_assignee(task: Task, member: Membership) -> bool:
    return TaskAssignment.objects.filter(task=task, member=member).exists()


# --- tasks (FW1) -----------------------------------------------------------------------

@dataclass
class TaskData:
    title: str
    description: str = ""
    priority: str = Priority.NORMAL
    customer_name: str = ""
    customer_email: str = ""
    customer_phone: str = ""
    site_id: int | None = None
    destination_latitude: float | None = None
    destination_longitude: float | None = None
    address: str = ""
    window_start: dt.datetime | None = None
    window_end: dt.datetime | None = None
    assignee_ids: tuple[int, ...] = ()
    form_id: int | None = None


def _clean_task(actor: Membership, data: TaskData) -> dict[str, Any]:
    title = (data.title or "").strip()
    if not title or len(title) > 200:
        raise ValidationError({"title": "Give the task a title (1-200 characters)."})
    validate_name(title, "title")
    if data.priority not in Priority.values:
        raise ValidationError({"priority": "Choose low, normal, high or urgent."})
    if len(data.description) > MAX_NOTE:
        raise ValidationError({"description": f"At most {MAX_NOTE} characters."})
    site = None
    if data.site_id is not None:
        site = Site.objects.filter(organization_id=actor.organization_id, pk=data.site_id, active=True).first()
        if site is None:
            raise ValidationError({"site_id": "Choose one of your organization's sites."})
    if (data.destination_latitude is None) != (data.destination_longitude is None):
        raise ValidationError({"destination_latitude": "Give both latitude and longitude, or neither."})
    if data.destination_latitude is not None:
        validate_fix(data.destination_latitude, data.destination_longitude, None)
    if data.window_start and data.window_end and data.window_end < data.window_start:
        raise ValidationError({"window_end": "The window ends before it starts."})
    for moment, name in ((data.window_start, "window_start"), (data.window_end, "window_end")):
        if moment is not None and timezone.is_naive(moment):
            raise ValidationError({name: "Give the time with its UTC offset."})
    if len(data.address) > 300:
        raise ValidationError({"address": "At most 300 characters."})
    form = None
    if data.form_id is not None:
        form = Form.objects.filter(organization_id=actor.organization_id, pk=data.form_id, archived=False).first()
        if form is None:
            raise ValidationError({"form_id": "Choose one of your organization's forms."})
    customer = _clean_customer(data)
    members = _assignees(actor, data.assignee_ids)
    return {"title": title, "site": site, "form": form, "customer": customer, "members": members}


def _clean_customer(data: TaskData) -> dict[str, str] | None:
    name, email, phone = data.customer_name.strip(), data.customer_email.strip(), data.customer_phone.strip()
    if not (name or email or phone):
        return None
    if not name or len(name) > 120:
        raise ValidationError({"customer_name": "Give the customer's name (1-120 characters)."})
    validate_name(name, "customer_name")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"customer_email": "Enter a valid email address."}) from None
    if len(phone) > 40 or any(not (c.isdigit() or c in "+-() ") for c in phone):
        raise ValidationError({"customer_phone": "Enter a phone number (digits, spaces, + - ( ))."})
    return {"name": name, "email": email, "phone": phone}


def _assignees(actor: Membership, ids: tuple[int, ...] | list[int]) -> list[Membership]:
    wanted = set(ids)
    members = list(Membership.objects.filter(organization_id=actor.organization_id, pk__in=wanted,
                                             role__in=WORKING_ROLES, user__is_active=True))
    if len(members) != len(wanted):
        raise ValidationError({"assignee_ids": "Choose working members of your organization."})
    return members


def create_task(actor: Membership, data: TaskData) -> Task:
    require_dispatcher(actor)
    clean = _clean_task(actor, data)
    now = timezone.now()
    with transaction.atomic():
        customer = None
        if clean["customer"]:
            customer = Customer.objects.create(organization_id=actor.organization_id, **clean["customer"])
        task = Task.objects.create(
            organization_id=actor.organization_id, title=clean["title"], description=data.description,
            priority=data.priority, customer=customer, site=clean["site"], address=data.address.strip(),
            destination_latitude=data.destination_latitude, destination_longitude=data.destination_longitude,
            window_start=data.window_start, window_end=data.window_end, form=clean["form"], created_by=actor,
            status=Status.ASSIGNED if clean["members"] else Status.NEW,
            assigned_at=now if clean["members"] else None)
        TaskAssignment.objects.bulk_create([
            TaskAssignment(organization_id=actor.organization_id, task=task, member=m) for m in clean["members"]])
        audit.record(ev.TASK_CREATED, actor=actor.user_id, organization=actor.organization_id, target=task,
                     details={"assignees": sorted(m.pk for m in clean["members"])})
        _tell_assigned(actor, task, clean["members"])
    return task


def assign(actor: Membership, task: Task, member_ids: list[int]) -> Task:
    """Replace a task's assignees (reassignment, FW6); a new task becomes assigned."""
    require_dispatcher(actor)
    if task.status in FINAL:
        raise ValidationError({"assignee_ids": "This task is finished; it cannot be reassigned."})
    if not member_ids:
        raise ValidationError({"assignee_ids": "Choose at least one member."})
    members = _assignees(actor, member_ids)
    with transaction.atomic():
        TaskAssignment.objects.filter(task=task).exclude(member__in=members).delete()
        have = set(TaskAssignment.objects.filter(task=task).values_list("member_id", flat=True))
        TaskAssignment.objects.bulk_create([TaskAssignment(organization_id=task.organization_id, task=task, member=m)
                                            for m in members if m.pk not in have])
        _tell_assigned(actor, task, [m for m in members if m.pk not in have])
        if task.status == Status.NEW:
            Task.objects.filter(pk=task.pk).update(status=Status.ASSIGNED, assigned_at=timezone.now())
        audit.record(ev.TASK_ASSIGNED, actor=actor.user_id, organization=actor.organization_id, target=task,
                     details={"assignees": sorted(m.pk for m in members)})
    task.refresh_from_db()
    return task


def _tell_assigned(actor: Membership, task: Task, members: list[Membership]) -> None:
    url = reverse("fieldwork:task", kwargs={"org": actor.organization.slug, "task_id": task.pk})
    for m in members:
        if m.pk != actor.pk:
            notify(m.user, actor.organization, "fieldwork.task_assigned", f"New task for you: {task.title}", url=url)


def check_step(current: str, status: str) -> None:
    """Forward only (FW1): new, assigned, en route, on site, then done or not completed;
    ``current`` is the task's status."""
    if status not in Status.values or status in (Status.NEW, Status.ASSIGNED):
        raise ValidationError({"status": "Choose en route, on site, done or not completed."})
    if current in FINAL:
        raise ValidationError({"status": "This task is already finished."})
    if RANK[Status(status)] <= RANK[Status(current)]:
        raise ValidationError({"status": f"The task is already {Status(current).label.lower()}; "
                                         "it cannot move back."})


def _apply_step(task: Task, status: str, at: dt.datetime) -> None:
    changed = Task.objects.filter(pk=task.pk, status=task.status).update(status=status, **{STEP_FIELD[Status(status)]: at})
    if not changed:
        raise ValidationError({"status": "The task changed meanwhile; reload it."})
    task.status = status


# --- task entries (FW2) ---------------------------------------------------------------

def _entry_access(member: Membership, task: Task) -> None:
    if task.organization_id != member.organization_id:
        raise PermissionDenied
    if not (is_assignee(task, member) or is_dispatcher(member)):
        raise PermissionDenied("Only the task's assignees and dispatchers report on it.")


def check_entry(member: Membership, task: Task, status: str, note: str) -> None:
    _entry_access(member, task)
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": f"At most {MAX_NOTE} characters."})
    if status:
        check_step(task.status, status)
    elif not note.strip():
        raise ValidationError({"note": "Write a note or choose a status."})


def write_entry(member: Membership, task: Task, status: str, note: str, location_id: int | None,
                at: dt.datetime, device: Device | None = None, client_id: str | None = None) -> TaskEntry:
    """Inside a transaction, after ``check_entry``."""
    if status:
        _apply_step(task, status, at)
    entry = TaskEntry.objects.create(organization_id=member.organization_id, member=member, task=task,
                                     status=status, note=note, location_id=location_id, occurred_at=at,
                                     device=device, client_id=client_id)
    audit.record(ev.ENTRY_ADDED, actor=member.user_id, organization=member.organization_id,
                 subject=member.user_id, target=entry, details={"task": task.pk, "status": status})
    if status:
        audit.record(ev.TASK_STATUS, actor=member.user_id, organization=member.organization_id,
                     target=task, details={"status": status})
    eta.after_entry(task, member, status)
    return entry


def add_entry(actor: Membership, task: Task, *, status: str = "", note: str = "",
              fix: Fix | None = None, device: Device | None = None) -> TaskEntry:
    note = (note or "").strip()
    check_entry(actor, task, status, note)
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        if status:
            check_step(task.status, status)
        location = capture.locate(actor, EventKind.TASK_ENTRY, fix, device=device)
        return write_entry(actor, task, status, note, location.pk, location.occurred_at, device)


# --- forms (FW3) ----------------------------------------------------------------------

def save_form(actor: Membership, name: str, definition: Any, form: Form | None = None) -> FormVersion:
    """A new form, or a new version of ``form``; old versions and their submissions stay."""
    require_dispatcher(actor)
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationError({"name": "Name the form (1-120 characters)."})
    validate_name(name, "name")
    clean = definitions.clean_definition(definition)
    with transaction.atomic():
        if form is None:
            form = Form.objects.create(organization_id=actor.organization_id, name=name, created_by=actor)
            number = 1
        else:
            form = Form.objects.select_for_update().get(pk=form.pk)
            Form.objects.filter(pk=form.pk).update(name=name)
            current = form.current
            if current is not None and current.definition == clean:
                return current
            number = (current.number if current else 0) + 1
        version = FormVersion.objects.create(organization_id=actor.organization_id, form=form, number=number,
                                             definition=clean, created_by=actor)
        audit.record(ev.FORM_SAVED, actor=actor.user_id, organization=actor.organization_id, target=version,
                     details={"form": form.pk, "version": number})
    return version


def _version_columns() -> list[str]:
    return [f.attname for f in FormVersion._meta.concrete_fields]


# Compiled once per connection (officium.db.Prepared): a phone's batch looks the version up
# once, a web submission too, and building this joined query cost twenty times running it.
_CURRENT_VERSION = Prepared(lambda org, form: FormVersion.objects.filter(
    organization_id=org, form_id=form, form__archived=False).order_by("-number").values_list(*_version_columns())[:1],
    kinds=(int, int))


def current_version(member: Membership, form_id: Any, number: Any) -> FormVersion:
    """The version a submission names; only the form's current version takes new answers."""
    if type(form_id) is not int:
        raise ValidationError({"form_id": "Name the form by its id."})
    row = _CURRENT_VERSION.first(member.organization_id, form_id)  # the form's newest version
    if row is None:
        raise ValidationError({"form_id": "This form does not exist."})
    current: FormVersion = FormVersion.from_db(DEFAULT_DB_ALIAS, _version_columns(), row)
    if type(number) is not int:
        raise ValidationError({"version": "Name the version the form was filled in."})
    if number != current.number:
        known = FormVersion.objects.filter(form_id=form_id, number=number).exists()
        raise ValidationError({"version": (f"Version {number} of this form was replaced by version "
                                           f"{current.number}; fill in the new version."
                                           if known else f"This form has no version {number}.")})
    return current


def check_submission(member: Membership, version: FormVersion, answers: Any, task: Task | None,
                     keep_location: bool) -> dict[str, Any]:
    if task is not None:
        _entry_access(member, task)
    return definitions.clean_answers(version.definition, answers, keep_location=keep_location)


def write_submission(member: Membership, version: FormVersion, answers: dict[str, Any], task: Task | None,
                     location_id: int | None, at: dt.datetime, device: Device | None = None,
                     client_id: str | None = None) -> Submission:
    submission = Submission.objects.create(
        organization_id=member.organization_id, member=member, version=version, task=task, answers=answers,
        location_id=location_id, occurred_at=at, device=device, client_id=client_id)
    audit.record(ev.FORM_SUBMITTED, actor=member.user_id, organization=member.organization_id,
                 subject=member.user_id, target=submission,
                 details={"form": version.form_id, "version": version.number, "task": task.pk if task else None})
    return submission


def submit_form(actor: Membership, form_id: Any, version: Any, answers: Any, *, task: Task | None = None,
                fix: Fix | None = None, device: Device | None = None) -> Submission:
    form_version = current_version(actor, form_id, version)
    keep = capture.located_allowed(actor, EventKind.FORM)
    clean = check_submission(actor, form_version, answers, task, keep)
    with transaction.atomic():
        location = capture.locate(actor, EventKind.FORM, fix, device=device)
        if location.location_status in ("paused", "not_collected"):  # privacy mode switched on meanwhile
            clean = definitions.clean_answers(form_version.definition, answers, keep_location=False)
        return write_submission(actor, form_version, clean, task, location.pk, location.occurred_at, device)
