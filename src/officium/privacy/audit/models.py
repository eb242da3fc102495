"""The audit log: ids of what happened, who did it, to whom; never personal values.

Organization, actor and subject are plain integers, not foreign keys: the log must outlive the
rows it speaks of (an erased user, a deleted organization) and must never cascade.
"""

from django.db import models

from officium.privacy.registry import exempt


@exempt("Holds ids and event names only; personal values never enter it.")
class AuditEntry(models.Model):
    created_at = models.DateTimeField(db_index=True)
    organization_id = models.BigIntegerField(null=True, blank=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    event = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organization_id", "event", "created_at"])]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.event}"
