"""Audit events of billing: plans, cards, invoices, webhooks."""

from officium.privacy.audit.events import declare

PLAN_CHANGED = declare("billing.plan_changed", "Changed the organization's plan")
PLAN_FELL_BACK = declare("billing.plan_fell_back", "Fell back to the free plan after the grace period")
CARD_ADDED = declare("billing.card_added", "Added a payment card (tokenized by the provider)")
CARD_REMOVED = declare("billing.card_removed", "Removed a saved payment card")
INVOICE_ISSUED = declare("billing.invoice_issued", "Issued an invoice")
INVOICE_PAID = declare("billing.invoice_paid", "An invoice was paid")
PAYMENT_FAILED = declare("billing.payment_failed", "A payment failed")
WEBHOOK_PROCESSED = declare("billing.webhook_processed", "Processed a payment provider event")
