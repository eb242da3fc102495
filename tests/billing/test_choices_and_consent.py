"""BI1: choosing one's own retention periods (the portal's trash period, the location period)
is the plan's ``retention_choices`` feature: refused on the Free plan with the reason and
nothing written, allowed on Standard; a choice made on a larger plan stays in force after a
downgrade and can always be dropped back to the policy's period.
BI2: the consent to keep a card is recorded as given where it was: the card form at checkout,
or the API; its withdrawal on the billing page."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from tests.billing.conftest import PLAN_URL, card_form, post_json, tokenize

from officium.attendance import retention
from officium.attendance import services as attendance
from officium.billing import limits
from officium.billing.models import PlanTier, Subscription
from officium.portal import files
from officium.portal.models import PortalSettings
from officium.privacy.audit.models import AuditEntry
from officium.privacy.consent.models import ConsentRecord
from officium.privacy.retention.models import RetentionOverride

pytestmark = pytest.mark.django_db


def _on(organization, code: str) -> None:
    subscription = limits.subscription_for(organization)
    Subscription.objects.filter(pk=subscription.pk).update(plan=PlanTier.objects.get(code=code))


def test_BI1_free_plan_keeps_the_policys_trash_period_refused_with_the_reason(alice_org, alice):
    owner = alice.memberships.get()
    with pytest.raises(ValidationError) as refused:
        files.set_trash_days(owner, 7)
    message = refused.value.message_dict["trash_days"][0]
    assert "Free plan keeps the privacy policy's retention periods" in message and "Standard and Enterprise" in message
    client = Client()
    client.force_login(alice)
    answer = client.put("/api/portal/orgs/alpha/portal-settings", json.dumps({"trash_days": 7}),
                        content_type="application/json")
    assert answer.status_code == 400 and answer.json()["field"] == "trash_days"
    assert not PortalSettings.objects.exists()
    assert not AuditEntry.objects.filter(event="portal.trash_period_changed").exists()
    assert files.set_trash_days(owner, files.DEFAULT_TRASH_DAYS) == files.DEFAULT_TRASH_DAYS  # the default: no choice


def test_BI1_standard_plan_chooses_the_trash_period_and_keeps_it_after_a_downgrade(retention_choices, alice):
    owner = alice.memberships.get()
    assert files.set_trash_days(owner, 7) == 7 and files.trash_days(retention_choices.pk) == 7
    _on(retention_choices, "free")
    assert files.trash_days(retention_choices.pk) == 7  # in force: nothing changes under the organization
    assert files.set_trash_days(owner, 7) == 7  # saving the same choice again is not a new one
    with pytest.raises(ValidationError):
        files.set_trash_days(owner, 14)
    assert files.set_trash_days(owner, files.DEFAULT_TRASH_DAYS) == files.DEFAULT_TRASH_DAYS


def test_BI1_location_period_is_a_plan_choice_both_ways(use_policy, alice_org, alice):
    use_policy("officetrack")
    owner = alice.memberships.get()
    with pytest.raises(ValidationError) as refused:
        attendance.change_settings(owner, "accept", 30)
    assert "Free plan" in refused.value.message_dict["location_retention_days"][0]
    assert not RetentionOverride.objects.exists()
    assert retention.location_period(alice_org).days == 90
    attendance.change_settings(owner, "accept", None)  # the policy's period: always
    _on(alice_org, "standard")
    attendance.change_settings(owner, "accept", 30)
    assert retention.location_period(alice_org).days == 30
    _on(alice_org, "free")
    attendance.change_settings(owner, "review", 30)  # unchanged period: other settings still save
    with pytest.raises(ValidationError):
        attendance.change_settings(owner, "accept", 45)
    assert RetentionOverride.objects.get().days == 30


def test_BI1_billing_page_says_which_plans_offer_retention_choices(alice_org, alice):
    client = Client()
    client.force_login(alice)
    html = client.get("/o/alpha/billing/").content.decode()
    assert "Own retention periods" in html and "yes, within the privacy policy" in html
    assert "no: the policy's periods" in html


def test_BI2_saved_card_consent_is_recorded_as_given_on_the_card_form_and_withdrawn_on_the_billing_page(
        standin, alice_org, alice, django_capture_on_commit_callbacks):
    page = Client()
    page.force_login(alice)
    response = page.post("/o/alpha/billing/plan/standard/", card_form(tokenize(standin), save_card="on"))
    assert response.status_code == 302, response.content.decode()[-2000:]
    given = ConsentRecord.objects.get(purpose="saved_card")
    assert (given.state, given.method, given.subject_user_id) == ("given", "card_form", alice.pk)
    assert given.get_method_display() == "Checkbox on the card form at checkout"
    with django_capture_on_commit_callbacks(execute=True):
        page.post("/o/alpha/billing/card/remove/")
    withdrawn = ConsentRecord.objects.filter(purpose="saved_card").order_by("-pk").first()
    assert (withdrawn.state, withdrawn.method) == ("withdrawn", "billing_page")
    assert not ConsentRecord.objects.filter(purpose="saved_card", method="preference_page").exists()


def test_BI2_saved_card_consent_through_the_api_is_recorded_as_api(standin, alice_org, alice, owner_api):
    assert post_json(owner_api, PLAN_URL, {"plan": "standard", **card_form(tokenize(standin), save_card=True)}
                     ).status_code == 200
    assert ConsentRecord.objects.get(purpose="saved_card").method == "api"


def test_BI2_withdrawing_the_saved_card_consent_on_the_preferences_page_forgets_the_card(
        standin, alice_org, alice, owner_api, django_capture_on_commit_callbacks):
    from officium.billing.models import PaymentMethod

    token = tokenize(standin)
    assert post_json(owner_api, PLAN_URL, {"plan": "standard", **card_form(token, save_card=True)}).status_code == 200
    page = Client()
    page.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        answer = page.post("/privacy/consent/", {"kind": "purpose", "purpose": "saved_card", "action": "withdraw"})
    assert answer.status_code == 302
    method = PaymentMethod.objects.get()
    assert not method.saved and method.provider_token == "" and method.removed_at is not None
    assert standin.methods[token]["customer"] is None  # detached at the provider
    assert ConsentRecord.objects.order_by("-pk").first().method == "preference_page"
    assert page.get("/o/alpha/billing/").content.decode().count('id="saved-card"') == 0
