"""BI1/BI2/SE2: plans with limits from a table, prorated changes paid by a card the provider
tokenized, saved only with consent; declined cards and card numbers in fields write nothing."""

from __future__ import annotations

import pytest
from tests.billing.conftest import DECLINES, PAYS, card_form, post_json, tokenize
from tests.factories import member

from officium.accounts import services as accounts
from officium.accounts.models import Invitation, Membership
from officium.accounts.roles import Role
from officium.billing import limits
from officium.billing.models import Invoice, PaymentMethod, PlanTier, Subscription
from officium.mail.models import OutboxEmail
from officium.privacy.audit.models import AuditEntry
from officium.privacy.consent.models import ConsentRecord

pytestmark = pytest.mark.django_db
PLAN = "/api/billing/orgs/alpha/plan"


def test_BI1_plans_and_limits_come_from_the_table(alice_org, owner_api):
    assert list(PlanTier.objects.values_list("code", flat=True)) == ["free", "standard", "enterprise"]
    PlanTier.objects.filter(code="standard").update(monthly_price_cents=9900, max_members=7)
    answer = owner_api.get("/api/billing/orgs/alpha/subscription").json()
    standard = next(p for p in answer["plans"] if p["code"] == "standard")
    assert standard["monthly_price_cents"] == 9900 and standard["max_members"] == 7
    assert answer["plan"] == "free"


def test_BI1_BI2_owner_upgrades_prorated_pays_with_a_token_and_gets_the_invoice(standin, alice_org, alice, owner_api):
    response = post_json(owner_api, PLAN, {"plan": "standard", **card_form(tokenize(standin))})
    assert response.status_code == 200, response.content
    invoice = Invoice.objects.get()
    subscription = Subscription.objects.get()
    assert subscription.plan.code == "standard"
    alice_org.refresh_from_db()
    assert alice_org.plan == "standard"
    assert invoice.status == "paid" and invoice.number.endswith("-0001") and invoice.kind == "plan_change"
    # prorated: the price for the days left of the month (never more than a month), plus tax
    assert 0 < invoice.subtotal_cents <= 4900
    assert invoice.tax_cents == round(invoice.subtotal_cents * 0.19)
    assert invoice.total_cents == invoice.subtotal_cents + invoice.tax_cents
    assert invoice.billed_name == "Alice Anders" and "Visa ending 4242" in invoice.card_label
    assert OutboxEmail.objects.filter(category="billing_invoice", to_address=alice.email).exists()
    assert response.json()["invoice"]["number"] == invoice.number


def test_BI2_card_not_kept_without_consent(standin, alice_org, alice, owner_api,
                                          django_capture_on_commit_callbacks):
    token = tokenize(standin)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_json(owner_api, PLAN, {"plan": "standard", **card_form(token)}).status_code == 200
    method = PaymentMethod.objects.get()
    assert (method.saved, method.provider_token, method.last4, method.brand) == (False, "", "4242", "visa")
    assert standin.methods[token]["customer"] is None  # detached at the provider after paying
    assert not ConsentRecord.objects.filter(purpose="saved_card").exists()


def test_BI2_card_kept_with_consent_in_the_ledger_and_removed_on_withdrawal(standin, alice_org, alice, owner_api,
                                                                            django_capture_on_commit_callbacks):
    token = tokenize(standin)
    response = post_json(owner_api, PLAN, {"plan": "standard", **card_form(token, save_card=True)})
    assert response.status_code == 200
    method = PaymentMethod.objects.get()
    assert method.saved and method.provider_token == token
    consent = ConsentRecord.objects.get(purpose="saved_card", subject_user=alice)
    assert consent.state == "given"
    from django.test import Client

    page = Client()
    page.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        assert page.post("/o/alpha/billing/card/remove/").status_code == 302
    method.refresh_from_db()
    assert not method.saved and method.provider_token == "" and method.removed_at is not None
    assert ConsentRecord.objects.filter(purpose="saved_card").order_by("-pk").first().state == "withdrawn"
    assert standin.methods[token]["customer"] is None


def test_BI2_declined_card_changes_nothing(standin, alice_org, owner_api):
    entries = AuditEntry.objects.count()
    response = post_json(owner_api, PLAN, {"plan": "standard", **card_form(tokenize(standin, DECLINES))})
    assert response.status_code == 402 and response.json()["field"] == "payment_method"
    assert not Invoice.objects.exists() and not PaymentMethod.objects.exists()
    assert limits.subscription_for(alice_org).plan.code == "free"
    assert AuditEntry.objects.count() == entries


@pytest.mark.parametrize("field", ["cardholder_name", "address_line", "payment_method"])
def test_SE2_a_card_number_typed_into_our_fields_is_refused(standin, alice_org, owner_api, field):
    body = {"plan": "standard", **card_form(tokenize(standin))}
    body[field] = "4242 4242 4242 4242"
    response = post_json(owner_api, PLAN, body)
    assert response.status_code == 400 and response.json()["field"] == field
    assert not PaymentMethod.objects.exists() and not Invoice.objects.exists()


def test_BI1_plan_change_beyond_limits_is_refused_and_nothing_is_written(standin, alice_org, alice, owner_api):
    assert post_json(owner_api, PLAN, {"plan": "standard", **card_form(tokenize(standin))}).status_code == 200
    for _ in range(5):
        member(alice_org)
    assert Membership.objects.filter(organization=alice_org).count() == 6
    entries = AuditEntry.objects.count()
    response = post_json(owner_api, PLAN, {"plan": "free"})
    assert response.status_code == 400 and response.json()["field"] == "plan"
    assert "6 members" in response.json()["message"]
    assert limits.subscription_for(alice_org).plan.code == "standard"
    assert AuditEntry.objects.count() == entries and Membership.objects.filter(organization=alice_org).count() == 6


def test_BI1_member_limit_reached_gets_a_clear_message_and_keeps_everyone(alice_org, alice):
    for _ in range(4):
        member(alice_org)
    owner = Membership.objects.get(user=alice)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        accounts.invite_member(owner, "new@alpha.example", Role.MEMBER, None)
    assert "allows 5 members" in refused.value.message_dict["email"][0]
    assert not Invitation.objects.exists() and Membership.objects.filter(organization=alice_org).count() == 5


def test_BI1_downgrade_leaves_a_prorated_credit(standin, alice_org, owner_api):
    assert post_json(owner_api, PLAN, {"plan": "enterprise", **card_form(tokenize(standin), save_card=True)}
                     ).status_code == 200
    response = post_json(owner_api, PLAN, {"plan": "standard"})
    assert response.status_code == 200 and response.json()["invoice"] is None
    subscription = Subscription.objects.get()
    assert subscription.plan.code == "standard" and subscription.credit_cents > 0


def test_BI2_upgrade_without_a_card_names_the_field(standin, alice_org, owner_api):
    response = post_json(owner_api, PLAN, {"plan": "standard"})
    assert response.status_code == 400 and response.json()["field"] == "payment_method"


def test_BI1_only_the_owner_changes_the_plan(standin, alice_org, bob):
    from django.test import Client

    client = Client()
    client.force_login(bob)
    assert client.get("/o/alpha/billing/").status_code == 403
    assert PAYS  # the test card exists for the owner's flows
