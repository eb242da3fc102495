"""Retention state: legal holds, organizations' chosen periods, sweep progress and evidence.

Organizations, subjects and actors are plain integers (the engine imports no app above it,
and evidence must outlive the rows it speaks of).
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils import timezone

from officium.privacy.registry import exempt


class HoldReason(models.TextChoices):
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation"
    DISPUTE = "dispute", "Dispute or legal claim"
    FINANCIAL_RECORD = "financial_record", "Financial record"


class HoldQuerySet(models.QuerySet["LegalHold"]):
    def active(self, on: date | None = None) -> HoldQuerySet:
        """Holds in force on ``on`` (today): not released, not past their end."""
        return self.filter(released_at__isnull=True, until__gte=on or timezone.localdate())


@exempt("Names a subject by id only; its reason is about the organization's obligation.")
class LegalHold(models.Model):
    """RE4: data that deletion must spare until ``until``. Every set scope must match:
    an organization's data, one subject's data (in that organization), one data type."""

    organization_id = models.BigIntegerField(null=True, blank=True, db_index=True,
                                             help_text="Empty: a platform-wide hold.")
    subject_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    data_type = models.CharField(max_length=64, blank=True)
    reason_kind = models.CharField(max_length=32, choices=HoldReason.choices)
    reason = models.CharField(max_length=500)
    until = models.DateField()
    created_by_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by_id = models.BigIntegerField(null=True, blank=True)

    objects = HoldQuerySet.as_manager()

    class Meta:
        ordering = ["until", "pk"]

    def __str__(self) -> str:
        return f"{self.get_reason_kind_display()} hold until {self.until}"

    @property
    def scope(self) -> str:
        parts = []
        if self.subject_id is not None:
            parts.append("one person's data")
        if self.data_type:
            parts.append(f"{self.data_type.replace('_', ' ')} data")
        if not parts:
            parts.append("all of the organization's data" if self.organization_id else "all data")
        return ", ".join(parts)


@exempt("An organization's chosen retention period; no person.")
class RetentionOverride(models.Model):
    """RE1: an organization's own period for one policy rule, within the rule's bounds."""

    organization_id = models.BigIntegerField()
    rule_id = models.CharField(max_length=64)
    days = models.PositiveIntegerField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization_id", "rule_id"],
                                               name="retention_one_override_per_rule")]

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.days} days"


class SweepStatus(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"


@exempt("Sweep bookkeeping: rule ids, model labels, counts.")
class SweepRun(models.Model):
    """One pass of the retention engine; a crashed run is resumed by the next one."""

    started_at = models.DateTimeField(default=timezone.now)
    cutoff_at = models.DateTimeField(help_text="The 'now' the run measures ages against.")
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=SweepStatus.choices, default=SweepStatus.RUNNING)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    deleted = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"sweep {self.pk} ({self.status})"


@exempt("Deletion evidence: what kind, how many, when, which rule; never the content.")
class DeletionEvidence(models.Model):
    """RE5: one committed chunk of a deletion."""

    run = models.ForeignKey(SweepRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence")
    rule_id = models.CharField(max_length=64)
    trigger = models.CharField(max_length=32)
    model_label = models.CharField(max_length=100)
    organization_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    count = models.PositiveIntegerField()
    oldest = models.DateTimeField(null=True, blank=True, help_text="Earliest anchor among the rows.")
    newest = models.DateTimeField(null=True, blank=True, help_text="Latest anchor among the rows.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.count} × {self.model_label} ({self.rule_id})"
