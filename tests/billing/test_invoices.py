"""BI3: invoices numbered per organization, as PDF, emailed; renewals charged to the saved
card, failures retried with reminders, then the free plan after the grace period with all data
kept; invoices kept through erasure under the record obligation. Webhooks: signed, once."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from tests.billing.conftest import DECLINES, card_form, post_json, tokenize
from tests.factories import member

from officium.accounts import services as accounts
from officium.accounts.models import Membership
from officium.accounts.roles import Role
from officium.billing import invoices, limits
from officium.billing.models import Invoice, Subscription, WebhookEvent
from officium.billing.providers import standin as standin_module
from officium.mail.models import OutboxEmail
from officium.privacy.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
PLAN = "/api/billing/orgs/alpha/plan"


def _upgrade(owner_api, server, number=None, save=True):
    token = tokenize(server) if number is None else tokenize(server, number)
    response = post_json(owner_api, PLAN, {"plan": "standard", **card_form(token, save_card=save)})
    assert response.status_code == 200, response.content


def test_BI3_invoices_are_numbered_per_organization_and_download_as_pdf(standin, alice_org, alice, owner_api,
                                                                       charlie, charlie_org):
    _upgrade(owner_api, standin)
    subscription = Subscription.objects.get(organization=alice_org)
    Subscription.objects.filter(pk=subscription.pk).update(period_end=timezone.now() - dt.timedelta(minutes=1))
    assert invoices.renew_due() == 1
    numbers = list(Invoice.objects.filter(organization=alice_org).order_by("sequence").values_list("number", flat=True))
    year = timezone.now().year
    assert numbers == [f"{year}-0001", f"{year}-0002"]
    renewal = Invoice.objects.get(kind="renewal")
    assert renewal.status == "paid" and renewal.total_cents == 4900 + 931
    assert invoices.renew_due() == 0  # one invoice per period
    # charlie's organization counts from 1 on its own
    charlie_sub = limits.subscription_for(charlie_org)
    from django.db import transaction

    with transaction.atomic():
        other = invoices.issue(charlie_org, kind="plan_change", period=(charlie_sub.period_start, charlie_sub.period_end),
                               lines=[("Test", 100)], card=None)
    assert other.number == f"{year}-0001"
    page = Client()
    page.force_login(alice)
    response = page.get(f"/o/alpha/billing/invoices/{renewal.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and renewal.number.encode() in response.content
    assert page.get(f"/o/alpha/billing/invoices/{other.pk}/pdf/").status_code == 404
    assert OutboxEmail.objects.filter(category="billing_invoice").count() == 2


def test_BI3_failed_payments_are_retried_with_reminders_then_the_free_plan_keeps_all_data(
        standin, alice_org, alice, owner_api, settings):
    settings.OFFICIUM_BILLING_RETRY_DAYS = [1, 3]
    settings.OFFICIUM_BILLING_GRACE_DAYS = 5
    _upgrade(owner_api, standin)
    for _ in range(6):
        member(alice_org)
    # The saved card now declines (a new card that the bank refuses at renewal).
    from officium.billing.models import PaymentMethod

    declining = tokenize(standin, DECLINES)
    customer = Subscription.objects.get().provider_customer
    standin.attach(declining, {"customer": customer})
    PaymentMethod.objects.filter(saved=True).update(provider_token=declining)
    Subscription.objects.update(period_end=timezone.now() - dt.timedelta(minutes=1))
    invoices.renew_due()
    renewal = Invoice.objects.get(kind="renewal")
    assert renewal.status == "failed" and renewal.attempts == 1 and renewal.next_attempt_at is not None
    assert OutboxEmail.objects.filter(category="billing_payment_failed").count() == 1
    assert Subscription.objects.get().status == "past_due"
    later = timezone.now() + dt.timedelta(days=1, minutes=1)
    assert invoices.retry_due(later) == 1
    renewal.refresh_from_db()
    assert renewal.attempts == 2 and OutboxEmail.objects.filter(category="billing_payment_failed").count() == 2
    assert invoices.fall_back_after_grace(timezone.now() + dt.timedelta(days=2)) == 0
    assert invoices.fall_back_after_grace(timezone.now() + dt.timedelta(days=6)) == 1
    subscription = Subscription.objects.get()
    assert subscription.status == "downgraded" and subscription.plan.code == "free"
    alice_org.refresh_from_db()
    assert alice_org.plan == "free"
    assert Membership.objects.filter(organization=alice_org).count() == 7  # nobody removed
    assert OutboxEmail.objects.filter(category="billing_fell_back").exists()
    with pytest.raises(ValidationError):  # read-only beyond the free limits: adding is refused
        accounts.invite_member(Membership.objects.get(user=alice), "one@more.example", Role.MEMBER, None)
    page = Client()
    page.force_login(alice)
    assert "over-limits" in page.get("/o/alpha/billing/").content.decode()


def test_BI3_invoices_are_kept_through_erasure_and_the_answer_names_the_law(standin, alice_org, alice, owner_api):
    from officium.privacy.rights.erasure import erase_subject
    from officium.privacy.rights.records import Subject

    _upgrade(owner_api, standin)
    invoice = Invoice.objects.get()
    answer = erase_subject(Subject(user_id=alice.pk), reason="erasure_request")
    assert Invoice.objects.filter(pk=invoice.pk).exists()
    assert "Fiscal Code" in " ".join(k.reason for k in answer.kept)


def _event(kind: str, invoice: Invoice, event_id: str = "evt_1") -> bytes:
    return json.dumps({"id": event_id, "object": "event", "type": kind,
                       "data": {"object": {"id": "pi_x", "object": "payment_intent",
                                           "metadata": {"invoice_id": str(invoice.pk)}}}}).encode()


def _open_invoice(alice_org) -> Invoice:
    from django.db import transaction

    subscription = limits.subscription_for(alice_org)
    with transaction.atomic():
        return invoices.issue(alice_org, kind="renewal", period=(subscription.period_start, subscription.period_end),
                              lines=[("Standard plan", 4900)], card=None)


def test_BI2_webhooks_forged_or_replayed_change_nothing(standin, alice_org, alice):
    invoice = _open_invoice(alice_org)
    client = Client()
    url = "/billing/webhooks/provider/"
    payload = _event("payment_intent.succeeded", invoice)
    forged = standin_module.sign(payload, "whsec_not_the_secret")
    entries = AuditEntry.objects.count()
    answer = client.post(url, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=forged)
    assert answer.status_code == 400 and answer.json()["field"] == "Stripe-Signature"
    altered = client.post(url, data=payload.replace(b"evt_1", b"evt_2"), content_type="application/json",
                          HTTP_STRIPE_SIGNATURE=standin_module.sign(payload, standin_module.WEBHOOK_SECRET))
    assert altered.status_code == 400
    stale = standin_module.sign(payload, standin_module.WEBHOOK_SECRET, timestamp=int(timezone.now().timestamp()) - 3600)
    assert client.post(url, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=stale).status_code == 400
    assert not WebhookEvent.objects.exists() and AuditEntry.objects.count() == entries
    invoice.refresh_from_db()
    assert invoice.status == "open"

    signed = standin_module.sign(payload, standin_module.WEBHOOK_SECRET)
    first = client.post(url, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signed)
    assert first.status_code == 200 and first.json()["processed"] is True
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    entries = AuditEntry.objects.count()
    Invoice.objects.filter(pk=invoice.pk).update(status="open")  # a replay must not pay it again
    replay = client.post(url, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signed)
    assert replay.status_code == 200 and replay.json()["processed"] is False
    invoice.refresh_from_db()
    assert invoice.status == "open" and AuditEntry.objects.count() == entries
    assert WebhookEvent.objects.count() == 1
