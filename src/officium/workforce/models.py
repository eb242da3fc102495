"""Working time above attendance: shift types and who works them (WT2).

A shift type is the organization's pattern (08:00-16:00 on weekdays, 30 minutes of breaks,
5 minutes' grace); an assignment puts one member, or everyone checking in at one site, on it
for a range of days. Times are wall-clock times in the local zone of the day they fall on.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from officium.accounts.models import Membership
from officium.accounts.tenancy import TenantModel
from officium.attendance.models import Site
from officium.privacy.access import PurposeManager
from officium.privacy.registry import NOT_PERSONAL, exempt, personal_data

WORK = "pd:WorkHistory"


@exempt("An organization's shift pattern: a name and wall-clock times, no personal data.")
class ShiftType(TenantModel):
    name = models.CharField(max_length=80)
    start = models.TimeField()
    end = models.TimeField()
    break_minutes = models.PositiveSmallIntegerField(default=0)
    grace_minutes = models.PositiveSmallIntegerField(default=0)
    weekdays = models.JSONField(default=list, help_text="0 = Monday ... 6 = Sunday")
    overnight = models.BooleanField(default=False, help_text="Ends the next day; counts on the day it starts.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["start", "name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def day_names(self) -> str:
        names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
        return ", ".join(names[d] for d in sorted(self.weekdays))

    @property
    def hours(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}{' (+1 day)' if self.overnight else ''}"


@personal_data(
    subject="member__user",
    fields={"organization": NOT_PERSONAL, "shift_type": WORK, "member": NOT_PERSONAL,
            "site": NOT_PERSONAL, "starts_on": WORK, "ends_on": WORK, "ended_at": NOT_PERSONAL,
            "created_at": NOT_PERSONAL},
    retention_anchor="ended_at",
    data_type="shift_assignment",
)
class ShiftAssignment(TenantModel):
    """One member (a personal work schedule) or one site (no person) on a shift type from
    ``starts_on`` to ``ends_on`` (inclusive; open-ended when empty). Retention counts from
    ``ended_at``, the end of its last day: an assignment still running is never due."""

    shift_type = models.ForeignKey(ShiftType, on_delete=models.CASCADE, related_name="assignments")
    member = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[PurposeManager[ShiftAssignment]] = PurposeManager()

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [models.CheckConstraint(
            condition=Q(member__isnull=False, site__isnull=True) | Q(member__isnull=True, site__isnull=False),
            name="workforce_assignment_member_or_site")]
        indexes = [models.Index(fields=["member", "starts_on"]), models.Index(fields=["site", "starts_on"])]


# --- timesheets (WT4) ------------------------------------------------------------------------

@personal_data(
    subject="member__user",
    fields={"organization": NOT_PERSONAL, "member": NOT_PERSONAL, "day": WORK, "first_in": WORK,
            "last_out": WORK, "worked_minutes": WORK, "break_minutes": WORK, "expected_minutes": WORK,
            "overtime_minutes": WORK, "leave_minutes": WORK, "leave_type": NOT_PERSONAL,
            "holiday": NOT_PERSONAL, "flags": WORK, "records": NOT_PERSONAL, "day_end": NOT_PERSONAL,
            "computed_at": NOT_PERSONAL},
    retention_anchor="day_end",
    data_type="timesheet",
)
class TimesheetDay(TenantModel):
    """One member's local work day, derived from their check-in records, leave and holidays;
    never edited by hand (``timesheets.recompute`` writes it). Retention counts from
    ``day_end``, the end of the day in UTC."""

    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    first_in = models.DateTimeField(null=True, blank=True)
    last_out = models.DateTimeField(null=True, blank=True)
    worked_minutes = models.PositiveIntegerField(default=0)
    break_minutes = models.PositiveIntegerField(default=0)
    expected_minutes = models.PositiveIntegerField(default=0)
    overtime_minutes = models.PositiveIntegerField(default=0)
    leave_minutes = models.PositiveIntegerField(default=0)
    leave_type = models.ForeignKey("LeaveType", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    holiday = models.CharField(max_length=120, blank=True)
    flags = models.JSONField(default=list)
    records = models.PositiveIntegerField(default=0)
    day_end = models.DateTimeField()
    computed_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[PurposeManager[TimesheetDay]] = PurposeManager()

    class Meta:
        ordering = ["day", "pk"]
        constraints = [models.UniqueConstraint(fields=["member", "day"], name="workforce_timesheet_day_once")]
        indexes = [models.Index(fields=["organization", "day"])]


@personal_data(
    subject="member__user",
    fields={"organization": NOT_PERSONAL, "member": NOT_PERSONAL, "starts_on": WORK, "ends_on": WORK,
            "approved_by": NOT_PERSONAL, "approved_at": WORK, "locked_until": NOT_PERSONAL},
    retention_anchor="locked_until",
    data_type="timesheet",
)
class TimesheetApproval(TenantModel):
    """A manager or administrator approved a member's period: its days are locked (not
    recomputed, no correction into them)."""

    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField()
    approved_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField()

    objects: ClassVar[PurposeManager[TimesheetApproval]] = PurposeManager()

    class Meta:
        ordering = ["starts_on", "pk"]
        indexes = [models.Index(fields=["member", "starts_on"])]


class RequestState(models.TextChoices):
    PENDING = "pending", "Waiting for the manager"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Withdrawn"


class CorrectionKind(models.TextChoices):
    MISSING_CHECK_OUT = "missing_check_out", "Missing check-out"
    MISSING_CHECK_IN = "missing_check_in", "Missing check-in"
    WRONG_TIME = "wrong_time", "Wrong time"


@personal_data(
    subject="member__user",
    fields={"organization": NOT_PERSONAL, "member": NOT_PERSONAL, "kind": WORK, "original": NOT_PERSONAL,
            "direction": WORK, "occurred_at": WORK, "reason": WORK, "state": WORK,
            "decided_by": NOT_PERSONAL, "decided_at": NOT_PERSONAL, "decision_note": WORK,
            "replacement": NOT_PERSONAL, "created_at": NOT_PERSONAL},
    retention_anchor="occurred_at",
    data_type="attendance",
)
class Correction(TenantModel):
    """A member's request to fix a check-in record (WT5). The original record stays; once
    approved the correction becomes a new record (``replacement``) pointing at it, and a
    wrong-time original no longer counts in the timesheet."""

    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=CorrectionKind.choices)
    original = models.ForeignKey("attendance.AttendanceRecord", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    direction = models.CharField(max_length=3)
    occurred_at = models.DateTimeField()
    reason = models.TextField(max_length=1000)
    state = models.CharField(max_length=9, choices=RequestState.choices, default=RequestState.PENDING)
    decided_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)
    replacement = models.ForeignKey("attendance.AttendanceRecord", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[PurposeManager[Correction]] = PurposeManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["member", "state"])]


# --- leave and holidays (WT6) ----------------------------------------------------------------

@exempt("An organization's kind of leave and its yearly allowance: no personal data.")
class LeaveType(TenantModel):
    name = models.CharField(max_length=80)
    yearly_days = models.DecimalField(max_digits=5, decimal_places=1, default=0)
    carry_over_days = models.DecimalField(max_digits=5, decimal_places=1, default=0,
                                          help_text="At most this many unused days carry into the next year.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


@personal_data(
    subject="member__user",
    fields={"organization": NOT_PERSONAL, "member": NOT_PERSONAL, "leave_type": WORK, "starts_on": WORK,
            "ends_on": WORK, "days": WORK, "reason": WORK, "state": WORK, "decided_by": NOT_PERSONAL,
            "decided_at": NOT_PERSONAL, "created_at": NOT_PERSONAL, "ended_at": NOT_PERSONAL},
    retention_anchor="ended_at",
    data_type="leave",
)
class LeaveRequest(TenantModel):
    """Leave a member asks their reporting manager for: working days from ``starts_on`` to
    ``ends_on`` inclusive (holidays and weekends do not count against the allowance)."""

    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    leave_type = models.ForeignKey(LeaveType, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField()
    days = models.DecimalField(max_digits=5, decimal_places=1)
    reason = models.CharField(max_length=500, blank=True)
    state = models.CharField(max_length=9, choices=RequestState.choices, default=RequestState.PENDING)
    decided_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField()

    objects: ClassVar[PurposeManager[LeaveRequest]] = PurposeManager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["member", "starts_on"])]


@exempt("A public or company holiday of an organization or site: a date and a name, no person.")
class Holiday(TenantModel):
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["day", "pk"]
        constraints = [models.UniqueConstraint(fields=["organization", "site", "day"],
                                               name="workforce_holiday_once")]
