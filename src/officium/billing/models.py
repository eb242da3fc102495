"""Plans, subscriptions, payment methods, invoices and usage (BI1-BI4).

Plans are rows of a table (seeded by a data migration, changed by the operator), not code.
A payment method keeps only what the provider's tokenization hands back: cardholder name,
billing address, expiry, last four, brand and the provider's token (SE2); the card number
never reaches Officium. Invoices are numbered per organization and kept for the period the
policy's record obligation names (data type ``invoice``), through erasure too.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from officium.accounts.models import User
from officium.accounts.tenancy import TenantModel
from officium.privacy.access import PurposeManager
from officium.privacy.registry import NOT_PERSONAL, exempt, personal_data

CARD = "pd:PaymentCard"
NAME = "pd:Name"
ADDRESS = "pd:PhysicalAddress"


@exempt("A plan of the operator's price list: limits and prices, no personal data.")
class PlanTier(models.Model):
    """One plan (free, standard, enterprise): its price per period and its limits.
    A limit of 0 means unlimited."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=60)
    monthly_price_cents = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="EUR")
    max_members = models.PositiveIntegerField(default=0)
    max_storage_mb = models.PositiveIntegerField(default=0)
    retention_choices = models.BooleanField(default=False, help_text="May shorten or lengthen retention.")
    features = models.JSONField(default=list)
    rank = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["rank", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def price(self) -> str:
        return f"{self.monthly_price_cents / 100:.2f} {self.currency}"

    @property
    def max_storage_bytes(self) -> int:
        return self.max_storage_mb * 1024 * 1024


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAST_DUE = "past_due", "Payment overdue"
    DOWNGRADED = "downgraded", "Fell back to the free plan"


@exempt("An organization's subscription: plan, period, provider customer id; no person.")
class Subscription(TenantModel):
    plan = models.ForeignKey(PlanTier, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=SubscriptionStatus.choices,
                              default=SubscriptionStatus.ACTIVE)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    credit_cents = models.PositiveIntegerField(default=0, help_text="Prorated credit for the next invoice.")
    provider_customer = models.CharField(max_length=100, blank=True)
    grace_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    storage_alert = models.PositiveSmallIntegerField(
        default=0, help_text="The storage level (percent) the owners were last told of: 0, 90 or 100.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="billing_one_subscription")]


@personal_data(
    subject="holder",
    fields={"organization": NOT_PERSONAL, "holder": NOT_PERSONAL, "cardholder_name": NAME,
            "address_line": ADDRESS, "postal_code": ADDRESS, "city": ADDRESS, "country": ADDRESS,
            "brand": CARD, "last4": CARD, "exp_month": CARD, "exp_year": CARD,
            "provider_token": CARD, "saved": NOT_PERSONAL, "created_at": NOT_PERSONAL,
            "removed_at": NOT_PERSONAL},
    retention_anchor="created_at",
    data_type="payment_card",
    collected_if={**{f: "purpose:payments" for f in ("brand", "last4", "exp_month", "exp_year", "provider_token")},
                  **{f: "category:pd:PhysicalAddress" for f in ("address_line", "postal_code", "city", "country")}},
)
class PaymentMethod(TenantModel):
    """A card as the provider described it after tokenization. ``provider_token`` is kept only
    while ``saved`` (the holder's consent, purpose ``saved_card``); otherwise it is cleared
    and the card detached at the provider right after the payment."""

    holder = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    cardholder_name = models.CharField(max_length=120)
    address_line = models.CharField(max_length=200)
    postal_code = models.CharField(max_length=20)
    city = models.CharField(max_length=100)
    country = models.CharField(max_length=2)
    brand = models.CharField(max_length=20)
    last4 = models.CharField(max_length=4)
    exp_month = models.PositiveSmallIntegerField()
    exp_year = models.PositiveSmallIntegerField()
    provider_token = models.CharField(max_length=100, blank=True)
    saved = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[PurposeManager[PaymentMethod]] = PurposeManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["holder"])]

    @property
    def label(self) -> str:
        return f"{self.brand.title()} ending {self.last4}, expires {self.exp_month:02d}/{self.exp_year}"


