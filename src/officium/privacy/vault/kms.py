"""Key wrapping behind a small interface, so a cloud KMS can replace the local master key.

The vault never stores a data key in the clear: it stores ``kms.wrap(key, context)``
and calls ``kms.unwrap`` when it needs the key. :class:`LocalKMS` implements this
with a 32-byte master key that lives outside the database (``OFFICIUM_MASTER_KEY``
or ``OFFICIUM_MASTER_KEY_FILE``, read by ``officium.env.secret`` with
:func:`generate_master_key_text` as its development generator and decoded by
:func:`master_key_from_text`); an AWS/GCP/Vault adapter implements the same three
members and the rest of the vault does not change.

LocalKMS wrapped-key format (version 1)::

    offset  size  meaning
    0       1     format version, 0x01
    1       8     master key fingerprint (first 8 bytes of HMAC-SHA256(master, label))
    9       12    random nonce
    21      n+16  AES-256-GCM ciphertext of the n-byte data key, then the tag

The associated data is ``wrapped[0:9] + context``. ``context`` names what the key
belongs to (e.g. ``pack_parts("subject", 42, "v3")``), so a wrapped key copied to
another subject's key row cannot be unwrapped there. The fingerprint lets one
LocalKMS hold retired master keys for rotation and tells an operator *which* master
key a row needs, without revealing anything about the key itself.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import struct
from collections.abc import Iterable
from typing import Final, Protocol, runtime_checkable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from officium.privacy.vault.crypto import BytesLike, CryptoError

__all__ = [
    "KeyManagementService",
    "KeyUnwrapError",
    "LocalKMS",
    "MASTER_KEY_SIZE",
    "generate_master_key_text",
    "master_key_from_text",
    "wrapped_key_id",
]

MASTER_KEY_SIZE: Final = 32
WRAP_FORMAT_VERSION: Final = 1
_FINGERPRINT_SIZE: Final = 8
_NONCE_SIZE: Final = 12
_TAG_SIZE: Final = 16
_HEADER = struct.Struct(f">B{_FINGERPRINT_SIZE}s")
_HEADER_SIZE: Final = _HEADER.size  # 9
_MIN_WRAPPED_SIZE: Final = _HEADER_SIZE + _NONCE_SIZE + _TAG_SIZE + 1
_FINGERPRINT_LABEL: Final = b"officium/kms/local/key-id/v1"
_KEY_ID_PREFIX: Final = "local:"
_MAX_WRAPPED_KEY: Final = 1024


class KeyUnwrapError(CryptoError):
    """A wrapped key could not be unwrapped: wrong master key, wrong context, or tampered.

    Distinct from :class:`~officium.privacy.vault.crypto.DecryptionError` because it
    usually means a deployment problem (the wrong master key is configured) or a
    shredded/moved key row, not one bad field value.
    """


@runtime_checkable
class KeyManagementService(Protocol):
    """What the vault needs from a KMS: wrap and unwrap small keys under a context.

    Implementations must authenticate ``context`` (a wrapped key only unwraps with
    the exact context it was wrapped with) and raise :class:`KeyUnwrapError` on any
    failure, never return wrong bytes.
    """

    @property
    def key_id(self) -> str:
        """Stable identifier of the key that :meth:`wrap` uses now (safe to log)."""
        ...

    def wrap(self, plaintext_key: bytes, context: bytes) -> bytes:
        """Encrypt ``plaintext_key`` so only this KMS, given ``context``, can recover it."""
        ...

    def unwrap(self, wrapped: bytes, context: bytes) -> bytes:
        """Recover a key from :meth:`wrap`'s output; raise :class:`KeyUnwrapError` if not."""
        ...


def _fingerprint(master_key: bytes) -> bytes:
    """A short public identifier for a master key: a keyed hash, so it reveals nothing."""
    return hmac.digest(master_key, _FINGERPRINT_LABEL, "sha256")[:_FINGERPRINT_SIZE]


def _check_master_key(master_key: bytes) -> bytes:
    """Only 32-byte keys: AES-256, and an early error instead of a silent weak key."""
    if not isinstance(master_key, (bytes, bytearray)):
        raise TypeError("master key must be bytes")
    if len(master_key) != MASTER_KEY_SIZE:
        raise ValueError(f"master key must be {MASTER_KEY_SIZE} bytes, got {len(master_key)}")
    return bytes(master_key)


