"""The one audit function every service calls, in the same transaction as its change."""

from __future__ import annotations

from typing import Any


def _id(value: Any) -> int | None:
    if value is None:
        return None
    return int(getattr(value, "pk", value))


def record(
    event: str,
    *,
    actor: Any = None,
    organization: Any = None,
    subject: Any = None,
    target: Any = None,
    details: dict[str, Any] | None = None,
) -> Any:
    """Append an entry. Pass model instances or ids; ``details`` holds ids and codes, never values."""
    from django.utils import timezone

    from officium.privacy.audit.models import AuditEntry

    target_type = target._meta.label_lower if target is not None and hasattr(target, "_meta") else ""
    return AuditEntry.objects.create(
        created_at=timezone.now(),
        organization_id=_id(organization),
        actor_id=_id(actor),
        subject_id=_id(subject),
        event=event,
        target_type=target_type,
        target_id=str(target.pk) if target_type else "",
        details=details or {},
    )
