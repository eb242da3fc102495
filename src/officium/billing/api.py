"""Billing over the API (BI1-BI4): the owner's plan, invoices and usage. A card arrives only
as the provider's token (``payment_method``); any field holding a card number is refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from officium.accounts.roles import Role
from officium.accounts.scoping import membership_for, restrict
from officium.billing import limits, plans, usage
from officium.billing.models import Invoice, PlanTier
from officium.privacy.consent.models import Method

router = Router(tags=["billing"])


class PlanOut(Schema):
    code: str
    name: str
    monthly_price_cents: int
    currency: str
    max_members: int
    max_storage_mb: int
    features: list[str]


class SubscriptionOut(Schema):
    plan: str
    status: str
    period_start: dt.datetime
    period_end: dt.datetime
    credit_cents: int
    grace_until: dt.datetime | None
    members: int
    plans: list[PlanOut]


class PlanChangeIn(Schema):
    plan: str
    payment_method: str | None = None
    cardholder_name: str | None = None
    address_line: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None
    save_card: bool = False


class InvoiceLineOut(Schema):
    description: str
    amount_cents: int


class InvoiceOut(Schema):
    id: int
    number: str
    kind: str
    status: str
    period_start: dt.datetime
    period_end: dt.datetime
    currency: str
    subtotal_cents: int
    tax_cents: int
    total_cents: int
    issued_at: dt.datetime
    paid_at: dt.datetime | None
    lines: list[InvoiceLineOut]


class PlanChangeOut(Schema):
    plan: str
    invoice: InvoiceOut | None


class UsageDayOut(Schema):
    day: dt.date
    api_calls: int
    active_users: int
    members: int
    records: dict[str, int]
    storage_bytes: int
    features: dict[str, int]


def _subscription(organization: Any) -> SubscriptionOut:
    subscription = limits.subscription_for(organization)
    return SubscriptionOut(
        plan=subscription.plan.code, status=subscription.status, period_start=subscription.period_start,
        period_end=subscription.period_end, credit_cents=subscription.credit_cents,
        grace_until=subscription.grace_until, members=limits.standing(organization).members,
        plans=[PlanOut.from_orm(p) for p in PlanTier.objects.filter(active=True)])


def _invoice(invoice: Invoice) -> InvoiceOut:
    return InvoiceOut(
        id=invoice.pk, number=invoice.number, kind=invoice.kind, status=invoice.status,
        period_start=invoice.period_start, period_end=invoice.period_end, currency=invoice.currency,
        subtotal_cents=invoice.subtotal_cents, tax_cents=invoice.tax_cents, total_cents=invoice.total_cents,
        issued_at=invoice.issued_at, paid_at=invoice.paid_at,
        lines=[InvoiceLineOut(description=line.description, amount_cents=line.amount_cents)
               for line in invoice.lines.all()])


@router.get("/orgs/{org}/subscription", response=SubscriptionOut)
def subscription(request: HttpRequest, org: str) -> SubscriptionOut:
    membership = membership_for(request, org, Role.OWNER)
    return _subscription(membership.organization)


@router.post("/orgs/{org}/plan", response=PlanChangeOut)
def change_plan(request: HttpRequest, org: str, body: PlanChangeIn) -> PlanChangeOut:
    membership = membership_for(request, org, Role.OWNER)
    card = body.dict(exclude={"plan"}) if body.payment_method else None
    invoice = plans.change_plan(membership, body.plan, card, consent_method=Method.API)
    return PlanChangeOut(plan=body.plan, invoice=_invoice(invoice) if invoice else None)


@router.get("/orgs/{org}/invoices", response=list[InvoiceOut])
def invoice_list(request: HttpRequest, org: str) -> list[InvoiceOut]:
    membership = membership_for(request, org, Role.OWNER)
    rows = restrict(Invoice.objects.prefetch_related("lines"), membership)[:100]
    return [_invoice(i) for i in rows]


@router.get("/orgs/{org}/usage", response=list[UsageDayOut])
def usage_days(request: HttpRequest, org: str) -> list[UsageDayOut]:
    membership = membership_for(request, org, Role.OWNER)
    return [UsageDayOut(day=d.day, api_calls=d.api_calls, active_users=d.active_users, members=d.members,
                        records=d.records, storage_bytes=d.storage_bytes, features=d.features)
            for d in usage.history(membership.organization)]