def wrapped_key_id(wrapped: BytesLike) -> str:
    """Return the key id of the LocalKMS master key that wrapped ``wrapped``.

    The rotation command uses it to find rows still wrapped by a retired master key.
    """
    if len(wrapped) < _MIN_WRAPPED_SIZE:
        raise KeyUnwrapError("wrapped key is too short")
    version, fingerprint = _HEADER.unpack_from(wrapped)
    if version != WRAP_FORMAT_VERSION:
        raise KeyUnwrapError(f"unknown wrapped-key format version {version}")
    return _KEY_ID_PREFIX + bytes(fingerprint).hex()


class LocalKMS:
    """AES-256-GCM key wrapping under a master key held by this process.

    ``retired_keys`` are earlier master keys: they still unwrap, never wrap, so an
    operator can rotate the master key and rewrap rows (``needs_rewrap`` finds them)
    while the service keeps running.
    """

    __slots__ = ("_fingerprint", "_keys")

    def __init__(self, master_key: bytes, *, retired_keys: Iterable[bytes] = ()) -> None:
        primary = _check_master_key(master_key)
        self._fingerprint = _fingerprint(primary)
        self._keys: dict[bytes, AESGCM] = {}
        for key in (*(_check_master_key(k) for k in retired_keys), primary):
            self._keys[_fingerprint(key)] = AESGCM(key)

    @property
    def key_id(self) -> str:
        """``local:`` and the hex fingerprint of the current master key."""
        return _KEY_ID_PREFIX + self._fingerprint.hex()

    @property
    def key_ids(self) -> tuple[str, ...]:
        """Every master-key id this KMS unwraps: the current one and the retired ones."""
        return tuple(_KEY_ID_PREFIX + fingerprint.hex() for fingerprint in self._keys)

    def __repr__(self) -> str:
        """Identify the key without exposing it."""
        return f"LocalKMS(key_id={self.key_id!r}, keys={len(self._keys)})"

    def wrap(self, plaintext_key: bytes, context: bytes) -> bytes:
        """Wrap a data key under the current master key, bound to ``context``."""
        if not 1 <= len(plaintext_key) <= _MAX_WRAPPED_KEY:
            raise ValueError(f"key to wrap must be 1..{_MAX_WRAPPED_KEY} bytes")
        header = _HEADER.pack(WRAP_FORMAT_VERSION, self._fingerprint)
        nonce = os.urandom(_NONCE_SIZE)
        sealed = self._keys[self._fingerprint].encrypt(
            nonce, bytes(plaintext_key), header + context
        )
        return header + nonce + sealed

    def unwrap(self, wrapped: BytesLike, context: bytes) -> bytes:
        """Unwrap with whichever held master key wrapped it; the context must match."""
        wrapped = bytes(wrapped)  # PostgreSQL drivers hand bytea back as memoryview
        key_id = wrapped_key_id(wrapped)
        aead = self._keys.get(bytes(wrapped[1:_HEADER_SIZE]))
        if aead is None:
            raise KeyUnwrapError(f"wrapped by master key {key_id}, which this KMS does not hold")
        nonce = wrapped[_HEADER_SIZE : _HEADER_SIZE + _NONCE_SIZE]
        try:
            return aead.decrypt(
                nonce, wrapped[_HEADER_SIZE + _NONCE_SIZE :], wrapped[:_HEADER_SIZE] + context
            )
        except InvalidTag:
            raise KeyUnwrapError(
                "wrapped key failed authentication (wrong context or tampered)"
            ) from None

    def needs_rewrap(self, wrapped: BytesLike) -> bool:
        """True when ``wrapped`` is under a retired master key and should be rewrapped."""
        return wrapped_key_id(wrapped) != self.key_id


def master_key_from_text(text: str) -> bytes:
    """Decode a master key from base64 text (standard or URL-safe, padding optional).

    Raises ``ValueError`` naming what is wrong (empty, not base64, wrong length)
    without echoing the text, which is a secret.
    """
    if not isinstance(text, str):
        raise TypeError("master key text must be a str")
    cleaned = "".join(text.split())
    if not cleaned:
        raise ValueError("master key is empty")
    urlsafe = "-" in cleaned or "_" in cleaned
    if urlsafe and ("+" in cleaned or "/" in cleaned):
        raise ValueError("master key mixes standard and URL-safe base64 alphabets")
    if urlsafe:
        cleaned = cleaned.replace("-", "+").replace("_", "/")
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        key = base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("master key is not valid base64") from None
    if len(key) != MASTER_KEY_SIZE:
        raise ValueError(
            f"master key must decode to {MASTER_KEY_SIZE} bytes, got {len(key)}; "
            "generate one with generate_master_key_text()"
        )
    return key


def generate_master_key_text() -> str:
    """A new random master key as unpadded URL-safe base64 (43 characters)."""
    return base64.urlsafe_b64encode(os.urandom(MASTER_KEY_SIZE)).rstrip(b"=").decode("ascii")
