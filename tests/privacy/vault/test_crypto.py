"""Field encryption, blind indexes and key wrapping: round trips, binding, tampering."""

from __future__ import annotations

import base64
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from officium.privacy.vault.crypto import (
    FIELD_OVERHEAD,
    CryptoError,
    DecryptionError,
    FieldCipher,
    FieldKeyring,
    blind_index,
    derive_subkey,
    field_aad,
    generate_data_key,
    normalize_for_index,
    pack_parts,
    token_key_version,
)
from officium.privacy.vault.kms import (
    KeyManagementService,
    KeyUnwrapError,
    LocalKMS,
    generate_master_key_text,
    master_key_from_text,
    wrapped_key_id,
)

KEY = bytes(range(32))
AAD = field_aad("accounts.User", "phone", 42)


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher(KEY, 3)


# --- data keys and field tokens ---------------------------------------------------------


def test_generate_data_key_is_32_random_bytes() -> None:
    keys = {generate_data_key() for _ in range(20)}
    assert len(keys) == 20
    assert all(len(k) == 32 for k in keys)


@settings(max_examples=200, deadline=None)
@given(plaintext=st.binary(max_size=2048), aad=st.binary(max_size=64))
def test_field_round_trip(plaintext: bytes, aad: bytes) -> None:
    cipher = FieldCipher(KEY, 7)
    token = cipher.encrypt(plaintext, aad)
    assert len(token) == len(plaintext) + FIELD_OVERHEAD
    assert cipher.decrypt(token, aad) == plaintext


def test_token_format_is_version_key_version_nonce_ciphertext(cipher: FieldCipher) -> None:
    token = cipher.encrypt(b"+4915112345678", AAD)
    assert token[0] == 1
    assert int.from_bytes(token[1:5], "big") == 3
    assert token_key_version(token) == 3
    assert b"+4915112345678" not in token


def test_each_encryption_uses_a_fresh_nonce(cipher: FieldCipher) -> None:
    tokens = {cipher.encrypt(b"same", AAD) for _ in range(50)}
    assert len(tokens) == 50
    assert len({t[5:17] for t in tokens}) == 50


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.none(), st.binary(max_size=40)), max_size=20))
def test_column_seal_and_open_round_trip_each_value_as_alone(values: list[bytes | None]) -> None:
    cipher = FieldCipher(KEY, 1)
    present = [v for v in values if v is not None]
    tokens = cipher.encrypt_column(present, AAD)
    assert [cipher.decrypt(t, AAD) for t in tokens] == present  # the single-value path opens them
    assert len({t[5:17] for t in tokens}) == len(tokens)  # a nonce per value
    column = iter(tokens)
    stored = [None if v is None else next(column) for v in values]
    assert cipher.open_column(stored, AAD) == values


def test_column_open_refuses_the_whole_column_for_one_bad_token(cipher: FieldCipher) -> None:
    tokens = cipher.encrypt_column([b"a", b"b", b"c"], AAD)
    tampered = tokens[1][:-1] + bytes([tokens[1][-1] ^ 1])
    with pytest.raises(DecryptionError, match="authentication"):
        cipher.open_column([tokens[0], tampered, tokens[2]], AAD)
    other_version = FieldCipher(KEY, 2).encrypt(b"d", AAD)
    with pytest.raises(DecryptionError, match="key version 2"):
        cipher.open_column([tokens[0], other_version], AAD)
    with pytest.raises(DecryptionError):
        cipher.open_column(tokens, field_aad("accounts.User", "phone", 43))  # another subject


def test_token_read_back_as_memoryview_decrypts(cipher: FieldCipher) -> None:
    """PostgreSQL drivers return bytea as memoryview."""
    token = cipher.encrypt(b"value", AAD)
    assert cipher.decrypt(memoryview(token), AAD) == b"value"


