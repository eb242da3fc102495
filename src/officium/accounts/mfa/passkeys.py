"""Passkeys (WebAuthn) as a second factor: ceremony options and their verification (py_webauthn).

The challenge of each ceremony is kept in the session and used once. The relying party is the
host the person reached Officium on (ALLOWED_HOSTS has vetted it), so one deployment works
under its real name and on localhost alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from officium.accounts.mfa.models import PasskeyDevice

REGISTRATION = "officium.passkey.registration"
AUTHENTICATION = "officium.passkey.authentication"
_MALFORMED = (WebAuthnException, ValueError, TypeError, KeyError, AttributeError)


class PasskeyRefused(Exception):
    """The browser's answer did not verify; the message is safe to show."""


@dataclass(frozen=True)
class NewPasskey:
    credential_id: bytes
    public_key: bytes
    sign_count: int
    transports: list[str]


def relying_party(request: HttpRequest) -> tuple[str, str]:
    """(RP id, origin) for this request."""
    origin = f"{request.scheme}://{request.get_host()}"
    return urlsplit(origin).hostname or "", origin


def _descriptor(device: PasskeyDevice) -> PublicKeyCredentialDescriptor:
    transports = [AuthenticatorTransport(t) for t in device.transports
                  if t in AuthenticatorTransport._value2member_map_]
    return PublicKeyCredentialDescriptor(id=bytes(device.credential_id), transports=transports or None)


def registration_options(request: HttpRequest, user: Any) -> str:
    """JSON options for navigator.credentials.create(); existing passkeys are excluded."""
    rp_id, _ = relying_party(request)
    options = generate_registration_options(
        rp_id=rp_id, rp_name=str(settings.OFFICIUM_MFA_ISSUER), user_name=user.email,
        user_display_name=user.get_full_name() or user.email,
        exclude_credentials=[_descriptor(d) for d in PasskeyDevice.objects.filter(user=user)],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.PREFERRED),
    )
    request.session[REGISTRATION] = bytes_to_base64url(options.challenge)
    return str(options_to_json(options))


def verify_registration(request: HttpRequest, credential: dict[str, Any]) -> NewPasskey:
    challenge = request.session.pop(REGISTRATION, None)
    if challenge is None:
        raise PasskeyRefused("Start adding the passkey again.")
    rp_id, origin = relying_party(request)
    try:
        verified = verify_registration_response(
            credential=credential, expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id, expected_origin=origin)
    except _MALFORMED as error:
        raise PasskeyRefused("The passkey could not be verified.") from error
    transports = credential.get("response", {}).get("transports") or []
    return NewPasskey(credential_id=verified.credential_id, public_key=verified.credential_public_key,
                      sign_count=verified.sign_count,
                      transports=[str(t) for t in transports if isinstance(t, str)][:8])


def authentication_options(request: HttpRequest, user: Any) -> str:
    """JSON options for navigator.credentials.get(), allowing only this person's passkeys."""
    rp_id, _ = relying_party(request)
    options = generate_authentication_options(
        rp_id=rp_id,
        allow_credentials=[_descriptor(d) for d in PasskeyDevice.objects.filter(user=user, confirmed=True)],
        user_verification=UserVerificationRequirement.PREFERRED)
    request.session[AUTHENTICATION] = bytes_to_base64url(options.challenge)
    return str(options_to_json(options))


def verify_authentication(request: HttpRequest, user: Any, credential: dict[str, Any]) -> tuple[PasskeyDevice, int]:
    """The person's passkey that signed the challenge, and its new signature counter."""
    challenge = request.session.pop(AUTHENTICATION, None)
    if challenge is None:
        raise PasskeyRefused("Start signing in with your passkey again.")
    try:
        raw_id = base64url_to_bytes(str(credential.get("rawId") or credential.get("id") or ""))
    except _MALFORMED as error:
        raise PasskeyRefused("That passkey is not registered for this account.") from error
    device = PasskeyDevice.objects.filter(user=user, confirmed=True, credential_id=raw_id).first()
    if device is None:
        raise PasskeyRefused("That passkey is not registered for this account.")
    rp_id, origin = relying_party(request)
    try:
        verified = verify_authentication_response(
            credential=credential, expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id, expected_origin=origin,
            credential_public_key=bytes(device.public_key),
            credential_current_sign_count=device.sign_count)
    except _MALFORMED as error:
        raise PasskeyRefused("The passkey could not be verified.") from error
    return device, int(verified.new_sign_count)
