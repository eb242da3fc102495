"""Billing fixtures: the payment provider's local stand-in on loopback (its HTTP API and its
Stripe.js substitute), selected through settings, and a tokenizer that does what the browser
does: posts the card to the stand-in only and gets a payment method id back."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

from officium.billing.providers import standin as standin_module

PAYS = "4242424242424242"
DECLINES = "4000000000000002"


@pytest.fixture(scope="session")
def standin_server():
    server = standin_module.StandIn().start()
    yield server
    server.stop()


@pytest.fixture
def standin(standin_server, settings):
    settings.OFFICIUM_PAYMENT_PROVIDER = "standin"
    settings.OFFICIUM_PAYMENT_API_BASE = standin_server.url
    settings.OFFICIUM_PAYMENT_WEBHOOK_SECRET = ""
    standin_server.webhook_url = ""
    standin_server.idempotent.clear()  # ids repeat across rolled-back tests
    return standin_server


def tokenize(server, number: str = PAYS, exp: tuple[str, str] = ("12", "2030"), cvc: str = "123") -> str:
    """What the stand-in's script does in the browser: the card to the provider, an id back."""
    body = urllib.parse.urlencode({"type": "card", "card[number]": number, "card[exp_month]": exp[0],
                                   "card[exp_year]": exp[1], "card[cvc]": cvc}).encode()
    request = urllib.request.Request(  # noqa: S310  (the loopback stand-in)
        f"{server.url}/v1/payment_methods", data=body, method="POST",
        headers={"Authorization": f"Bearer {standin_module.PUBLISHABLE_KEY}"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  (loopback stand-in)
        return str(json.load(response)["id"])


def card_form(token: str, **extra: object) -> dict[str, object]:
    return {"payment_method": token, "cardholder_name": "Alice Anders", "address_line": "Hauptstr. 1",
            "postal_code": "10115", "city": "Berlin", "country": "DE", **extra}


@pytest.fixture
def owner_api(alice):
    from django.test import Client

    from officium.accounts import services

    _, raw = services.create_api_token(alice, "billing tests")
    return Client(headers={"authorization": f"Bearer {raw}"})


def post_json(client, url: str, body: dict[str, object]):
    return client.post(url, data=json.dumps(body), content_type="application/json")
PLAN_URL = "/api/billing/orgs/alpha/plan"
