"""Field work: tasks and their customers, task entries, versioned forms and submissions,
photos, bids (FW1-FW7).

Coordinates never live here: a located action points at the attendance ``LocationEvent``
that carried its fix (stored through the same capture as check-ins, privacy mode and the
device profile applied), so location retention deletes them on its own schedule.
"""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone

from officium.accounts.models import Membership
from officium.accounts.tenancy import TenantModel
from officium.attendance.models import Device, LocationEvent, Site
from officium.privacy.access import PurposeManager
from officium.privacy.registry import NOT_PERSONAL, exempt, personal_data

WORK = "pd:WorkHistory"


class Status(models.TextChoices):
    """The task flow (FW1): forward only, except a reopened task that was not completed."""

    NEW = "new", "New"
    ASSIGNED = "assigned", "Assigned"
    EN_ROUTE = "en_route", "En route"
    ON_SITE = "on_site", "On site"
    DONE = "done", "Done"
    NOT_COMPLETED = "not_completed", "Not completed"


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


def _token() -> str:
    return secrets.token_urlsafe(24)


@personal_data(
    subject="user",
    fields={"organization": NOT_PERSONAL, "user": NOT_PERSONAL, "name": "pd:Name",
            "email": "pd:EmailAddress", "phone": "pd:TelephoneNumber",
            "eta_opt_out": "pd:PrivacyPreference", "opt_out_token": NOT_PERSONAL,
            "created_at": NOT_PERSONAL},
    retention_anchor="created_at",
    data_type="customer_contact",
    provided_by_subject=False,
)
class Customer(TenantModel):
    """A task's customer contact (FW7): told the arrival estimate by email, never coordinates.

    Usually no account (``user`` is empty): found for access and erasure by the email address.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    name = models.CharField(max_length=120)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    eta_opt_out = models.BooleanField(default=False)
    opt_out_token = models.CharField(max_length=40, unique=True, default=_token)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[PurposeManager[Customer]] = PurposeManager()

    class Meta:
        indexes = [models.Index(Upper("email"), name="fieldwork_customer_email_ci")]

    def __str__(self) -> str:
        return self.name


@exempt("A form's name and who made it; the versions hold field definitions, no personal values.")
class Form(TenantModel):
    name = models.CharField(max_length=120)
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def current(self) -> FormVersion | None:
        return self.versions.order_by("-number").first()


@exempt("A versioned form definition (field ids, types, labels, choices): no personal values.")
class FormVersion(TenantModel):
    """Never changed once saved: a new definition is a new version (FW3)."""

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["form", "number"]
        constraints = [models.UniqueConstraint(fields=["form", "number"], name="fieldwork_form_version_once")]

    @property
    def fields(self) -> list[dict[str, object]]:
        return list(self.definition.get("fields", []))


@exempt("A job: title, times, status and a destination place entered by the manager; the "
        "customer's details live in Customer, the members' reports in TaskEntry.")
class Task(TenantModel):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    destination_latitude = models.FloatField(null=True, blank=True)
    destination_longitude = models.FloatField(null=True, blank=True)
    address = models.CharField(max_length=300, blank=True)
    window_start = models.DateTimeField(null=True, blank=True)
    window_end = models.DateTimeField(null=True, blank=True)
    form = models.ForeignKey(Form, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Each step timed (FW1).
    assigned_at = models.DateTimeField(null=True, blank=True)
    en_route_at = models.DateTimeField(null=True, blank=True)
    on_site_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # FW7: the last estimate the customer was told.
    eta_minutes = models.PositiveIntegerField(null=True, blank=True)
    eta_sent_at = models.DateTimeField(null=True, blank=True)
    # When a plain location sync last re-estimated it (throttle, eta.after_fix).
    eta_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["window_start", "pk"]
        indexes = [models.Index(fields=["organization", "window_start"]),
                   models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return self.title


@exempt("Who is assigned to a task: ids and a time.")
class TaskAssignment(TenantModel):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "member"], name="fieldwork_assignee_once")]


_LOCATED = {"organization": NOT_PERSONAL, "member": NOT_PERSONAL, "device": NOT_PERSONAL,
            "location": NOT_PERSONAL, "client_id": NOT_PERSONAL, "occurred_at": WORK,
            "received_at": NOT_PERSONAL}


class Located(TenantModel):
    """An action a member reports, located as their profile and privacy mode allow (LO2, LO3);
    exactly once per (member, client id) from a phone's offline queue (FW8)."""

    # The member leads each concrete model's unique (member, client id) key: no index of its own
    # to write for each of a batch's rows.
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+", db_index=False)
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    location = models.ForeignKey(LocationEvent, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    client_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001  (NULLs never clash)
    occurred_at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


@personal_data(subject="member__user", fields={**_LOCATED, "task": NOT_PERSONAL, "status": WORK,
                                               "note": WORK, "submission": NOT_PERSONAL},
               retention_anchor="occurred_at", data_type="field_activity")
class TaskEntry(Located):
    """A member's progress report on a task (FW2): a status step, a note, photos, a form."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="entries")
    status = models.CharField(max_length=14, choices=Status.choices, blank=True)
    note = models.TextField(blank=True)
    submission = models.ForeignKey("Submission", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects: ClassVar[PurposeManager[TaskEntry]] = PurposeManager()

    class Meta:
        ordering = ["occurred_at", "pk"]
        verbose_name_plural = "task entries"
        constraints = [models.UniqueConstraint(fields=["member", "client_id"], name="fieldwork_entry_once")]


@personal_data(subject="member__user", fields={**_LOCATED, "version": NOT_PERSONAL, "task": NOT_PERSONAL,
                                               "answers": WORK},
               retention_anchor="occurred_at", data_type="field_activity")
class Submission(Located):
    """A filled form, validated against the version it was filled in (FW3)."""

    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="submissions")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions")
    answers = models.JSONField()

    objects: ClassVar[PurposeManager[Submission]] = PurposeManager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["member", "client_id"], name="fieldwork_submission_once")]


@personal_data(subject="member__user",
               fields={"organization": NOT_PERSONAL, "member": NOT_PERSONAL, "task": NOT_PERSONAL,
                       "entry": NOT_PERSONAL, "client_id": NOT_PERSONAL, "content_type": NOT_PERSONAL,
                       "size": NOT_PERSONAL, "wrapped_key": NOT_PERSONAL, "content": "pd:Picture",
                       "location_kept": NOT_PERSONAL, "created_at": NOT_PERSONAL},
               # Photos exist only where the policy states them (its pd:Picture category): the
               # upload needs the photo permission, which such a policy alone can give (CO5).
               collected_if={"content": "category:pd:Picture"},
               retention_anchor="created_at", data_type="field_photo")
class Photo(TenantModel):
    """A picture taken for a task (FW4): sealed with the vault's streaming AEAD under a data
    key wrapped by the member's own key (erasing them shreds it); metadata stripped unless
    their profile allows location."""

    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="photos")
    entry = models.ForeignKey(TaskEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos")
    client_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    wrapped_key = models.BinaryField()
    content = models.BinaryField()
    location_kept = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[PurposeManager[Photo]] = PurposeManager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["member", "client_id"], name="fieldwork_photo_once")]


class BidStatus(models.TextChoices):
    OPEN = "open", "Open"
    AWARDED = "awarded", "Awarded"
    CANCELLED = "cancelled", "Cancelled"


@exempt("A job offered to several members: ids, times and a status.")
class Bid(TenantModel):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="bids")
    status = models.CharField(max_length=10, choices=BidStatus.choices, default=BidStatus.OPEN)
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    awarded_to = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    awarded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "pk"]


class Answer(models.TextChoices):
    PENDING = "", "Not answered"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


@personal_data(subject="member__user", fields={**_LOCATED, "bid": NOT_PERSONAL, "answer": WORK,
                                               "eta_minutes": WORK, "answered": NOT_PERSONAL},
               retention_anchor="occurred_at", data_type="field_activity")
class BidOffer(Located):
    """One member's copy of a bid and their answer (FW5): accept with an ETA, or decline."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="offers")
    answer = models.CharField(max_length=8, choices=Answer.choices, default=Answer.PENDING, blank=True)
    eta_minutes = models.PositiveIntegerField(null=True, blank=True)
    answered = models.BooleanField(default=False)

    objects: ClassVar[PurposeManager[BidOffer]] = PurposeManager()

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["bid", "member"], name="fieldwork_offer_once"),
                       models.UniqueConstraint(fields=["member", "client_id"], name="fieldwork_offer_client_once")]


@personal_data(subject="uploaded_by__user",
               fields={"organization": NOT_PERSONAL, "task": NOT_PERSONAL, "uploaded_by": NOT_PERSONAL,
                       "name": "pd:PersonalDocuments", "content_type": NOT_PERSONAL, "size": NOT_PERSONAL,
                       "wrapped_key": NOT_PERSONAL, "content": "pd:PersonalDocuments",
                       "created_at": NOT_PERSONAL},
               retention_anchor="created_at", data_type="field_attachment")
class TaskAttachment(TenantModel):
    """A document a dispatcher attaches to a task (FW1): a work order, a plan, a manual, for its
    assignees to open. Sealed like a photo (streaming AEAD, a per-file key wrapped by the
    uploader's vault key): erasing the uploader shreds it."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    wrapped_key = models.BinaryField()
    content = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[PurposeManager[TaskAttachment]] = PurposeManager()

    class Meta:
        ordering = ["created_at", "pk"]
