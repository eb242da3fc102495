"""Sites and their fences, check-in records, location events, privacy mode, devices, alerts.

Coordinates live only in ``LocationEvent`` (through the ``coordinates`` seam, sealed under
the member's vault key): a check-in
record points at the event that carried its fix, so retention can delete locations after
their period while the attendance record (times and verdicts) keeps its own.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from officium.accounts import localtime
from officium.accounts.models import Membership
from officium.accounts.tenancy import TenantModel
from officium.attendance import coordinates
from officium.attendance.geofence import Verdict
from officium.privacy.access import PurposeManager
from officium.privacy.registry import NOT_PERSONAL, exempt, personal_data

__all__ = ["Verdict"]

WORK = "pd:WorkHistory"
GPS = "pd:GPSCoordinate"
DEVICE = "pd:DeviceOperatingSystem"


class EventKind(models.TextChoices):
    ATTENDANCE = "attendance", "Attendance entry"
    APP_OPEN = "app_open", "App opened"
    LOCATION_REQUEST = "location_request", "Location request"
    TASK_ENTRY = "task_entry", "Task entry"
    FORM = "form", "Form submission"
    BID = "bid", "Bid response"
    SYNC = "sync", "Full sync"


class LocationStatus(models.TextChoices):
    RECORDED = "recorded", "Location recorded"
    PAUSED = "paused", "Location paused (privacy mode)"
    NOT_COLLECTED = "not_collected", "Not collected (device profile)"
    NONE = "none", "No location available"


class Direction(models.TextChoices):
    IN = "in", "Check-in"
    OUT = "out", "Check-out"


class Shape(models.TextChoices):
    CIRCLE = "circle", "Circle"
    POLYGON = "polygon", "Polygon"


class WithoutLocation(models.TextChoices):
    """What happens to a check-in that carries no location (WT9)."""

    REFUSE = "refuse", "Refuse it"
    REVIEW = "review", "Hold it for a manager's review"
    ACCEPT = "accept", "Accept it"


class RepeatCheckIn(models.TextChoices):
    """What a check-in while already checked in does (WT3)."""

    REFUSE = "refuse", "Refuse it with a message"
    CHECK_OUT = "check_out", "Turn it into a check-out"


class Review(models.TextChoices):
    NONE = "", "Not reviewed"
    PENDING = "pending", "Waiting for review"
    ACCEPTED = "accepted", "Accepted on review"
    REJECTED = "rejected", "Rejected on review"


class ShiftStatus(models.TextChoices):
    """How a check-in stands against the member's shift, in local time (WT2)."""

    NONE = "", "No shift"
    ON_TIME = "on_time", "On time"
    LATE = "late", "Late"
    EARLY = "early", "Early"
    OUTSIDE = "outside_shift", "Outside the shift"


class AttendanceSettings(TenantModel):
    """An organization's choices: check-in without location (WT9), a repeated check-in (WT3).
    (Its location period is the retention engine's override, see ``attendance.retention``.)"""

    without_location = models.CharField(
        max_length=8, choices=WithoutLocation.choices, default=WithoutLocation.REVIEW,
        help_text="Check-ins without a location (privacy mode, permission denied, no GPS).")
    repeat_check_in = models.CharField(
        max_length=10, choices=RepeatCheckIn.choices, default=RepeatCheckIn.REFUSE,
        help_text="A check-in while already checked in.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="attendance_settings_once")]

    @classmethod
    def of(cls, organization: Any) -> AttendanceSettings:
        organization_id = getattr(organization, "pk", organization)
        found = cls.objects.filter(organization_id=organization_id).first()
        return found or cls(organization_id=organization_id)


class Site(TenantModel):
    """A place people check in at: a circle (centre and radius) or a polygon of corners."""

    name = models.CharField(max_length=120)
    shape = models.CharField(max_length=10, choices=Shape.choices, default=Shape.CIRCLE)
    center_latitude = models.FloatField(null=True, blank=True)
    center_longitude = models.FloatField(null=True, blank=True)
    radius_m = models.FloatField(null=True, blank=True)
    polygon = models.JSONField(default=list, blank=True, help_text="[[latitude, longitude], ...]")
    schedule_start = models.TimeField(null=True, blank=True)
    schedule_end = models.TimeField(null=True, blank=True)
    weekdays = models.JSONField(default=list, blank=True, help_text="0 = Monday ... 6 = Sunday")
    time_zone = models.CharField(max_length=64, blank=True,
                                 help_text="Empty: the organization's time zone (WT1).")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def within_schedule(self, at: datetime, organization_zone: Any) -> bool | None:
        """None when the site has no working hours; else whether ``at`` falls within them,
        judged on the local clock of the site (its own zone, else the organization's)."""
        if self.schedule_start is None or self.schedule_end is None:
            return None
        local = at.astimezone(localtime.zone_for(organization_zone, self))
        if self.weekdays and local.weekday() not in self.weekdays:
            return False
        return self.schedule_start <= local.time() <= self.schedule_end


@personal_data(
    subject="member__user",
    fields={"organization": NOT_PERSONAL, "member": NOT_PERSONAL, "name": DEVICE,
            "platform": DEVICE, "token_prefix": NOT_PERSONAL, "token_hash": NOT_PERSONAL,
            "created_by": NOT_PERSONAL, "created_at": NOT_PERSONAL, "last_seen_at": NOT_PERSONAL,
            "expires_at": NOT_PERSONAL, "revoked_at": NOT_PERSONAL},
    retention_anchor="created_at",
    data_type="device",
)
class Device(TenantModel):
    """A member's phone, connected with a single-use code; authenticates with a bearer token."""

    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    platform = models.CharField(max_length=100, blank=True)
    token_prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[PurposeManager[Device]] = PurposeManager()

    class Meta:
        ordering = ["-created_at", "pk"]

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


@exempt("A hash of a single-use code, its lifetime and ids; no personal values.")
class ConnectionCode(TenantModel):
    """The "resource card": a short-lived, single-use code a device exchanges for a token."""

    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")


@exempt("Which event kinds a member's device may send with a location: a setting, ids only.")
class DeviceProfile(TenantModel):
    """Set by the member's manager (LO5): the events a device may attach a location to."""

    member = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="+")
    location_kinds = models.JSONField(default=list)
    updated_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    DEFAULT_KINDS = tuple(EventKind.values)

    @classmethod
    def kinds_for(cls, member: Membership) -> frozenset[str]:
        found = cls.objects.filter(member=member).values_list("location_kinds", flat=True).first()
        return frozenset(cls.DEFAULT_KINDS if found is None else found)