class InvoiceStatus(models.TextChoices):
    OPEN = "open", "Open"
    PAID = "paid", "Paid"
    FAILED = "failed", "Payment failed"
    VOID = "void", "Void"


@personal_data(
    subject="billed_to",
    fields={"organization": NOT_PERSONAL, "number": NOT_PERSONAL, "sequence": NOT_PERSONAL,
            "kind": NOT_PERSONAL, "billed_to": NOT_PERSONAL, "billed_name": NAME,
            "billed_address": ADDRESS, "card_label": CARD, "period_start": NOT_PERSONAL,
            "period_end": NOT_PERSONAL, "currency": NOT_PERSONAL, "subtotal_cents": NOT_PERSONAL,
            "tax_rate": NOT_PERSONAL, "tax_cents": NOT_PERSONAL, "total_cents": NOT_PERSONAL,
            "status": NOT_PERSONAL, "attempts": NOT_PERSONAL, "next_attempt_at": NOT_PERSONAL,
            "reminders_sent": NOT_PERSONAL, "failure_code": NOT_PERSONAL,
            "provider_payment": NOT_PERSONAL, "issued_at": NOT_PERSONAL, "paid_at": NOT_PERSONAL},
    retention_anchor="issued_at",
    data_type="invoice",
    collected_if={"card_label": "purpose:payments", "billed_address": "category:pd:PhysicalAddress"},
)
class Invoice(TenantModel):
    """One invoice: ``number`` is ``<sequence>`` per organization, formatted ``YYYY-NNNN``.
    One renewal invoice per period (unique on organization, kind and period start)."""

    number = models.CharField(max_length=40)
    sequence = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, default="renewal")  # renewal | plan_change
    billed_to = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    billed_name = models.CharField(max_length=120, blank=True)
    billed_address = models.CharField(max_length=400, blank=True)
    card_label = models.CharField(max_length=80, blank=True)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    currency = models.CharField(max_length=3, default="EUR")
    subtotal_cents = models.IntegerField(default=0)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    tax_cents = models.IntegerField(default=0)
    total_cents = models.IntegerField(default=0)
    status = models.CharField(max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    failure_code = models.CharField(max_length=60, blank=True)
    provider_payment = models.CharField(max_length=100, blank=True)
    issued_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[PurposeManager[Invoice]] = PurposeManager()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "sequence"], name="billing_invoice_sequence"),
            models.UniqueConstraint(fields=["organization", "period_start"],
                                    condition=models.Q(kind="renewal"), name="billing_one_renewal_per_period"),
        ]
        indexes = [models.Index(fields=["billed_to"]), models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return self.number

    @property
    def total(self) -> str:
        return f"{self.total_cents / 100:.2f} {self.currency}"


@exempt("A line of an invoice: a description of the plan and amounts, no personal data.")
class InvoiceLine(TenantModel):
    """Belongs to its invoice's organization (SC3: the line's foreign key carries organization_id)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    description = models.CharField(max_length=200)
    amount_cents = models.IntegerField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.description

    @property
    def amount(self) -> str:
        return f"{self.amount_cents / 100:.2f}"


@exempt("A provider webhook's id and type, kept to process each event once; no personal data.")
class WebhookEvent(models.Model):
    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.event_id


@exempt("Counts per organization and day (AC6): API calls, active users, records, storage; no person.")
class UsageDay(TenantModel):
    day = models.DateField()
    api_calls = models.PositiveBigIntegerField(default=0)
    active_users = models.PositiveIntegerField(default=0)
    members = models.PositiveIntegerField(default=0)
    records = models.JSONField(default=dict)
    storage_bytes = models.PositiveBigIntegerField(default=0)
    features = models.JSONField(default=dict)

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["organization", "day"], name="billing_usage_day")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.day}"
