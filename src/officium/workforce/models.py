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
