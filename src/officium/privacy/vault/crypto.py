"""Field-level authenticated encryption and keyed blind indexes.

This module is pure Python on top of ``cryptography`` (AES-256-GCM, HMAC-SHA256,
HKDF-SHA256) and knows nothing about Django, so the vault's model field, the
rotation command and the benchmarks all share one implementation of the format.

Field token format (version 1), all integers big-endian::

    offset  size  meaning
    0       1     format version, 0x01
    1       4     key version (uint32): which of the subject's data keys sealed it
    5       12    random nonce
    17      n+16  AES-256-GCM ciphertext of the n plaintext bytes, then the 16-byte tag

The AES-GCM associated data is ``token[0:5] + aad``: the header is authenticated
(a token relabelled with another key version fails) and ``aad`` binds the token
to its place. Use :func:`field_aad` to build ``aad`` from the model, the field
and the data subject, so a ciphertext copied to another subject's row or to
another field does not decrypt. Random 96-bit nonces keep the collision risk
negligible below 2**32 encryptions per key, far beyond one subject's fields.

Blind indexes (:func:`blind_index`) are truncated HMAC-SHA256 values of a
normalized value under a separate index key, so exact-match lookups work on
encrypted columns without a deterministic cipher.
"""

from __future__ import annotations

import hmac
import os
import struct
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Final, NoReturn

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = [
    "BLIND_INDEX_HEX_CHARS",
    "BytesLike",
    "CryptoError",
    "DATA_KEY_SIZE",
    "DecryptionError",
    "FIELD_FORMAT_VERSION",
    "FIELD_OVERHEAD",
    "FieldCipher",
    "FieldKeyring",
    "blind_index",
    "derive_subkey",
    "field_aad",
    "generate_data_key",
    "normalize_for_index",
    "pack_parts",
    "token_key_version",
]

BytesLike = bytes | bytearray | memoryview
"""Inputs accept any contiguous byte buffer: PostgreSQL drivers return bytea as memoryview."""

DATA_KEY_SIZE: Final = 32
"""AES-256 only: one key size means one code path and no downgrade."""

NONCE_SIZE: Final = 12
TAG_SIZE: Final = 16
FIELD_FORMAT_VERSION: Final = 1
_FIELD_HEADER = struct.Struct(">BI")
_FIELD_HEADER_SIZE: Final = _FIELD_HEADER.size  # 5
FIELD_OVERHEAD: Final = _FIELD_HEADER_SIZE + NONCE_SIZE + TAG_SIZE
"""Bytes a field token adds to its plaintext (33): size columns with it."""

MAX_KEY_VERSION: Final = 0xFFFFFFFF
BLIND_INDEX_HEX_CHARS: Final = 32
"""128 bits: collisions stay negligible while the column stays short."""

_FIELD_AAD_DOMAIN: Final = b"officium/vault/field/v1"
_BLIND_INDEX_DOMAIN: Final = b"officium/vault/blind-index/v1"
_SUBKEY_DOMAIN: Final = b"officium/vault/subkey/v1"


class CryptoError(Exception):
    """Base class for every vault cryptography failure, so callers can catch one type."""


class DecryptionError(CryptoError):
    """A token or record is malformed, tampered with, moved, or sealed under another key.

    The message never contains key material or plaintext; it says which check failed.
    """


def generate_data_key() -> bytes:
    """Return a fresh random 32-byte data key (one per data subject, file or space)."""
    return os.urandom(DATA_KEY_SIZE)


def _check_key(key: bytes, what: str = "key") -> None:
    """Reject keys of the wrong type or size early, with a message naming the problem."""
    if not isinstance(key, (bytes, bytearray, memoryview)):
        raise TypeError(f"{what} must be bytes, not {type(key).__name__}")
    if len(key) != DATA_KEY_SIZE:
        raise ValueError(f"{what} must be {DATA_KEY_SIZE} bytes, got {len(key)}")


