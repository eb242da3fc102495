"""The audit log: ids of what happened, who did it, to whom; never personal values.

Append-only and tamper-evident: every entry carries the SHA-256 of its canonical form chained to
the previous entry's hash (``chain.py``). Organization, actor and subject are plain integers,
not foreign keys: the log outlives the rows it speaks of and never cascades.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from officium.privacy.registry import exempt


class CanonicalJSONField(models.TextField[dict[str, Any], dict[str, Any]]):
    """A dict kept as canonical JSON text (sorted keys, compact), so the hash covers exactly the
    bytes stored and verification never re-serializes."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        return json.loads(value) if value else {}

    def to_python(self, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return value
        return json.dumps(value or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@exempt("Holds ids and event names only; personal values never enter it.")
class AuditEntry(models.Model):
    seq = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField(db_index=True)
    organization_id = models.BigIntegerField(null=True, blank=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    event = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    details = CanonicalJSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        indexes = [
            # PV1: the audit pages read a keyset page (newest first) per organization, event,
            # actor or subject, and the subject's "who read my data" page, at any log size.
            # Every audited action writes a page of each index: a time range is turned into a
            # seq range through created_at's own index (office/auditlog.py), not a third one.
            models.Index(fields=["organization_id", "seq"], name="audit_org_seq"),
            models.Index(fields=["organization_id", "event", "seq"], name="audit_org_event_seq"),
            models.Index(fields=["organization_id", "actor_id", "seq"], name="audit_org_actor_seq"),
            models.Index(fields=["organization_id", "subject_id", "seq"],
                         name="audit_org_subject_seq"),
            models.Index(fields=["subject_id", "event", "seq"], name="audit_subject_event_seq"),
        ]
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.created_at:%Y-%m-%d %H:%M:%S} {self.event}"
