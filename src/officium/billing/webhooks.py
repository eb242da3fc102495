"""Provider events: verified by signature (``Stripe-Signature``, through the library), then
processed once per event id. A forged or altered event is refused (400) and writes nothing;
a replayed one (same id) is acknowledged and changes nothing."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from officium.billing import invoices
from officium.billing.audit_events import WEBHOOK_PROCESSED
from officium.billing.models import Invoice, InvoiceStatus, WebhookEvent
from officium.billing.providers import provider
from officium.billing.providers.base import SignatureError
from officium.errors import ErrorCode, OfficiumError
from officium.privacy import audit


class BadSignature(OfficiumError):
    http_status = 400
    error_code = ErrorCode.INVALID


def receive(payload: bytes, signature: str) -> tuple[str, bool]:
    """Returns (event id, processed now); False for a replay of an event already processed."""
    try:
        event = provider().parse_webhook(payload, signature)
    except SignatureError:
        raise BadSignature("The event's signature does not verify.", field="Stripe-Signature") from None
    event_id, kind = str(event.get("id", "")), str(event.get("type", ""))
    if not event_id:
        raise BadSignature("The event has no id.", field="id")
    try:
        with transaction.atomic():
            WebhookEvent.objects.create(event_id=event_id, type=kind[:100])
            _apply(kind, event.get("data", {}).get("object", {}))
            audit.record(WEBHOOK_PROCESSED, details={"event": event_id[:100], "type": kind[:100]})
    except IntegrityError:
        return event_id, False
    return event_id, True


def _apply(kind: str, obj: dict[str, Any]) -> None:
    invoice_id = str((obj.get("metadata") or {}).get("invoice_id", ""))
    if not invoice_id.isdigit():
        return  # a payment of a plan change, recorded when it was made
    invoice = Invoice.objects.filter(pk=int(invoice_id)).first()
    if invoice is None:
        return
    if kind == "payment_intent.succeeded":
        invoices.mark_paid(invoice, str(obj.get("id", "")))
    elif kind == "payment_intent.payment_failed" and invoice.status == InvoiceStatus.OPEN:
        invoices.mark_failed(invoice, "card_declined")