def _check_key_version(key_version: int) -> None:
    """Key versions are stored as uint32 in every token; refuse what cannot be stored."""
    if isinstance(key_version, bool) or not isinstance(key_version, int):
        raise TypeError("key_version must be an int")
    if not 0 <= key_version <= MAX_KEY_VERSION:
        raise ValueError(f"key_version must be in 0..{MAX_KEY_VERSION}, got {key_version}")


def pack_parts(*parts: str | bytes | int) -> bytes:
    """Encode parts unambiguously: each as a 4-byte big-endian length and its bytes.

    Plain concatenation would make ("ab", "c") equal ("a", "bc"); length prefixes
    make every distinct tuple a distinct byte string, which is what associated
    data and KMS contexts need. Strings are UTF-8, ints their decimal text.
    """
    out = bytearray()
    for part in parts:
        if isinstance(part, bool):
            raise TypeError("booleans are not valid context parts")
        if isinstance(part, int):
            raw = str(part).encode("ascii")
        elif isinstance(part, str):
            raw = part.encode("utf-8")
        elif isinstance(part, (bytes, bytearray, memoryview)):
            raw = bytes(part)
        else:
            raise TypeError(f"cannot pack {type(part).__name__}")
        out += len(raw).to_bytes(4, "big")
        out += raw
    return bytes(out)


@lru_cache(maxsize=1024)
def _field_aad_prefix(model_label: str, field_name: str) -> bytes:
    """The (model, field) part of the AAD is reused for every row, so compute it once."""
    if not model_label or not field_name:
        raise ValueError("model_label and field_name must be non-empty")
    return pack_parts(_FIELD_AAD_DOMAIN, model_label, field_name)


def field_aad(
    model_label: str,
    field_name: str,
    subject_id: str | int,
    *,
    row_id: str | int | None = None,
) -> bytes:
    """Associated data that pins a field token to its model, field and data subject.

    ``model_label`` is Django's ``app_label.ModelName``; ``subject_id`` is the data
    subject's primary key (``5`` and ``"5"`` are the same subject, as primary keys
    often come back as strings). A token copied into another model, another field
    or a row of another subject fails to decrypt.

    ``row_id`` additionally pins the token to one row. It is optional because an
    auto-increment primary key is unknown before INSERT; pass it only when the
    row's key is assigned before saving (e.g. a UUID), and then always.
    """
    if isinstance(subject_id, bool) or not isinstance(subject_id, (str, int)):
        raise TypeError("subject_id must be a str or int")
    aad = _field_aad_prefix(model_label, field_name) + pack_parts(str(subject_id))
    if row_id is not None:
        if isinstance(row_id, bool) or not isinstance(row_id, (str, int)):
            raise TypeError("row_id must be a str or int")
        aad += pack_parts(str(row_id))
    return aad


def token_key_version(token: BytesLike) -> int:
    """Return the key version recorded in a field token, to pick the key that opens it.

    Raises :class:`DecryptionError` if the token is too short or of an unknown format,
    so a corrupt column value is reported the same way as a failed decryption.
    """
    if len(token) < FIELD_OVERHEAD:
        raise DecryptionError("field token is too short")
    version, key_version = _FIELD_HEADER.unpack_from(token)
    if version != FIELD_FORMAT_VERSION:
        raise DecryptionError(f"unknown field token format version {version}")
    return int(key_version)


