"""AC7: passkeys (WebAuthn) as a second factor. The server's verification is checked against a
software authenticator (P-256, "none" attestation) that signs exactly as a real one does, and
the whole ceremony runs in Chromium with a CDP virtual authenticator."""

from __future__ import annotations

import hashlib
import json
import os
import struct

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client
from tests.conftest import PASSWORD
from webauthn.helpers import bytes_to_base64url as b64

from officium.accounts.mfa import services as mfa
from officium.accounts.mfa.models import PasskeyDevice
from officium.privacy.audit.models import AuditEntry

ORIGIN, RP_ID = "http://testserver", "testserver"


class SoftAuthenticator:
    """A passkey in software: what a security key answers to create() and get()."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.count = 0

    def _client_data(self, kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin,
                           "crossOrigin": False}).encode()

    def create(self, options: dict, origin: str = ORIGIN) -> dict:
        numbers = self.key.public_key().public_numbers()
        cose = cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                            -3: numbers.y.to_bytes(32, "big")})
        auth_data = (hashlib.sha256(options["rp"]["id"].encode()).digest() + bytes([0x41])
                     + struct.pack(">I", self.count) + bytes(16)
                     + struct.pack(">H", len(self.credential_id)) + self.credential_id + cose)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {"id": b64(self.credential_id), "rawId": b64(self.credential_id), "type": "public-key",
                "response": {"clientDataJSON": b64(self._client_data("webauthn.create", options["challenge"], origin)),
                             "attestationObject": b64(attestation), "transports": ["usb"]},
                "clientExtensionResults": {}}

    def get(self, options: dict, origin: str = ORIGIN, rp_id: str = RP_ID, count: int | None = None) -> dict:
        self.count = self.count + 1 if count is None else count
        auth_data = hashlib.sha256(rp_id.encode()).digest() + bytes([0x01]) + struct.pack(">I", self.count)
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {"id": b64(self.credential_id), "rawId": b64(self.credential_id), "type": "public-key",
                "response": {"clientDataJSON": b64(client_data), "authenticatorData": b64(auth_data),
                             "signature": b64(signature), "userHandle": None},
                "clientExtensionResults": {}}


def post_json(client: Client, url: str, body: dict | None = None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def add_passkey(client: Client, authenticator: SoftAuthenticator):
    options = post_json(client, "/accounts/security/two-step/passkeys/options/").json()
    return post_json(client, "/accounts/security/two-step/passkeys/", authenticator.create(options))


def password_step(user) -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": user.email, "password": PASSWORD}).url == "/accounts/login/verify/"
    return client


def passkey_step(client: Client, authenticator: SoftAuthenticator, **kwargs):
    options = post_json(client, "/accounts/login/passkey/options/").json()
    return post_json(client, "/accounts/login/passkey/", authenticator.get(options, **kwargs)), options


@pytest.mark.django_db
def test_AC7_passkey_registration_is_verified(alice, alice_client):
    soft = SoftAuthenticator()
    options = post_json(alice_client, "/accounts/security/two-step/passkeys/options/").json()
    assert options["rp"]["id"] == RP_ID and options["attestation"] == "none"
    # an answer made for another site is refused, and the challenge is spent
    wrong_site = soft.create(options, origin="https://evil.example")
    response = post_json(alice_client, "/accounts/security/two-step/passkeys/", wrong_site)
    assert response.status_code == 400 and not PasskeyDevice.objects.exists()
    replay = post_json(alice_client, "/accounts/security/two-step/passkeys/", soft.create(options))
    assert replay.status_code == 400 and not mfa.has_second_factor(alice)

    response = add_passkey(alice_client, soft)
    assert response.status_code == 201 and len(response.json()["codes"]) == 10
    device = PasskeyDevice.objects.get(user=alice)
    assert bytes(device.credential_id) == soft.credential_id and mfa.has_second_factor(alice)
    assert [e.details for e in AuditEntry.objects.filter(event="accounts.mfa_enabled")] == [{"method": "passkey"}]
    # the same authenticator is excluded from the next registration
    again = post_json(alice_client, "/accounts/security/two-step/passkeys/options/").json()
    assert [c["id"] for c in again["excludeCredentials"]] == [b64(soft.credential_id)]


@pytest.mark.django_db
def test_AC7_passkey_signs_in_as_the_second_step(alice, alice_client, charlie):
    soft = SoftAuthenticator()
    assert add_passkey(alice_client, soft).status_code == 201
    client = password_step(alice)
    page = client.get("/accounts/login/verify/").content.decode()
    assert 'data-passkey="authenticate"' in page and "accounts/passkeys.js" in page
    response, options = passkey_step(client, soft)
    assert response.status_code == 200 and response.json()["redirect"] == "/"
    assert client.session["_auth_user_id"] == str(alice.pk)
    assert [c["id"] for c in options["allowCredentials"]] == [b64(soft.credential_id)]

    # a replayed answer, another site's answer, a cloned key's old counter: all refused
    replayer = password_step(alice)
    post_json(replayer, "/accounts/login/passkey/options/")
    old = soft.get(options, count=soft.count + 1)
    assert post_json(replayer, "/accounts/login/passkey/", old).status_code == 400
    response, _ = passkey_step(replayer, soft, origin="https://evil.example")
    assert response.status_code == 400
    response, _ = passkey_step(replayer, soft, count=1)
    assert response.status_code == 400 and "_auth_user_id" not in replayer.session
    # charlie's passkey does not open alice's account
    charlie_key = SoftAuthenticator()
    charlie_client = Client()
    charlie_client.force_login(charlie)
    assert add_passkey(charlie_client, charlie_key).status_code == 201
    response, _ = passkey_step(replayer, charlie_key)
    assert response.status_code == 400 and "_auth_user_id" not in replayer.session


@pytest.mark.django_db
def test_AC7_removing_a_passkey_needs_the_password(alice, alice_client):
    assert add_passkey(alice_client, SoftAuthenticator()).status_code == 201
    device = PasskeyDevice.objects.get(user=alice)
    url = f"/accounts/security/two-step/passkeys/{device.pk}/remove/"
    alice_client.post(url, {"password": "not-the-password"})
    assert PasskeyDevice.objects.filter(pk=device.pk).exists()
    alice_client.post(url, {"password": PASSWORD})
    assert not PasskeyDevice.objects.exists() and not mfa.has_second_factor(alice)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_AC7_passkey_in_chromium_with_a_virtual_authenticator(browser_login, live_server, alice):
    context, page = browser_login(alice)
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "usb", "hasResidentKey": False,
        "hasUserVerification": True, "isUserVerified": True, "automaticPresenceSimulation": True}})

    page.goto(f"{live_server.url}/accounts/security/two-step/")
    page.click("text=Add a passkey")
    page.wait_for_selector("#passkey-codes:not([hidden])")
    codes = page.locator("#passkey-codes li").all_inner_texts()
    assert len(codes) == 10
    assert PasskeyDevice.objects.filter(user=alice).count() == 1

    page.click("text=Sign out")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", alice.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/login/verify/")
    with page.expect_navigation():
        page.click("text=Use a passkey")
    assert "/accounts/login/" not in page.url
    assert PasskeyDevice.objects.get(user=alice).last_used_at is not None
