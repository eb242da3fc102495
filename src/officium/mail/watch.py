"""What staff see of the outbox: mail that failed or still waits, metadata only (what kind
of email, to which masked address, how many attempts, which error class), never a subject
or a body, so watching deliveries reads nobody's mail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count

from officium.mail.models import OutboxEmail, Status

SHOWN = 100


@dataclass(frozen=True)
class Delivery:
    id: int
    category: str
    kind: str
    recipient: str
    organization_id: int | None
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    next_attempt_at: datetime | None


def mask(address: str) -> str:
    """``b…@alpha.example``: enough to recognise a mailbox's domain, not whose it is."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}…@{domain}" if domain else "…"


def _rows(status: list[str], organization_id: int | None, order: str) -> list[Delivery]:
    rows = OutboxEmail.objects.filter(status__in=status)
    if organization_id is not None:
        rows = rows.filter(organization_id=organization_id)
    fields = ("pk", "category", "kind", "to_address", "organization_id", "status", "attempts",
              "last_error", "created_at", "next_attempt_at")
    return [Delivery(id=pk, category=category, kind=kind, recipient=mask(to),
                     organization_id=org, status=state, attempts=attempts, last_error=error,
                     created_at=created, next_attempt_at=due if state != Status.FAILED else None)
            for pk, category, kind, to, org, state, attempts, error, created, due
            in rows.order_by(order).values_list(*fields)[:SHOWN]]


def failed(organization_id: int | None = None) -> list[Delivery]:
    return _rows([Status.FAILED], organization_id, "-created_at")


def waiting(organization_id: int | None = None) -> list[Delivery]:
    return _rows([Status.PENDING, Status.SENDING], organization_id, "next_attempt_at")


def counts(organization_id: int | None = None) -> dict[str, int]:
    rows = OutboxEmail.objects.all()
    if organization_id is not None:
        rows = rows.filter(organization_id=organization_id)
    return dict(rows.values_list("status").annotate(n=Count("pk")).order_by())
