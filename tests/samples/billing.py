"""Alice's billing objects for the cross-tenant and role tests (BI1-BI4)."""

from datetime import UTC, date, datetime

from tests.role_groups import EVERYONE

from officium.billing.models import Invoice, InvoiceLine, UsageDay


def build(w):
    w.invoice = Invoice.objects.create(
        organization=w.alice_org, number="2026-0001", sequence=1, billed_to=w.alice, billed_name="Alice Anders",
        period_start=datetime(2026, 1, 1, tzinfo=UTC), period_end=datetime(2026, 2, 1, tzinfo=UTC),
        subtotal_cents=4900, tax_cents=931, total_cents=5831, status="paid")
    InvoiceLine.objects.create(organization=w.alice_org, invoice=w.invoice, description="Standard plan, January 2026", amount_cents=4900)
    UsageDay.objects.create(organization=w.alice_org, day=date(2026, 1, 14), api_calls=12, members=2)


SAMPLES = {
    "invoice_id": lambda w: w.invoice.pk,
}

# A plan code names the operator's price list, not an object of alice's.
SECRETS = {
    "code": lambda w: "standard",
}

OWNER = ("owner",)

# BI1-BI4: the owner alone manages plan, card and invoices and sees usage; the provider's
# webhook is public (its signature is its authentication: an unsigned post is a 400).
ROLES = {
    "GET /o/<slug:org>/billing/": OWNER,
    "GET /o/<slug:org>/billing/plan/<slug:code>/": OWNER,
    "POST /o/<slug:org>/billing/plan/<slug:code>/": OWNER,
    "POST /o/<slug:org>/billing/card/remove/": OWNER,
    "GET /o/<slug:org>/billing/invoices/<int:invoice_id>/pdf/": OWNER,
    "POST /o/<slug:org>/billing/invoices/<int:invoice_id>/pay/": OWNER,
    "GET /o/<slug:org>/usage/": OWNER,
    "POST /billing/webhooks/provider/": EVERYONE,
    "GET /api/billing/orgs/<org>/subscription": OWNER,
    "POST /api/billing/orgs/<org>/plan": OWNER,
    "GET /api/billing/orgs/<org>/invoices": OWNER,
    "GET /api/billing/orgs/<org>/usage": OWNER,
}
