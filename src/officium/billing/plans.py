"""BI1: the owner changes plan. The change is prorated over the rest of the month: a larger
plan is charged the difference now (an invoice, paid), a smaller one leaves a credit for the
next invoice. A plan too small for what is stored is refused, naming what does not fit."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from officium.accounts.models import Membership, Organization
from officium.billing import invoices, payments
from officium.billing.audit_events import PLAN_CHANGED
from officium.billing.limits import standing, subscription_for, tier
from officium.billing.models import Invoice, PlanTier, Subscription, SubscriptionStatus
from officium.billing.payments import PaymentRefused
from officium.billing.providers import provider
from officium.billing.providers.base import ProviderError
from officium.privacy import audit
from officium.privacy.consent.models import Method


def prorated_cents(old: PlanTier, new: PlanTier, subscription: Subscription, now: dt.datetime) -> int:
    """(new - old) monthly price times the share of the period still to run."""
    total = (subscription.period_end - subscription.period_start).total_seconds()
    left = max(0.0, (subscription.period_end - now).total_seconds())
    share = Decimal(left) / Decimal(total) if total else Decimal(0)
    return int((Decimal(new.monthly_price_cents - old.monthly_price_cents) * share).to_integral_value())


def quote(organization: Organization, code: str) -> dict[str, Any]:
    """What a change to ``code`` would cost now (for the page and the API)."""
    subscription = subscription_for(organization)
    new = tier(code)
    delta = prorated_cents(subscription.plan, new, subscription, timezone.now())
    tax = invoices._cents(Decimal(max(delta, 0)) * invoices.tax_rate() / 100)
    return {"plan": new.code, "prorated_cents": delta, "tax_cents": tax,
            "due_now_cents": max(delta, 0) + tax, "due_now": f"{(max(delta, 0) + tax) / 100:.2f} {new.currency}",
            "credit": f"{max(-delta, 0) / 100:.2f} {new.currency}", "credit_cents": max(-delta, 0),
            "beyond_limits": standing(organization).fits(new)}


def change_plan(actor: Membership, code: str, card_data: dict[str, Any] | None = None, *,
                consent_method: str = Method.CARD_FORM) -> Invoice | None:
    """Validate, charge the prorated difference if any, then switch (returns the invoice).
    ``consent_method`` is where a consent to keep the card was given (the page's card form,
    or the API)."""
    payments.require_owner(actor)
    organization = actor.organization
    subscription = subscription_for(organization)
    old, new = subscription.plan, tier(str(code or ""))
    if new.pk == old.pk and subscription.status != SubscriptionStatus.DOWNGRADED:
        raise ValidationError({"plan": f"You are on the {new.name} plan already."})
    beyond = standing(organization).fits(new)
    if beyond:
        raise ValidationError({"plan": f"The {new.name} plan is too small for what your organization holds: "
                                       + "; ".join(beyond) + ". Nothing was changed."})
    now = timezone.now()
    delta = prorated_cents(old, new, subscription, now)
    values = payments.clean_card_form(card_data) if card_data else None
    if delta > 0 and values is None and payments.saved_card(organization) is None:
        raise ValidationError({"payment_method": "Enter a card to pay the difference for this month."})
    method, token = None, ""
    if values is not None:
        method, details = payments.attach_card(actor, values)
        token = details.token
    else:
        saved = payments.saved_card(organization)
        token = saved.provider_token if saved is not None else ""
    lines = [(f"{new.name} plan from {now:%d %B %Y} (prorated, instead of {old.name})", delta)]
    payment_id = ""
    if delta > 0:
        payment_id = _charge_now(organization, subscription, token, lines, new.currency,
                                 keep=method is None or method.saved)
    with transaction.atomic():
        card = (payments.store_card(actor, method, consent_method) if method is not None
                else payments.saved_card(organization))
        invoice = None
        if delta > 0:
            invoice = invoices.issue(organization, kind="plan_change",
                                     period=(now, subscription.period_end), lines=lines, card=card,
                                     currency=new.currency)
            invoices.mark_paid(invoice, payment_id)
        Subscription.objects.filter(pk=subscription.pk).update(
            plan=new, status=SubscriptionStatus.ACTIVE, grace_until=None, updated_at=now,
            credit_cents=subscription.credit_cents + max(-delta, 0))
        Organization.objects.filter(pk=organization.pk).update(plan=new.code)
        audit.record(PLAN_CHANGED, actor=actor.user_id, organization=organization.pk, target=subscription,
                     details={"from": old.code, "to": new.code, "prorated_cents": delta})
        if method is not None and not method.saved:
            transaction.on_commit(lambda: payments.release_token(token))
    return invoice


def _charge_now(organization: Organization, subscription: Subscription, token: str,
                lines: list[tuple[str, int]], currency: str, *, keep: bool) -> str:
    """Charge before anything is written: a declined card changes nothing of ours."""
    subtotal = sum(amount for _, amount in lines)
    total = subtotal + invoices._cents(Decimal(subtotal) * invoices.tax_rate() / 100)
    subscription.refresh_from_db(fields=["provider_customer"])
    try:
        result = provider().charge(customer=subscription.provider_customer, token=token, amount_cents=total,
                                   currency=currency, idempotency_key="plan-" + secrets.token_hex(12),
                                   metadata={"organization_id": str(organization.pk), "kind": "plan_change"})
    except ProviderError as error:
        if not keep:
            payments.release_token(token)
        raise PaymentRefused({"payment_method": error.message}) from None
    return result.payment_id
