"""PV4: the privacy center offers request types as cards in plain words, only those the policy
gives someone living where the person lives, with country names, not codes."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def _cards(html: str) -> list[str]:
    return re.findall(r'<article class="card request-card" data-type="([a-z_]+)">', html)


def test_PV4_cards_in_plain_words_for_the_persons_country(bob_client):
    html = bob_client.get("/privacy/center/").content.decode()  # the organization is in Germany
    assert "Your rights as someone living in Germany" in html
    # officeportal gives the GDPR rights to the EEA: no restriction, no CCPA rights.
    assert _cards(html) == ["access", "portability", "rectification", "erasure", "objection",
                            "do_you_hold_my_data"]
    cards = html[html.index('id="request-cards"'):html.index('id="new-request"')]
    assert "Delete your data" in cards and "See your data" in cards and "Answered within 1 month" in cards
    assert "ccpa" not in cards.lower().replace('data-type="', "") and "CCPA" not in cards
    # the country is chosen by name; the form offers only the cards' types
    assert '<option value="DE" selected>Germany</option>' in html
    form = html[html.index('id="new-request"'):]
    assert 'value="restriction"' not in form and 'value="ccpa_delete"' not in form


def test_PV4_a_country_outside_the_policys_audiences_gets_no_cards_and_is_named(bob_client):
    html = bob_client.get("/privacy/center/?country=US").content.decode()
    assert _cards(html) == []
    assert "gives no rights requests to people living in United States" in html


def test_PV4_a_card_opens_the_form_with_its_request_type(bob_client):
    html = bob_client.get("/privacy/center/?country=FR&type=erasure").content.decode()
    assert "Your rights as someone living in France" in html
    assert '<option value="erasure" selected>Delete your data</option>' in html


def test_PV4_a_type_the_policy_does_not_give_is_refused_naming_whom_it_is_for(bob_client):
    answer = bob_client.post("/privacy/center/", {"request_type": "ccpa_delete",
                                                   "residence_country": "DE"})
    assert answer.status_code == 400
    assert "does not offer this right" in answer.content.decode()