class FieldCipher:
    """AES-256-GCM for small field values under one data key of one key version.

    The ``AESGCM`` object and the 5-byte header are built once per instance, so
    encrypting a value costs one ``os.urandom(12)``, one AEAD call and two short
    concatenations. Keep an instance per (subject key, version) for as long as the
    key is in use. Instances are safe to share between threads.
    """

    __slots__ = ("_aead", "_header", "_key_version")

    def __init__(self, key: bytes, key_version: int) -> None:
        _check_key(key, "field key")
        _check_key_version(key_version)
        self._aead = AESGCM(bytes(key))
        self._key_version = key_version
        self._header = _FIELD_HEADER.pack(FIELD_FORMAT_VERSION, key_version)

    @property
    def key_version(self) -> int:
        """The version written into every token this cipher seals."""
        return self._key_version

    @property
    def header(self) -> bytes:
        """The 5-byte prefix of every token this cipher seals (format and key version)."""
        return self._header

    def __repr__(self) -> str:
        """Show the version only: a key must never reach a log or a traceback."""
        return f"FieldCipher(key_version={self._key_version})"

    def encrypt(self, plaintext: BytesLike, aad: BytesLike) -> bytes:
        """Seal ``plaintext`` bound to ``aad`` (see :func:`field_aad`); returns a token."""
        nonce = os.urandom(NONCE_SIZE)
        header = self._header
        return header + nonce + self._aead.encrypt(nonce, plaintext, header + aad)

    def decrypt(self, token: BytesLike, aad: BytesLike) -> bytes:
        """Open a token sealed by :meth:`encrypt` with the same key, version and ``aad``.

        Raises :class:`DecryptionError` on a malformed token, a token of another key
        version, or an authentication failure (tampered, moved, or wrong key).

        The success path is one prefix check and one AEAD call; the specific reason for
        a failure (too short, unknown format, other key version, bad tag) is worked out
        only after the fact.
        """
        if type(token) is not bytes:
            token = bytes(token)
        header = self._header
        if token.startswith(header):
            try:
                return self._aead.decrypt(token[5:17], token[17:], header + aad)
            except (InvalidTag, ValueError):  # ValueError: too short to hold a nonce
                pass
        self._explain_rejection(token)  # outside the handler: no chained traceback

    def opener(self, aad: BytesLike) -> Callable[[bytes], bytes]:
        """A decrypt function bound to one ``aad``, for opening many tokens of one column of
        one subject (an export): one AEAD call per token, nothing else on the success path."""
        header, decrypt_raw = self._header, self._aead.decrypt
        associated = header + bytes(aad)

        def open_token(token: bytes) -> bytes:
            if token.startswith(header):
                try:
                    return decrypt_raw(token[5:17], token[17:], associated)
                except (InvalidTag, ValueError):
                    pass
            return self.decrypt(token, aad)  # raises the specific DecryptionError

        return open_token

    def encrypt_column(self, plaintexts: Sequence[bytes], aad: BytesLike) -> list[bytes]:
        """Seal many values bound to one ``aad`` (one column of one subject, for a bulk insert):
        the nonces come from one ``os.urandom`` call, then one AEAD call per value."""
        header, encrypt_raw = self._header, self._aead.encrypt
        associated = header + bytes(aad)
        randomness = os.urandom(NONCE_SIZE * len(plaintexts))
        nonces = [randomness[i:i + NONCE_SIZE] for i in range(0, len(randomness), NONCE_SIZE)]
        return [header + nonce + encrypt_raw(nonce, plaintext, associated)
                for nonce, plaintext in zip(nonces, plaintexts, strict=True)]

    def open_column(self, tokens: Sequence[bytes | None], aad: BytesLike) -> list[bytes | None]:
        """Open many tokens bound to one ``aad`` (one column of one subject, for an export):
        one AEAD call per token in a single comprehension. ``None`` stays ``None``. Raises
        :class:`DecryptionError` (the first failure's reason) if any token does not open."""
        header, decrypt_raw = self._header, self._aead.decrypt
        associated = header + bytes(aad)
        try:
            if all(t is None or t[:5] == header for t in tokens):
                return [None if t is None else decrypt_raw(t[5:17], t[17:], associated)
                        for t in tokens]
        except (InvalidTag, ValueError):
            pass
        return [None if t is None else self.decrypt(t, aad) for t in tokens]  # raises

    def _explain_rejection(self, token: BytesLike) -> NoReturn:
        """Raise the most specific error for a token that did not open."""
        found = token_key_version(token)  # raises for short or unknown-format tokens
        if found != self._key_version:
            raise DecryptionError(
                f"field token has key version {found}, this cipher holds version {self._key_version}"
            )
        raise DecryptionError(
            "field token failed authentication (tampered, moved to another "
            "row/field/subject, or sealed under another key)"
        )


