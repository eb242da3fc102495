"""BI3: invoices numbered per organization, one per period; charged to the saved card,
retried on a schedule with reminders; after the grace period the organization falls back to
the free plan and keeps its data (read-only beyond the free limits).

Invoices are kept for the period of the policy's record obligation (data type ``invoice``),
also through a person's erasure: the erasure answer names the law.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from officium.accounts.emails import send_service_email
from officium.accounts.models import Membership, Organization
from officium.accounts.roles import Role
from officium.billing.audit_events import (
    INVOICE_ISSUED,
    INVOICE_PAID,
    PAYMENT_FAILED,
    PLAN_FELL_BACK,
)
from officium.billing.limits import period_bounds, subscription_for
from officium.billing.models import (
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    PaymentMethod,
    PlanTier,
    Subscription,
    SubscriptionStatus,
)
from officium.billing.providers import provider
from officium.billing.providers.base import ProviderError
from officium.notifications.services import notify
from officium.privacy import audit


def tax_rate() -> Decimal:
    return Decimal(settings.OFFICIUM_BILLING_TAX_RATE)


def _cents(value: Decimal) -> int:
    return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def issue(organization: Organization, *, kind: str, period: tuple[dt.datetime, dt.datetime],
          lines: list[tuple[str, int]], card: PaymentMethod | None, currency: str = "EUR") -> Invoice:
    """Write an open invoice with its lines (inside the caller's transaction); the number is
    the next of the organization's sequence, taken under its subscription's row lock."""
    Subscription.objects.select_for_update().filter(organization=organization).first()
    last = Invoice.objects.filter(organization=organization).aggregate(n=Max("sequence"))["n"] or 0
    subtotal = sum(amount for _, amount in lines)
    rate = tax_rate()
    tax = _cents(Decimal(subtotal) * rate / 100)
    now = timezone.now()
    invoice = Invoice.objects.create(
        organization=organization, sequence=last + 1, number=f"{now:%Y}-{last + 1:04d}", kind=kind,
        billed_to=card.holder if card else None, billed_name=card.cardholder_name if card else "",
        billed_address=(f"{card.address_line}, {card.postal_code} {card.city}, {card.country}"
                        if card else ""),
        card_label=card.label if card else "", period_start=period[0], period_end=period[1],
        currency=currency, subtotal_cents=subtotal, tax_rate=rate, tax_cents=tax,
        total_cents=subtotal + tax, issued_at=now)
    InvoiceLine.objects.bulk_create([
        InvoiceLine(organization_id=invoice.organization_id, invoice=invoice, description=text, amount_cents=amount)
        for text, amount in lines])
    audit.record(INVOICE_ISSUED, organization=organization.pk, target=invoice,
                 details={"kind": kind, "total_cents": invoice.total_cents})
    return invoice


def charge(invoice: Invoice, token: str, customer: str) -> str:
    """Charge the invoice's total to a card token; returns the provider's payment id or raises
    ``ProviderError``. The idempotency key is the invoice and attempt: a retry after a lost
    answer never charges twice."""
    result = provider().charge(customer=customer, token=token, amount_cents=invoice.total_cents,
                               currency=invoice.currency, idempotency_key=f"invoice-{invoice.pk}-{invoice.attempts}",
                               metadata={"invoice_id": str(invoice.pk),
                                         "organization_id": str(invoice.organization_id)})
    return result.payment_id


def mark_paid(invoice: Invoice, payment_id: str) -> bool:
    """Record a payment (once: a webhook after the synchronous answer changes nothing)."""
    updated = Invoice.objects.filter(pk=invoice.pk).exclude(status=InvoiceStatus.PAID).update(
        status=InvoiceStatus.PAID, paid_at=timezone.now(), provider_payment=payment_id,
        next_attempt_at=None, failure_code="")
    if not updated:
        return False
    invoice.refresh_from_db()
    Subscription.objects.filter(organization_id=invoice.organization_id,
                                status=SubscriptionStatus.PAST_DUE).update(
        status=SubscriptionStatus.ACTIVE, grace_until=None)
    audit.record(INVOICE_PAID, organization=invoice.organization_id, target=invoice,
                 details={"total_cents": invoice.total_cents})
    email_owners(invoice.organization, "billing_invoice", {"invoice": invoice})
    return True


def mark_failed(invoice: Invoice, code: str) -> None:
    """A failed attempt: next try after the schedule's next step, a reminder now; the grace
    period starts at the first failure."""
    now = timezone.now()
    retry_days = settings.OFFICIUM_BILLING_RETRY_DAYS
    attempt = invoice.attempts + 1
    next_at = now + dt.timedelta(days=retry_days[attempt - 1]) if attempt <= len(retry_days) else None
    Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.FAILED, attempts=attempt,
                                                 next_attempt_at=next_at, failure_code=code[:60],
                                                 reminders_sent=invoice.reminders_sent + 1)
    Subscription.objects.filter(organization_id=invoice.organization_id, grace_until=None).update(
        status=SubscriptionStatus.PAST_DUE,
        grace_until=now + dt.timedelta(days=settings.OFFICIUM_BILLING_GRACE_DAYS))
    invoice.refresh_from_db()
    audit.record(PAYMENT_FAILED, organization=invoice.organization_id, target=invoice,
                 details={"code": code[:60], "attempt": attempt})
    grace = Subscription.objects.get(organization_id=invoice.organization_id).grace_until
    email_owners(invoice.organization, "billing_payment_failed", {"invoice": invoice, "grace_until": grace})


NOTICES = {
    "billing_invoice": ("billing.invoice_paid", "An invoice was paid: {number}"),
    "billing_payment_failed": ("billing.payment_failed", "A payment failed: invoice {number}"),
    "billing_fell_back": ("billing.fell_back", "The organization moved to the free plan"),
}


def email_owners(organization: Organization, template: str, context: dict[str, object]) -> None:
    """The owners get the email (the invoice, the reminder) and an in-app notification."""
    owners = Membership.objects.filter(organization=organization, role=Role.OWNER).select_related("user")
    invoice = context.get("invoice")
    kind, title = NOTICES[template]
    for owner in owners:
        send_service_email(owner.user.email, template, {"organization": organization, **context},
                           organization_id=organization.pk)
        notify(owner.user, organization, kind, title.format(number=getattr(invoice, "number", "")),
               url=f"/o/{organization.slug}/billing/")


def attempt(invoice: Invoice) -> bool:
    """Try the saved card for an open or failed invoice; True when paid."""
    from officium.billing.payments import saved_card

    card = saved_card(invoice.organization)
    subscription = subscription_for(invoice.organization)
    if card is None:
        with transaction.atomic():
            mark_failed(invoice, "no_saved_card")
        return False
    try:
        payment = charge(invoice, card.provider_token, subscription.provider_customer)
    except ProviderError as error:
        with transaction.atomic():
            mark_failed(invoice, error.code)
        return False
    with transaction.atomic():
        return mark_paid(invoice, payment)


# --- the worker's schedule ---------------------------------------------------------------

def renew_due(now: dt.datetime | None = None) -> int:
    """Start the next period of every subscription whose period ended; a paid plan gets its
    invoice (one per period: a second run finds it) and a charge to the saved card."""
    now = now or timezone.now()
    renewed = 0
    for subscription in Subscription.objects.select_related("plan", "organization").filter(period_end__lte=now):
        period = period_bounds(subscription.period_end)
        claimed = Subscription.objects.filter(pk=subscription.pk, period_end=subscription.period_end).update(
            period_start=period[0], period_end=period[1], updated_at=now)
        if not claimed:
            continue  # another worker started this period
        renewed += 1
        if subscription.plan.monthly_price_cents:
            _renewal_invoice(subscription, period)
    return renewed


def _renewal_invoice(subscription: Subscription, period: tuple[dt.datetime, dt.datetime]) -> None:
    from officium.billing.payments import saved_card

    plan = subscription.plan
    lines = [(f"{plan.name} plan, {period[0]:%B %Y}", plan.monthly_price_cents)]
    credit = min(subscription.credit_cents, plan.monthly_price_cents)
    if credit:
        lines.append(("Credit from an earlier plan change", -credit))
    try:
        with transaction.atomic():
            invoice = issue(subscription.organization, kind="renewal", period=period, lines=lines,
                            card=saved_card(subscription.organization), currency=plan.currency)
            Subscription.objects.filter(pk=subscription.pk).update(credit_cents=subscription.credit_cents - credit)
    except IntegrityError:
        return  # this period's invoice exists already
    attempt(invoice)


def retry_due(now: dt.datetime | None = None) -> int:
    """Retry failed invoices whose next attempt is due (each attempt sends a reminder)."""
    now = now or timezone.now()
    due = Invoice.objects.filter(status=InvoiceStatus.FAILED, next_attempt_at__lte=now)
    count = 0
    for invoice in due.select_related("organization"):
        if Invoice.objects.filter(pk=invoice.pk, next_attempt_at=invoice.next_attempt_at).update(
                next_attempt_at=None):  # claimed by this worker
            count += 1
            attempt(invoice)
    return count


def fall_back_after_grace(now: dt.datetime | None = None) -> int:
    """Past the grace period with an unpaid invoice: the free plan. Data stays; what is beyond
    the free limits is kept and shown, and only adding more is refused."""
    now = now or timezone.now()
    free = PlanTier.objects.get(code="free")
    count = 0
    for subscription in Subscription.objects.filter(status=SubscriptionStatus.PAST_DUE, grace_until__lte=now):
        with transaction.atomic():
            if not Subscription.objects.filter(pk=subscription.pk, status=SubscriptionStatus.PAST_DUE).update(
                    status=SubscriptionStatus.DOWNGRADED, plan=free, updated_at=now):
                continue
            Organization.objects.filter(pk=subscription.organization_id).update(plan=free.code)
            audit.record(PLAN_FELL_BACK, organization=subscription.organization_id, target=subscription)
            email_owners(subscription.organization, "billing_fell_back", {"plan": free})
            count += 1
    return count
