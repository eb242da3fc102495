"""A local stand-in of the payment provider, for tests and the demo (never production).

It speaks the subset of Stripe's HTTP API that the Stripe adapter uses (customers, payment
methods, payment intents; form-encoded requests, Stripe's JSON and error shapes), so the
``stripe`` library talks to it unchanged through ``api_base``. It also serves, from its own
origin, ``/v3/standin.js``: a small substitute of Stripe.js (``Stripe(key).elements()``,
``createPaymentMethod``) that draws the card fields and posts the card to this server only.
Officium receives the payment method id. Test cards as Stripe's: 4242 4242 4242 4242 pays,
4000 0000 0000 0002 is declined. After each payment intent it sends a signed webhook to
``webhook_url`` (Stripe-Signature: t=...,v1=HMAC-SHA256), when one is set.

Run alone: ``python -m officium.billing.providers.standin --port 12111``.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import secrets
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

SECRET_KEY = "sk_test_standin"  # noqa: S105  (the stand-in's published test key)
PUBLISHABLE_KEY = "pk_test_standin"
WEBHOOK_SECRET = "whsec_standin"  # noqa: S105
DECLINED = {"4000000000000002", "4000000000009995"}
SCRIPT = Path(__file__).with_name("standin.js")


def luhn_valid(number: str) -> bool:
    if not number.isdigit() or not 13 <= len(number) <= 19:
        return False
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def brand_of(number: str) -> str:
    if number.startswith("4"):
        return "visa"
    if number[:2] in {"51", "52", "53", "54", "55"} or number[:4].isdigit() and 2221 <= int(number[:4]) <= 2720:
        return "mastercard"
    if number[:2] in {"34", "37"}:
        return "amex"
    return "unknown"


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A Stripe-Signature header value for ``payload``."""
    stamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{stamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def _nest(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding (``card[number]=...``) back into nested dicts."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


class StandIn:
    """The provider's state: in memory, for one run."""

    def __init__(self, webhook_url: str = "", webhook_secret: str = WEBHOOK_SECRET) -> None:
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.customers: dict[str, dict[str, Any]] = {}
        self.methods: dict[str, dict[str, Any]] = {}
        self.declines: set[str] = set()
        self.intents: dict[str, dict[str, Any]] = {}
        self.idempotent: dict[str, tuple[int, dict[str, Any]]] = {}
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        if self.server is None:
            raise RuntimeError("the stand-in is not started")
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self, host: str = "127.0.0.1", port: int = 0) -> StandIn:
        state = self

        class Handler(_Handler):
            standin = state

        self.server = ThreadingHTTPServer((host, port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True, name="payment-standin").start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    # --- the API -----------------------------------------------------------------------

    def create_payment_method(self, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        card = data.get("card") or {}
        number = "".join(str(card.get("number", "")).split())
        if not luhn_valid(number):
            return _error(402, "card_error", "incorrect_number", "Your card number is incorrect.", "number")
        try:
            month, year = int(card.get("exp_month", 0)), int(card.get("exp_year", 0))
        except ValueError:
            month = year = 0
        year = year + 2000 if year < 100 else year
        now = time.gmtime()
        if not 1 <= month <= 12 or (year, month) < (now.tm_year, now.tm_mon):
            return _error(402, "card_error", "invalid_expiry_year", "Your card's expiry date is invalid.",
                          "exp_month")
        if not str(card.get("cvc", "")).isdigit():
            return _error(402, "card_error", "incorrect_cvc", "Your card's security code is invalid.", "cvc")
        pm_id = "pm_" + secrets.token_hex(12)
        method = {"id": pm_id, "object": "payment_method", "type": "card", "customer": None,
                  "billing_details": data.get("billing_details") or {},
                  "card": {"brand": brand_of(number), "last4": number[-4:], "exp_month": month,
                           "exp_year": year, "country": "DE", "funding": "credit"},
                  "created": int(time.time()), "livemode": False}
        with self.lock:
            self.methods[pm_id] = method
            if number in DECLINED:
                self.declines.add(pm_id)
        return 200, method

    def create_customer(self, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        customer_id = "cus_" + secrets.token_hex(8)
        customer = {"id": customer_id, "object": "customer", "metadata": data.get("metadata") or {},
                    "livemode": False}
        self.customers[customer_id] = customer
        return 200, customer

    def method(self, pm_id: str) -> dict[str, Any] | None:
        return self.methods.get(pm_id)

    def attach(self, pm_id: str, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        method = self.methods.get(pm_id)
        if method is None:
            return _error(404, "invalid_request_error", "resource_missing", f"No such PaymentMethod: '{pm_id}'")
        if data.get("customer") not in self.customers:
            return _error(404, "invalid_request_error", "resource_missing", "No such customer", "customer")
        method["customer"] = data["customer"]
        return 200, method

    def detach(self, pm_id: str) -> tuple[int, dict[str, Any]]:
        method = self.methods.get(pm_id)
        if method is None:
            return _error(404, "invalid_request_error", "resource_missing", f"No such PaymentMethod: '{pm_id}'")
        method["customer"] = None
        return 200, method

    def create_intent(self, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        pm_id = str(data.get("payment_method", ""))
        method = self.methods.get(pm_id)
        if method is None or method.get("customer") != data.get("customer"):
            return _error(404, "invalid_request_error", "resource_missing", f"No such PaymentMethod: '{pm_id}'",
                          "payment_method")
        intent = {"id": "pi_" + secrets.token_hex(12), "object": "payment_intent",
                  "amount": int(data.get("amount", 0)), "currency": data.get("currency", "eur"),
                  "customer": data.get("customer"), "payment_method": pm_id,
                  "metadata": data.get("metadata") or {}, "livemode": False,
                  "status": "requires_payment_method" if pm_id in self.declines else "succeeded"}
        self.intents[intent["id"]] = intent
        self._send_webhook(intent)
        if pm_id in self.declines:
            status, body = _error(402, "card_error", "card_declined", "Your card was declined.")
            body["error"].update(decline_code="generic_decline", payment_intent=intent)
            return status, body
        return 200, intent

    def _send_webhook(self, intent: dict[str, Any]) -> None:
        if not self.webhook_url:
            return
        kind = "payment_intent.succeeded" if intent["status"] == "succeeded" else "payment_intent.payment_failed"
        event = {"id": "evt_" + secrets.token_hex(12), "object": "event", "type": kind,
                 "api_version": "2024-06-20", "created": int(time.time()), "livemode": False,
                 "data": {"object": intent}}
        payload = json.dumps(event).encode()
        request = urllib.request.Request(  # noqa: S310  (the configured loopback address)
            self.webhook_url, data=payload, method="POST",
            headers={"Content-Type": "application/json",
                     "Stripe-Signature": sign(payload, self.webhook_secret)})

        def deliver() -> None:
            try:
                urllib.request.urlopen(request, timeout=10).close()  # noqa: S310
            except OSError:
                pass  # as the provider would, it gives up quietly here (it retries in reality)

        threading.Thread(target=deliver, daemon=True).start()


def _error(status: int, kind: str, code: str, message: str, param: str = "") -> tuple[int, dict[str, Any]]:
    error: dict[str, Any] = {"type": kind, "code": code, "message": message}
    if param:
        error["param"] = param
    return status, {"error": error}


class _Handler(BaseHTTPRequestHandler):
    standin: StandIn
    server_version = "PaymentStandIn/1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: request lines would carry nothing secret, but tests need no noise."""

    def _send(self, status: int, body: dict[str, Any] | bytes, content_type: str = "application/json") -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Request-Id", "req_" + secrets.token_hex(6))
        self.end_headers()
        self.wfile.write(data)

    def do_OPTIONS(self) -> None:  # noqa: N802  (CORS preflight from the Officium page)
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST")
        self.send_header("Access-Control-Allow-Headers", "Authorization, Content-Type")
        self.end_headers()

    def _key(self) -> str:
        header = self.headers.get("Authorization", "")
        return header.removeprefix("Bearer ").strip()

    def do_GET(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        if path == "/v3/standin.js":
            self._send(200, SCRIPT.read_bytes(), "text/javascript; charset=utf-8")
            return
        if self._key() != SECRET_KEY:
            self._send(*_error(401, "invalid_request_error", "api_key_invalid", "Invalid API Key provided"))
            return
        if path.startswith("/v1/payment_methods/"):
            method = self.standin.method(path.rsplit("/", 1)[1])
            if method is None:
                self._send(*_error(404, "invalid_request_error", "resource_missing", "No such PaymentMethod"))
                return
            self._send(200, method)
            return
        self._send(*_error(404, "invalid_request_error", "resource_missing", "Unrecognized request URL"))

    def do_POST(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        data = _nest(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
        key = self._key()
        if path == "/v1/payment_methods":
            if key not in {PUBLISHABLE_KEY, SECRET_KEY}:
                self._send(*_error(401, "invalid_request_error", "api_key_invalid", "Invalid API Key provided"))
                return
            self._send(*self.standin.create_payment_method(data))
            return
        if key != SECRET_KEY:
            self._send(*_error(401, "invalid_request_error", "api_key_invalid", "Invalid API Key provided"))
            return
        idem = self.headers.get("Idempotency-Key", "")
        if idem and idem in self.standin.idempotent:
            self._send(*self.standin.idempotent[idem])
            return
        parts = path.strip("/").split("/")
        if path == "/v1/customers":
            result = self.standin.create_customer(data)
        elif path == "/v1/payment_intents":
            result = self.standin.create_intent(data)
        elif len(parts) == 4 and parts[1] == "payment_methods" and parts[3] == "attach":
            result = self.standin.attach(parts[2], data)
        elif len(parts) == 4 and parts[1] == "payment_methods" and parts[3] == "detach":
            result = self.standin.detach(parts[2])
        else:
            result = _error(404, "invalid_request_error", "resource_missing", "Unrecognized request URL")
        if idem:
            self.standin.idempotent[idem] = result
        self._send(*result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--webhook-url", default="")
    args = parser.parse_args()
    standin = StandIn(webhook_url=args.webhook_url).start(args.host, args.port)
    print(f"payment stand-in on {standin.url}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
