"""The demo organization's billing (`officium demo`, idempotent, UX1): Acme on the Standard
plan with three months of paid invoices, a month of usage, and the provider stand-in's test
card described (never a number)."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from officium.accounts.models import Membership, Organization
from officium.accounts.roles import Role
from officium.billing import invoices, limits
from officium.billing.models import Invoice, PaymentMethod, PlanTier, Subscription, UsageDay


@transaction.atomic
def seed_billing(slug: str = "acme") -> None:
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        return
    owner = Membership.objects.filter(organization=organization, role=Role.OWNER).select_related("user").first()
    standard = PlanTier.objects.get(code="standard")
    subscription = limits.subscription_for(organization)
    if subscription.plan_id != standard.pk:
        Subscription.objects.filter(pk=subscription.pk).update(plan=standard)
        Organization.objects.filter(pk=organization.pk).update(plan=standard.code)
    card = PaymentMethod.objects.filter(organization=organization).first()
    if card is None and owner is not None:
        card = PaymentMethod.objects.create(
            organization=organization, holder=owner.user, cardholder_name=owner.user.get_full_name(),
            address_line="Friedrichstr. 100", postal_code="10117", city="Berlin", country="DE", brand="visa",
            last4="4242", exp_month=12, exp_year=timezone.now().year + 3)
    if not Invoice.objects.filter(organization=organization).exists():
        start = subscription.period_start
        for months_back in (3, 2, 1):
            period_start = (start - dt.timedelta(days=28 * months_back)).replace(day=1)
            period = limits.period_bounds(period_start)
            invoice = invoices.issue(organization, kind="renewal", period=period, card=card,
                                     lines=[(f"{standard.name} plan, {period[0]:%B %Y}", standard.monthly_price_cents)])
            Invoice.objects.filter(pk=invoice.pk).update(status="paid", issued_at=period[0], paid_at=period[0],
                                                         provider_payment=f"pi_demo_{months_back}")
    _usage(organization)


def _usage(organization: Organization) -> None:
    today = timezone.now().date()
    if UsageDay.objects.filter(organization=organization, day=today - dt.timedelta(days=1)).exists():
        return
    rng = random.Random(organization.pk)  # noqa: S311  (demo figures)
    members = Membership.objects.filter(organization=organization).count()
    for back in range(1, 31):
        day = today - dt.timedelta(days=back)
        weekday = day.weekday() < 5
        calls = rng.randint(180, 420) if weekday else rng.randint(5, 40)
        UsageDay.objects.get_or_create(organization=organization, day=day, defaults={
            "api_calls": calls, "members": members, "active_users": rng.randint(3, members) if weekday else 1,
            "records": {"Attendance records": 40 + 4 * (30 - back), "Timesheet days": 20 + 2 * (30 - back)},
            "storage_bytes": 250_000_000 + (30 - back) * 3_000_000,
            "features": {"attendance": calls // 2, "workforce": calls // 3, "billing": 1}})
