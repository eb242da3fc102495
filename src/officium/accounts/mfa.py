"""The optional TOTP second factor (RFC 6238 through pyotp)."""

from __future__ import annotations

import pyotp

ISSUER = "Officium"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