@pytest.mark.parametrize(
    "moved_to",
    [
        field_aad("accounts.User", "phone", 43),  # another subject's row
        field_aad("accounts.User", "email", 42),  # another field
        field_aad("accounts.Member", "phone", 42),  # another model
        field_aad("accounts.User", "phone", 42, row_id=1),  # pinned to a row
        b"",
    ],
)
def test_ciphertext_moved_elsewhere_fails(cipher: FieldCipher, moved_to: bytes) -> None:
    token = cipher.encrypt(b"+4915112345678", AAD)
    with pytest.raises(DecryptionError, match="authentication"):
        cipher.decrypt(token, moved_to)


def test_row_pinned_token_fails_in_another_row(cipher: FieldCipher) -> None:
    aad_row = field_aad("portal.File", "key", "u-1", row_id="f-1")
    token = cipher.encrypt(b"k", aad_row)
    assert cipher.decrypt(token, aad_row) == b"k"
    with pytest.raises(DecryptionError):
        cipher.decrypt(token, field_aad("portal.File", "key", "u-1", row_id="f-2"))


def test_field_aad_is_unambiguous_and_normalizes_subject_ids() -> None:
    assert field_aad("a.b", "cd", 1) != field_aad("a.bc", "d", 1)
    assert field_aad("a.b", "c", "1") == field_aad("a.b", "c", 1)
    assert field_aad("a.b", "c", 1) != field_aad("a.b", "c", 1, row_id=1)
    assert field_aad("a.b", "c", 12) != field_aad("a.b", "c", 1, row_id=2)
    with pytest.raises(TypeError):
        field_aad("a.b", "c", True)
    with pytest.raises(ValueError):
        field_aad("", "c", 1)


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_any_flipped_bit_is_detected(data: st.DataObject) -> None:
    cipher = FieldCipher(KEY, 1)
    token = bytearray(cipher.encrypt(b"secret value", AAD))
    position = data.draw(st.integers(0, len(token) - 1))
    token[position] ^= 1 << data.draw(st.integers(0, 7))
    with pytest.raises(DecryptionError):
        cipher.decrypt(bytes(token), AAD)


@pytest.mark.parametrize("token", [b"", b"\x01", b"\x01" + bytes(31), b"\x02" + bytes(40)])
def test_malformed_tokens_raise_decryption_error(cipher: FieldCipher, token: bytes) -> None:
    with pytest.raises(DecryptionError):
        cipher.decrypt(token, AAD)
    with pytest.raises(DecryptionError):
        token_key_version(token)


def test_truncated_token_fails(cipher: FieldCipher) -> None:
    token = cipher.encrypt(b"abcdef", AAD)
    for cut in range(len(token)):
        with pytest.raises(DecryptionError):
            cipher.decrypt(token[:cut], AAD)


def test_other_key_version_is_named_in_the_error(cipher: FieldCipher) -> None:
    token = FieldCipher(KEY, 4).encrypt(b"x", AAD)
    with pytest.raises(DecryptionError, match="key version 4"):
        cipher.decrypt(token, AAD)


def test_relabelled_key_version_fails() -> None:
    """The header is authenticated: changing the version byte is not a way in."""
    token = bytearray(FieldCipher(KEY, 1).encrypt(b"x", AAD))
    token[1:5] = (2).to_bytes(4, "big")
    with pytest.raises(DecryptionError):
        FieldCipher(KEY, 2).decrypt(bytes(token), AAD)


def test_wrong_key_same_version_fails() -> None:
    token = FieldCipher(KEY, 1).encrypt(b"x", AAD)
    with pytest.raises(DecryptionError):
        FieldCipher(generate_data_key(), 1).decrypt(token, AAD)


@pytest.mark.parametrize("key", [b"", bytes(16), bytes(33)])
def test_field_cipher_refuses_wrong_key_sizes(key: bytes) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        FieldCipher(key, 1)


@pytest.mark.parametrize("version", [-1, 2**32])
def test_field_cipher_refuses_unstorable_versions(version: int) -> None:
    with pytest.raises(ValueError):
        FieldCipher(KEY, version)


def test_repr_never_shows_the_key() -> None:
    key = b"K" * 32
    assert "KKKK" not in repr(FieldCipher(key, 1))
    assert "KKKK" not in repr(FieldKeyring({1: key}, 1))


