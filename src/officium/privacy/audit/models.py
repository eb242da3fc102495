"""The audit log: ids of what happened, who did it, to whom; never personal values.

Append-only and tamper-evident: every entry carries the SHA-256 of its canonical payload chained
to the previous entry's hash (``chain.py``). Organization, actor and subject are plain integers,
not foreign keys: the log outlives the rows it speaks of and never cascades.
"""

from django.db import models

from officium.privacy.registry import exempt


@exempt("Holds ids and event names only; personal values never enter it.")
class AuditEntry(models.Model):
    seq = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField(db_index=True)
    organization_id = models.BigIntegerField(null=True, blank=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    event = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)
    payload = models.TextField(help_text="Canonical JSON of the fields above: what the hash covers.")
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["organization_id", "event", "created_at"])]
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.created_at:%Y-%m-%d %H:%M:%S} {self.event}"