@personal_data(
    subject="member__user",
    fields={"organization": NOT_PERSONAL, "member": NOT_PERSONAL,
            "enabled": "pd:PrivacyPreference", "changed_at": NOT_PERSONAL, "source": NOT_PERSONAL},
    retention_anchor="changed_at",
    data_type="privacy_choice",
)
class PrivacyModeChange(TenantModel):
    """Append-only: each switch of privacy mode (LO3, LO6); the latest row is the state."""

    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField()
    changed_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=16, default="web")

    objects: ClassVar[PurposeManager[PrivacyModeChange]] = PurposeManager()

    class Meta:
        ordering = ["changed_at", "pk"]
        indexes = [models.Index(fields=["member", "changed_at"])]


@personal_data(
    subject="member__user",
    fields={"organization": NOT_PERSONAL, "member": NOT_PERSONAL, "device": NOT_PERSONAL,
            "kind": WORK, "client_event_id": NOT_PERSONAL, "occurred_at": WORK,
            "received_at": NOT_PERSONAL, "latitude": GPS, "longitude": GPS, "accuracy_m": GPS,
            "location_status": WORK, "suspected_mock": WORK},
    retention_anchor="occurred_at",
    data_type="location",
)
class LocationEvent(TenantModel):
    """One event that may carry a fix (LO2): an attendance entry, an app open, a sync..."""

    # Thousands of rows per batch sync: no index of their own for the organization, the member
    # and the device, each is the first column of a composite index below (fewer to write).
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, db_index=False)
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+", db_index=False)
    # The device leads the unique (device, client event id) key below.
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               db_index=False)
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    # NULL for events without a device queue (web check-ins): NULLs never clash in the constraint.
    client_event_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField()
    latitude = coordinates.latitude_field()
    longitude = coordinates.longitude_field()
    accuracy_m = coordinates.accuracy_field()
    location_status = models.CharField(max_length=16, choices=LocationStatus.choices)
    suspected_mock = models.BooleanField(default=False)

    objects: ClassVar[PurposeManager[LocationEvent]] = PurposeManager()

    class Meta:
        ordering = ["occurred_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["device", "client_event_id"],
                                               name="attendance_event_once_per_device")]
        indexes = [models.Index(fields=["organization", "occurred_at"]),
                   models.Index(fields=["member", "occurred_at"])]

    @property
    def fix(self) -> coordinates.Fix | None:
        return coordinates.point_of(self)


