"""The one audit function every service calls, in the same transaction as its change."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from officium.privacy.actors import AuditActor
from officium.privacy.audit.chain import Draft
from officium.privacy.audit.chain import append as append  # re-exported: batch writers use it
from officium.privacy.audit.events import AuditEvent, lookup

SENSITIVE_READ = "privacy.sensitive_read"


def _id(value: Any) -> int | None:
    if value is None:
        return None
    return int(getattr(value, "pk", value))


def record(
    event: str | AuditEvent,
    *,
    actor: AuditActor = None,
    organization: Any = None,
    subject: Any = None,
    target: Any = None,
    details: dict[str, Any] | None = None,
) -> Any:
    """Append an entry. Pass model instances or ids; ``details`` holds ids and codes, never values.

    ``event`` must be declared in an app's ``audit_events.py``: an undeclared name raises
    ``UndeclaredAuditEvent`` before anything is written.
    """
    name = lookup(event).name
    target_type = target._meta.label_lower if target is not None and hasattr(target, "_meta") else ""
    draft = Draft(
        created_at=timezone.now(), organization_id=_id(organization), actor_id=_id(actor),
        subject_id=_id(subject), event=name, target_type=target_type,
        target_id=str(target.pk) if target_type else "", details=details or {},
    )
    return append([draft])[0]  # the entry's sequence number


def record_reads(access: Any, subject_ids: list[int], categories: list[str]) -> None:
    """One entry per subject whose sensitive data was read (SE1): who, purpose, categories."""
    if not subject_ids:
        return
    now = timezone.now()
    actor = access.actor
    details = {"purpose": access.purpose, "categories": categories}
    append([
        Draft(created_at=now, organization_id=actor.organization_id, actor_id=actor.user_id,
              subject_id=subject, event=SENSITIVE_READ,
              target_type=access.model._meta.label_lower, target_id="", details=details)
        for subject in subject_ids
    ])