class FieldKeyring:
    """All key versions of one subject: seal with the current one, open any of them.

    Rotation adds a version and makes it current; older tokens stay readable until
    they are re-encrypted, because each token names its version.
    """

    __slots__ = ("_ciphers", "_current")

    def __init__(self, keys: Mapping[int, bytes], current: int) -> None:
        if current not in keys:
            raise ValueError(f"current key version {current} is not among the keys")
        self._ciphers = {version: FieldCipher(key, version) for version, key in keys.items()}
        self._current = self._ciphers[current]

    @property
    def current_version(self) -> int:
        """The version new tokens are sealed with."""
        return self._current.key_version

    def __repr__(self) -> str:
        """List versions only, never keys."""
        return f"FieldKeyring(versions={sorted(self._ciphers)}, current={self.current_version})"

    def encrypt(self, plaintext: BytesLike, aad: BytesLike) -> bytes:
        """Seal under the current key version."""
        return self._current.encrypt(plaintext, aad)

    def decrypt(self, token: BytesLike, aad: BytesLike) -> bytes:
        """Open a token under whichever known version sealed it."""
        cipher = self._ciphers.get(token_key_version(token))
        if cipher is None:
            raise DecryptionError(f"no key for key version {token_key_version(token)}")
        return cipher.decrypt(token, aad)


def normalize_for_index(value: str) -> str:
    """Normalize text for blind indexing: NFKC, case-folded, NFKC again, stripped.

    This is Unicode's caseless identifier matching, so "ÉVE@x.org", "éve@x.org " and
    the full-width forms index alike. It does not understand formats: callers pass
    emails with the domain lower-cased and phone numbers in E.164 ("+4915112345678")
    so that different spellings of the same number become one string first.
    """
    folded = unicodedata.normalize("NFKC", value).casefold()
    return unicodedata.normalize("NFKC", folded).strip()


def blind_index(
    index_key: bytes,
    value: str,
    context: str,
    *,
    hex_chars: int = BLIND_INDEX_HEX_CHARS,
) -> str:
    """Keyed, truncated HMAC-SHA256 of a normalized value, as lowercase hex.

    ``context`` (e.g. ``"accounts.User.phone"``) separates columns, so equal values
    in two columns do not share an index entry and one column's index cannot be
    matched against another's. ``index_key`` must not be a data key: the index
    survives in the table, so derive it separately (see :func:`derive_subkey`).
    Truncation to 128 bits (32 hex chars by default) keeps collisions negligible;
    a lookup still decrypts and compares the candidates it finds.
    """
    if not isinstance(value, str):
        raise TypeError("value must be a str")
    if len(index_key) < DATA_KEY_SIZE:
        raise ValueError(f"index key must be at least {DATA_KEY_SIZE} bytes")
    if not context:
        raise ValueError("context must be non-empty")
    if hex_chars % 2 or not 16 <= hex_chars <= 64:
        raise ValueError("hex_chars must be even and in 16..64")
    message = pack_parts(_BLIND_INDEX_DOMAIN, context, normalize_for_index(value))
    return hmac.digest(index_key, message, "sha256")[: hex_chars // 2].hex()


def derive_subkey(key: bytes, purpose: str, length: int = DATA_KEY_SIZE) -> bytes:
    """Derive an independent key for ``purpose`` from ``key`` with HKDF-SHA256.

    One stored secret can then serve several roles (e.g. a blind-index key per
    organization) without any two roles ever sharing key bytes.
    """
    if len(key) < DATA_KEY_SIZE:
        raise ValueError(f"key must be at least {DATA_KEY_SIZE} bytes")
    if not purpose:
        raise ValueError("purpose must be non-empty")
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=length,
        salt=None,
        info=pack_parts(_SUBKEY_DOMAIN, purpose),
    )
    return hkdf.derive(bytes(key))