@personal_data(
    subject="member__user",
    fields={"organization": NOT_PERSONAL, "member": NOT_PERSONAL, "direction": WORK,
            "occurred_at": WORK, "verdict": WORK, "accepted": WORK, "site": NOT_PERSONAL,
            "location": NOT_PERSONAL, "within_schedule": WORK, "suspected_mock": WORK,
            "device": NOT_PERSONAL, "review": WORK, "reviewed_by": NOT_PERSONAL,
            "reviewed_at": NOT_PERSONAL, "work_day": WORK, "shift_status": WORK},
    retention_anchor="occurred_at",
    data_type="attendance",
)
class AttendanceRecord(TenantModel):
    """A check-in or check-out attempt, successful or not (LO1).

    ``work_day`` is the local day the attempt counts on (the day its shift started, WT2) and
    ``shift_status`` how it stood against that shift, both judged when it was stored. One held
    for review (WT9) is not ``accepted`` until a manager accepts it; it counts as provisional
    for the member's in/out state meanwhile.
    """

    # Written by every check-in: the organization and the member lead composite indexes below,
    # so neither has an index of its own to keep up to date.
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, db_index=False)
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+", db_index=False)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    verdict = models.CharField(max_length=12, choices=Verdict.choices)
    accepted = models.BooleanField()
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    location = models.ForeignKey(LocationEvent, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    within_schedule = models.BooleanField(null=True, blank=True)
    suspected_mock = models.BooleanField(default=False)
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    review = models.CharField(max_length=8, choices=Review.choices, default=Review.NONE, blank=True)
    # Indexed below only where set: a check-in (never reviewed yet) writes no entry for it.
    reviewed_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", db_index=False)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    work_day = models.DateField(null=True, blank=True)
    shift_status = models.CharField(max_length=13, choices=ShiftStatus.choices, default=ShiftStatus.NONE,
                                    blank=True)

    objects: ClassVar[PurposeManager[AttendanceRecord]] = PurposeManager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        # (occurred_at, id) is the report's keyset order: PostgreSQL walks this index backwards
        # and stops after a page (SQLite's indexes end with the rowid already).
        indexes = [models.Index(fields=["organization", "occurred_at", "id"], name="attendance_org_time_id"),
                   models.Index(fields=["member", "occurred_at"]),
                   # Every check-in writes each index's page: these two hold only the rows
                   # their readers look for (the review queue; a reviewer's rows on erasure).
                   models.Index(fields=["organization", "review"], condition=Q(review=Review.PENDING),
                                name="attendance_pending_review"),
                   models.Index(fields=["reviewed_by"], condition=Q(reviewed_by__isnull=False),
                                name="attendance_reviewed_by"),
                   # PV6: a release counts accepted check-ins per person, day and site; this
                   # index hands them over already grouped (no sort of the table's rows).
                   models.Index(fields=["organization", "member", "work_day", "site"],
                                condition=Q(direction="in", accepted=True, site__isnull=False),
                                name="attendance_dp_member_day_site")]

    @property
    def counts(self) -> bool:
        """Whether it moves the member in or out: accepted, or waiting for review."""
        return self.accepted or self.review == Review.PENDING


@personal_data(
    subject="member__user",
    fields={"organization": NOT_PERSONAL, "member": NOT_PERSONAL, "site": NOT_PERSONAL,
            "inside": GPS, "changed_at": WORK},
    retention_anchor="changed_at",
    data_type="location",
)
class SitePresence(TenantModel):
    """Whether a member was last seen inside a site: what enter and exit alerts compare with."""

    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    inside = models.BooleanField()
    changed_at = models.DateTimeField()

    objects: ClassVar[PurposeManager[SitePresence]] = PurposeManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "site"], name="attendance_presence_once")]


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the device"
    ANSWERED = "answered", "Answered with a location"
    PAUSED = "paused", "Answered without location (privacy mode)"


@personal_data(
    subject="member__user",
    fields={"organization": NOT_PERSONAL, "member": NOT_PERSONAL, "requested_by": NOT_PERSONAL,
            "created_at": NOT_PERSONAL, "answered_at": WORK, "status": WORK, "event": NOT_PERSONAL},
    retention_anchor="created_at",
    data_type="location",
)
class LocationRequest(TenantModel):
    """A manager asks where a member is; the member's device answers unless privacy mode is on."""

    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    event = models.ForeignKey(LocationEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects: ClassVar[PurposeManager[LocationRequest]] = PurposeManager()


class AlertKind(models.TextChoices):
    ENTER = "enter", "Entered"
    EXIT = "exit", "Left"
    ETA = "eta", "On the way to"


@personal_data(
    subject="member__user",
    fields={"organization": NOT_PERSONAL, "recipient": NOT_PERSONAL, "member": NOT_PERSONAL,
            "kind": WORK, "site": NOT_PERSONAL, "eta_minutes": WORK, "created_at": WORK,
            "read_at": NOT_PERSONAL},
    retention_anchor="created_at",
    data_type="location",
)
class Notification(TenantModel):
    """An in-app alert (LO4) about ``member`` for ``recipient``; rendered from ids, never text."""

    recipient = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=AlertKind.choices)
    site = models.ForeignKey(Site, null=True, on_delete=models.SET_NULL, related_name="+")
    eta_minutes = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[PurposeManager[Notification]] = PurposeManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "created_at"])]
