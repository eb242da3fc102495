"""One call per step of a request: its history row and its audit entry, together (RI8)."""

from __future__ import annotations

from typing import Any

from officium.privacy import audit
from officium.privacy.actors import Person
from officium.privacy.rights.audit_events import STEPS
from officium.privacy.rights.models import RequestEvent, RightsRequest


def step(request: RightsRequest, kind: str, *, actor: Person | None = None, note: str = "",
         details: dict[str, Any] | None = None) -> RequestEvent:
    """Append ``kind`` to the request's history and to the audit log (ids and codes only:
    the note stays in the request's own history, never in the audit log)."""
    details = details or {}
    event = RequestEvent.objects.create(request=request, kind=kind, note=note, details=details,
                                        actor_id=actor.pk if actor is not None else None)
    audit.record(STEPS[kind], actor=actor, organization=request.organization_id,
                 subject=request.subject_ref, target=request,
                 details={"type": request.request_type, "status": request.status, **details})
    return event