def test_keyring_seals_with_current_and_opens_every_version() -> None:
    old, new = generate_data_key(), generate_data_key()
    old_token = FieldCipher(old, 1).encrypt(b"before rotation", AAD)
    ring = FieldKeyring({1: old, 2: new}, current=2)
    assert ring.current_version == 2
    assert ring.decrypt(old_token, AAD) == b"before rotation"
    new_token = ring.encrypt(b"after", AAD)
    assert token_key_version(new_token) == 2
    assert ring.decrypt(new_token, AAD) == b"after"
    with pytest.raises(DecryptionError, match="no key for key version 9"):
        ring.decrypt(FieldCipher(KEY, 9).encrypt(b"x", AAD), AAD)
    with pytest.raises(ValueError):
        FieldKeyring({1: old}, current=2)


# --- blind indexes and key derivation -------------------------------------------------


def test_blind_index_is_deterministic_hex_of_128_bits() -> None:
    index_key = derive_subkey(KEY, "blind-index")
    first = blind_index(index_key, "+4915112345678", "accounts.User.phone")
    assert first == blind_index(index_key, "+4915112345678", "accounts.User.phone")
    assert len(first) == 32
    int(first, 16)
    assert len(blind_index(index_key, "x", "c", hex_chars=64)) == 64


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Eve@Example.org", "eve@example.org"),
        ("  eve@example.org\n", "eve@example.org"),
        ("ＥＶＥ@example.org", "eve@example.org"),  # full-width letters (NFKC)
        ("STRASSE", "straße"),  # case folding, not lower()
        ("e\u0301ve", "\u00e9ve"),  # combining accent vs precomposed
    ],
)
def test_blind_index_normalizes(left: str, right: str) -> None:
    assert normalize_for_index(left) == normalize_for_index(right)
    assert blind_index(KEY, left, "ctx") == blind_index(KEY, right, "ctx")


def test_blind_index_separates_contexts_keys_and_values() -> None:
    base = blind_index(KEY, "value", "accounts.User.phone")
    assert base != blind_index(KEY, "value", "accounts.User.email")
    assert base != blind_index(generate_data_key(), "value", "accounts.User.phone")
    assert base != blind_index(KEY, "value2", "accounts.User.phone")


@pytest.mark.parametrize(
    ("key", "context", "hex_chars"),
    [(bytes(16), "c", 32), (KEY, "", 32), (KEY, "c", 15), (KEY, "c", 66)],
)
def test_blind_index_refuses_bad_parameters(key: bytes, context: str, hex_chars: int) -> None:
    with pytest.raises(ValueError):
        blind_index(key, "v", context, hex_chars=hex_chars)


def test_derive_subkey_is_deterministic_and_separates_purposes() -> None:
    assert derive_subkey(KEY, "a") == derive_subkey(KEY, "a")
    assert derive_subkey(KEY, "a") != derive_subkey(KEY, "b")
    assert derive_subkey(KEY, "a") != KEY
    assert len(derive_subkey(KEY, "a", 64)) == 64


def test_pack_parts_is_unambiguous() -> None:
    assert pack_parts("ab", "c") != pack_parts("a", "bc")
    assert pack_parts(1, "x") == pack_parts("1", b"x")
    with pytest.raises(TypeError):
        pack_parts(True)


# --- KMS ---------------------------------------------------------------------------------

CONTEXT = pack_parts("subject", 42, "v1")


@pytest.fixture
def kms() -> LocalKMS:
    return LocalKMS(bytes(range(100, 132)))


def test_local_kms_satisfies_the_interface(kms: LocalKMS) -> None:
    assert isinstance(kms, KeyManagementService)
    assert kms.key_id.startswith("local:")
    assert kms.key_id == LocalKMS(bytes(range(100, 132))).key_id
    assert kms.key_id != LocalKMS(bytes(32)).key_id


@settings(max_examples=50, deadline=None)
@given(key=st.binary(min_size=1, max_size=64), context=st.binary(max_size=64))
def test_wrap_unwrap_round_trip(key: bytes, context: bytes) -> None:
    kms = LocalKMS(bytes(range(32)))
    wrapped = kms.wrap(key, context)
    assert key not in wrapped or len(key) < 4
    assert kms.unwrap(wrapped, context) == key
    assert wrapped_key_id(wrapped) == kms.key_id


