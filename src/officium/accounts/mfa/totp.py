"""Authenticator apps (RFC 6238): enrolment data and code checks, on django-otp's TOTP."""

from __future__ import annotations

import time
from base64 import b32encode
from binascii import unhexlify
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django_otp.oath import TOTP
from django_otp.util import random_hex

from officium.accounts.mfa.models import TotpDevice

TOLERANCE = 1  # one step either side: a phone's clock may be half a minute off


def new_key() -> str:
    """20 random bytes, hex (django-otp's format)."""
    return str(random_hex(20))


def base32_secret(device: TotpDevice) -> str:
    """The key as people type it into an app."""
    return b32encode(unhexlify(device.key)).decode().rstrip("=")


def provisioning_uri(device: TotpDevice, account: str) -> str:
    """The otpauth:// URI behind the QR code (Key Uri Format)."""
    issuer = str(settings.OFFICIUM_MFA_ISSUER).replace(":", "")
    params = urlencode({"secret": base32_secret(device), "algorithm": "SHA1",
                        "digits": device.digits, "period": device.step})
    return f"otpauth://totp/{quote(f'{issuer}:{account}')}?{params}&issuer={quote(issuer)}"


def qr_data_uri(uri: str) -> str:
    """An SVG QR code as a data: URI (the CSP allows data: images; no script, no third party)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=4, border=2))


def matching_step(device: TotpDevice, code: str) -> tuple[int, int] | None:
    """(time step, drift) of ``code`` if it is valid now and later than the last accepted one."""
    code = code.strip().replace(" ", "")
    if not code.isdigit() or len(code) != device.digits:
        return None
    totp = TOTP(unhexlify(device.key), device.step, 0, device.digits, device.drift)
    totp.time = time.time()
    if not totp.verify(int(code), TOLERANCE, device.last_t + 1):
        return None
    return int(totp.t()), int(totp.drift)
