"""The Stripe adapter, through the ``stripe`` library (customers, payment methods, payment
intents, webhook signatures). Pointed at the local stand-in by ``api_base`` in tests and the
demo; at Stripe itself when its keys are set (the production default)."""

from __future__ import annotations

from typing import Any

import stripe

from officium.billing.providers.base import (
    BrowserScript,
    CardDetails,
    Charge,
    ProviderError,
    SignatureError,
)

STRIPE_JS = "https://js.stripe.com/v3/"
STRIPE_ORIGINS = ["https://js.stripe.com", "https://api.stripe.com", "https://hooks.stripe.com"]


class StripeProvider:
    name = "stripe"

    def __init__(self, *, secret_key: str, publishable_key: str, webhook_secret: str,
                 api_base: str = "", stand_in: bool = False) -> None:
        self.publishable_key = publishable_key
        self.webhook_secret = webhook_secret
        self.api_base = api_base.rstrip("/")
        self.stand_in = stand_in
        addresses: dict[str, str] = {"api": self.api_base} if self.api_base else {}
        self.client = stripe.StripeClient(secret_key, base_addresses=addresses,  # type: ignore[arg-type]
                                          max_network_retries=1)

    def browser(self) -> BrowserScript:
        if self.stand_in:
            return BrowserScript(script_url=f"{self.api_base}/v3/standin.js",
                                 publishable_key=self.publishable_key, origins=[self.api_base],
                                 stand_in=True)
        return BrowserScript(script_url=STRIPE_JS, publishable_key=self.publishable_key,
                             origins=STRIPE_ORIGINS)

    def create_customer(self, organization_id: int) -> str:
        # Only an id travels: the provider needs no name or address of ours to hold a card.
        customer = self._call(self.client.v1.customers.create,
                              {"metadata": {"organization_id": str(organization_id)}})
        return str(customer.id)

    def attach(self, token: str, customer: str) -> CardDetails:
        method = self._call(self.client.v1.payment_methods.attach, token, {"customer": customer})
        card = method.card
        if card is None:
            raise ProviderError("not_a_card", "The payment method is not a card.")
        return CardDetails(token=str(method.id), brand=str(card.brand), last4=str(card.last4),
                           exp_month=int(card.exp_month), exp_year=int(card.exp_year))

    def detach(self, token: str) -> None:
        self._call(self.client.v1.payment_methods.detach, token)

    def charge(self, *, customer: str, token: str, amount_cents: int, currency: str,
               idempotency_key: str, metadata: dict[str, str]) -> Charge:
        intent = self._call(
            self.client.v1.payment_intents.create,
            {"amount": amount_cents, "currency": currency.lower(), "customer": customer,
             "payment_method": token, "confirm": True, "off_session": True, "metadata": metadata},
            {"idempotency_key": idempotency_key})
        return Charge(payment_id=str(intent.id), status=str(intent.status))

    def parse_webhook(self, payload: bytes, signature: str) -> dict[str, Any]:
        try:
            event = stripe.Webhook.construct_event(payload, signature, self.webhook_secret)
        except (stripe.SignatureVerificationError, ValueError) as error:
            raise SignatureError(str(error)) from None
        result: dict[str, Any] = event.to_dict()
        return result

    @staticmethod
    def _call(method: Any, *args: Any) -> Any:
        try:
            return method(*args)
        except stripe.CardError as error:
            raise ProviderError(str(error.code or "card_declined"),
                                str(error.user_message or "The card was declined.")) from None
        except stripe.StripeError as error:
            raise ProviderError(str(error.code or "provider_error"),
                                "The payment provider refused the request; nothing was charged.") from None