def test_wrapped_key_layout(kms: LocalKMS) -> None:
    wrapped = kms.wrap(KEY, CONTEXT)
    assert wrapped[0] == 1
    assert wrapped[1:9].hex() == kms.key_id.removeprefix("local:")
    assert len(wrapped) == 1 + 8 + 12 + 32 + 16


def test_unwrap_accepts_memoryview(kms: LocalKMS) -> None:
    assert kms.unwrap(memoryview(kms.wrap(KEY, CONTEXT)), CONTEXT) == KEY


def test_unwrap_with_wrong_context_fails(kms: LocalKMS) -> None:
    wrapped = kms.wrap(KEY, CONTEXT)
    with pytest.raises(KeyUnwrapError, match="wrong context or tampered"):
        kms.unwrap(wrapped, pack_parts("subject", 43, "v1"))


def test_unwrap_under_another_master_key_fails(kms: LocalKMS) -> None:
    wrapped = kms.wrap(KEY, CONTEXT)
    with pytest.raises(KeyUnwrapError, match="does not hold"):
        LocalKMS(generate_data_key()).unwrap(wrapped, CONTEXT)


def test_unwrap_detects_tampering_and_truncation(kms: LocalKMS) -> None:
    wrapped = kms.wrap(KEY, CONTEXT)
    for position in range(len(wrapped)):
        bad = bytearray(wrapped)
        bad[position] ^= 0x80
        with pytest.raises(KeyUnwrapError):
            kms.unwrap(bytes(bad), CONTEXT)
    for cut in range(len(wrapped)):
        with pytest.raises(KeyUnwrapError):
            kms.unwrap(wrapped[:cut], CONTEXT)


def test_master_key_rotation_with_retired_keys() -> None:
    old_master, new_master = generate_data_key(), generate_data_key()
    wrapped_old = LocalKMS(old_master).wrap(KEY, CONTEXT)
    rotated = LocalKMS(new_master, retired_keys=[old_master])
    assert rotated.needs_rewrap(wrapped_old)
    rewrapped = rotated.wrap(rotated.unwrap(wrapped_old, CONTEXT), CONTEXT)
    assert not rotated.needs_rewrap(rewrapped)
    assert LocalKMS(new_master).unwrap(rewrapped, CONTEXT) == KEY


def test_unwrap_error_is_a_crypto_error() -> None:
    assert issubclass(KeyUnwrapError, CryptoError)
    assert issubclass(DecryptionError, CryptoError)
    assert not issubclass(KeyUnwrapError, DecryptionError)


def test_wrap_refuses_empty_key(kms: LocalKMS) -> None:
    with pytest.raises(ValueError):
        kms.wrap(b"", CONTEXT)


def test_master_key_text_accepts_both_alphabets_with_or_without_padding() -> None:
    raw = bytes([0xFB, 0xFF] * 16)  # encodes with '+' '/' or '-' '_'
    standard = base64.b64encode(raw).decode()
    urlsafe = base64.urlsafe_b64encode(raw).decode()
    assert "+" in standard or "/" in standard
    for text in (standard, urlsafe, standard.rstrip("="), urlsafe.rstrip("="), f" {standard}\n"):
        assert master_key_from_text(text) == raw


def test_generated_master_key_text_round_trips() -> None:
    text = generate_master_key_text()
    assert len(text) == 43
    assert len(master_key_from_text(text)) == 32
    assert generate_master_key_text() != text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("not base64 at all!!", "not valid base64"),
        (base64.b64encode(os.urandom(16)).decode(), "32 bytes, got 16"),
        (base64.b64encode(os.urandom(48)).decode(), "32 bytes, got 48"),
        ("ab+c-d" + "A" * 38, "mixes"),
    ],
)
def test_master_key_text_errors_are_clear_and_do_not_echo(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        master_key_from_text(text)
    if text.strip():
        assert text.strip() not in str(info.value)


def test_local_kms_refuses_wrong_master_key_size() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        LocalKMS(bytes(16))
