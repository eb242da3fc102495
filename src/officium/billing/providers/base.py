"""The payment provider seam: what billing asks of a provider, whoever it is.

The browser hands the card to the provider's own script, which answers with a token (a
payment method id); Officium only ever sees that token and the card's description. A provider
here creates customers, attaches and detaches tokens, charges, and verifies webhooks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


class ProviderError(Exception):
    """The provider refused or failed: ``code`` is its stable code (``card_declined``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class SignatureError(Exception):
    """A webhook whose signature does not verify (forged, altered or too old)."""


@dataclass(frozen=True)
class CardDetails:
    """What the provider tells about a tokenized card: never the number."""

    token: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class Charge:
    payment_id: str
    status: str  # "succeeded" | "processing"


@dataclass(frozen=True)
class BrowserScript:
    """How the page loads the provider's tokenization script, and what the CSP must allow."""

    script_url: str
    publishable_key: str
    origins: list[str] = field(default_factory=list)
    stand_in: bool = False


class PaymentProvider(Protocol):
    name: str

    def browser(self) -> BrowserScript: ...

    def create_customer(self, organization_id: int) -> str: ...

    def attach(self, token: str, customer: str) -> CardDetails: ...

    def detach(self, token: str) -> None: ...

    def charge(self, *, customer: str, token: str, amount_cents: int, currency: str,
               idempotency_key: str, metadata: dict[str, str]) -> Charge: ...

    def parse_webhook(self, payload: bytes, signature: str) -> dict[str, Any]: ...
