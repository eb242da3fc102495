"""Streaming file encryption: round trips, ranges, resume, and every kind of tampering."""

from __future__ import annotations

import hmac
import io
import os
from collections.abc import Callable, Iterator

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import given, settings
from hypothesis import strategies as st

from officium.privacy.vault.crypto import DecryptionError, generate_data_key, pack_parts
from officium.privacy.vault.stream import (
    DEFAULT_RECORD_SIZE,
    HEADER_SIZE,
    TAG_SIZE,
    StreamDecryptor,
    StreamEncryptor,
    StreamHeader,
    ciphertext_size,
    decrypt_all,
    decrypt_range,
    plaintext_size_of,
    read_at_from_file,
    record_offset,
    record_span,
)

KEY = bytes(range(32))
FILE_AAD = pack_parts("portal.File", "file-1")
RS = 32  # small records so tests cross many boundaries quickly


def encrypt(
    data: bytes,
    *,
    key: bytes = KEY,
    aad: bytes = FILE_AAD,
    rs: int = RS,
    chunk: int = 7,
) -> bytes:
    enc = StreamEncryptor(key, aad, rs)
    out = [enc.header()]
    for i in range(0, len(data), chunk):
        out.append(enc.update(data[i : i + chunk]))
    out.append(enc.finalize())
    return b"".join(out)


def reader(blob: bytes):  # type: ignore[no-untyped-def]
    return lambda offset, length: blob[offset : offset + length]


def decrypted(blob: bytes, size: int | None, *, key: bytes = KEY, aad: bytes = FILE_AAD) -> bytes:
    return b"".join(decrypt_all(key, aad, reader(blob), size))


def consume(start: Callable[..., Iterator[bytes]], *args: object) -> tuple[bytes, Exception | None]:
    """Collect what a decryption yields before it fails, to prove nothing bad leaked.

    Header and key checks fail when the call is made, record checks while iterating;
    both count.
    """
    got = bytearray()
    try:
        for piece in start(*args):
            got += piece
    except DecryptionError as exc:
        return bytes(got), exc
    return bytes(got), None


# --- round trips and sizes ---------------------------------------------------------------

SIZES = [0, 1, RS - 1, RS, RS + 1, 2 * RS, 3 * RS - 1, 10 * RS + 5]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("known_size", [True, False])
def test_round_trip_at_record_boundaries(size: int, known_size: bool) -> None:
    data = os.urandom(size)
    blob = encrypt(data)
    assert len(blob) == ciphertext_size(size, RS)
    assert decrypted(blob, size if known_size else None) == data


@settings(max_examples=150, deadline=None)
@given(
    data=st.binary(max_size=12 * RS),
    rs=st.sampled_from([16, 17, 32, 100]),
    chunks=st.lists(st.integers(0, 5 * RS), max_size=30),
)
def test_round_trip_with_random_chunking(data: bytes, rs: int, chunks: list[int]) -> None:
    enc = StreamEncryptor(KEY, FILE_AAD, rs)
    out = [enc.header()]
    pos = 0
    for n in chunks:
        piece = enc.update(data[pos : pos + n])
        assert len(piece) % (rs + TAG_SIZE) == 0  # whole records only
        out.append(piece)
        pos += n
        assert enc.plaintext_offset == min(pos, len(data))
    out.append(enc.update(data[pos:]))
    out.append(enc.finalize())
    blob = b"".join(out)
    assert len(blob) == ciphertext_size(len(data), rs)
    assert plaintext_size_of(len(blob), rs) == len(data)
    assert decrypted(blob, len(data)) == data
    assert decrypted(blob, None) == data


def test_empty_file_has_a_final_record() -> None:
    blob = encrypt(b"")
    assert len(blob) == HEADER_SIZE + TAG_SIZE
    assert decrypted(blob, 0) == b""
    assert decrypted(blob, None) == b""
    with pytest.raises(DecryptionError):
        decrypted(blob[:HEADER_SIZE], 0)
    with pytest.raises(DecryptionError):
        decrypted(blob[:HEADER_SIZE], None)


def test_exact_multiple_ends_with_an_empty_final_record() -> None:
    blob = encrypt(os.urandom(2 * RS))
    assert len(blob) == HEADER_SIZE + 2 * (RS + TAG_SIZE) + TAG_SIZE


def test_update_records_and_memoryview_input() -> None:
    data = os.urandom(5 * RS + 3)
    enc = StreamEncryptor(KEY, FILE_AAD, RS)
    records = enc.update_records(memoryview(data)[: 2 * RS + 1])
    records += enc.update_records(bytearray(data[2 * RS + 1 :]))
    assert [len(r) for r in records] == [RS + TAG_SIZE] * 5
    blob = enc.header() + b"".join(records) + enc.finalize()
    assert decrypted(blob, len(data)) == data


def test_default_record_size_large_file() -> None:
    data = os.urandom(3 * DEFAULT_RECORD_SIZE + 1234)
    enc = StreamEncryptor(KEY, FILE_AAD)
    blob = enc.header() + enc.update(data) + enc.finalize()
    assert len(blob) == ciphertext_size(len(data))
    assert decrypted(blob, len(data)) == data


def test_ciphertext_contains_no_plaintext() -> None:
    data = b"CONFIDENTIAL-" * 100
    assert b"CONFIDENTIAL" not in encrypt(data)


def test_encryptor_cannot_be_used_after_finalize() -> None:
    enc = StreamEncryptor(KEY, FILE_AAD, RS)
    enc.finalize()
    with pytest.raises(RuntimeError):
        enc.update(b"x")
    with pytest.raises(RuntimeError):
        enc.finalize()
    with pytest.raises(RuntimeError):
        enc.state()
    with pytest.raises(RuntimeError):
        enc.sealed_state()


@pytest.mark.parametrize("rs", [0, 15, 16 * 1024 * 1024 + 1])
def test_record_size_bounds(rs: int) -> None:
    with pytest.raises(ValueError):
        StreamEncryptor(KEY, FILE_AAD, rs)


def test_size_helpers() -> None:
    assert ciphertext_size(0, RS) == HEADER_SIZE + TAG_SIZE
    assert ciphertext_size(RS, RS) == HEADER_SIZE + RS + 2 * TAG_SIZE
    assert record_offset(2, RS) == HEADER_SIZE + 2 * (RS + TAG_SIZE)
    assert record_span(0, 0, RS) == range(0, 0)
    assert record_span(0, 1, RS) == range(0, 1)
    assert record_span(RS - 1, RS + 1, RS) == range(0, 2)
    assert record_span(RS, 2 * RS, RS) == range(1, 2)
    assert record_span(5, 3 * RS + 1, RS) == range(0, 4)
    with pytest.raises(ValueError):
        record_span(5, 4, RS)
    for bad in (0, HEADER_SIZE + TAG_SIZE - 1, HEADER_SIZE + RS + TAG_SIZE + 3):
        with pytest.raises(ValueError):
            plaintext_size_of(bad, RS)


# --- format conformance (what a WebCrypto implementation must do) --------------------------


def test_format_matches_the_documented_layout() -> None:
    data = os.urandom(RS + 5)
    blob = encrypt(data)
    header = StreamHeader.parse(blob)
    assert blob[:4] == b"OFSA" and blob[4] == 1
    assert int.from_bytes(blob[5:9], "big") == RS == header.record_size
    okm = HKDF(
        algorithm=hashes.SHA256(),
        length=96,
        salt=blob[9:41],
        info=b"officium/stream/v1" + blob[:48],
    ).derive(KEY)
    assert hmac.compare_digest(okm[32:64], blob[48:80])
    aead = AESGCM(okm[:32])
    prefix = blob[41:48]
    rec0 = blob[80 : 80 + RS + 16]
    rec1 = blob[80 + RS + 16 :]
    assert aead.decrypt(prefix + (0).to_bytes(4, "big") + b"\x00", rec0, FILE_AAD) == data[:RS]
    assert aead.decrypt(prefix + (1).to_bytes(4, "big") + b"\x01", rec1, FILE_AAD) == data[RS:]


def test_each_file_gets_its_own_salt_and_prefix() -> None:
    a, b = encrypt(b"same"), encrypt(b"same")
    assert a[9:48] != b[9:48]
    assert a[HEADER_SIZE:] != b[HEADER_SIZE:]


# --- ranges --------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(data=st.data(), size=st.integers(0, 8 * RS))
def test_range_equals_slicing(data: st.DataObject, size: int) -> None:
    plaintext = bytes(i % 251 for i in range(size))
    blob = encrypt(plaintext)
    start = data.draw(st.integers(0, size))
    end = data.draw(st.integers(start, size))
    got = b"".join(decrypt_range(KEY, FILE_AAD, reader(blob), size, start, end))
    assert got == plaintext[start:end]


def test_range_reads_only_the_records_it_needs() -> None:
    size = 100 * RS
    blob = encrypt(os.urandom(size))
    reads: list[tuple[int, int]] = []

    def read_at(offset: int, length: int) -> bytes:
        reads.append((offset, length))
        return blob[offset : offset + length]

    b"".join(decrypt_range(KEY, FILE_AAD, read_at, size, 50 * RS + 3, 52 * RS - 1))
    assert reads[0] == (0, HEADER_SIZE)
    assert [o for o, _ in reads[1:]] == [record_offset(i, RS) for i in (50, 51)]


def test_range_to_end_of_file_checks_the_final_record() -> None:
    data = os.urandom(4 * RS)
    blob = encrypt(data)
    truncated = blob[:-TAG_SIZE]  # drop the empty final record
    got, exc = consume(decrypt_range, KEY, FILE_AAD, reader(truncated), len(data), RS, len(data))
    assert isinstance(exc, DecryptionError)
    assert got == data[RS:]  # records were authentic; only the missing end is reported


def test_invalid_ranges_fail_before_reading() -> None:
    blob = encrypt(b"abc")
    for start, end in ((2, 1), (0, 4), (-1, 2)):
        with pytest.raises(ValueError):
            decrypt_range(KEY, FILE_AAD, reader(blob), 3, start, end)


def test_size_mismatch_is_detected() -> None:
    data = os.urandom(3 * RS + 10)
    blob = encrypt(data)
    for wrong in (len(data) - 1, len(data) + 1, len(data) + RS, len(data) - RS):
        with pytest.raises(DecryptionError):
            decrypted(blob, wrong)


# --- resume -----------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=10 * RS), split=st.integers(0, 10 * RS))
def test_resume_continues_the_same_stream(data: bytes, split: int) -> None:
    split = min(split, len(data))
    enc = StreamEncryptor(KEY, FILE_AAD, RS)
    header = enc.header()
    stored = header + enc.update(data[:split])
    records_written, tail = enc.state()
    assert records_written * RS + len(tail) == split
    assert len(stored) == record_offset(records_written, RS)

    uninterrupted = enc.update(data[split:]) + enc.finalize()

    # A new process: only the key, the header, the stored records and the state survive.
    resumed = StreamEncryptor.resume(KEY, FILE_AAD, header, records_written, tail)
    assert resumed.plaintext_offset == split
    rest = resumed.update(data[split:]) + resumed.finalize()
    assert rest == uninterrupted
    assert decrypted(stored + rest, len(data)) == data


def test_resume_from_sealed_state_hides_the_tail() -> None:
    data = b"TOP-SECRET-TAIL!" * 20
    enc = StreamEncryptor(KEY, FILE_AAD, 64)
    header = enc.header()
    stored = header + enc.update(data[:150])
    sealed = enc.sealed_state()
    assert enc.state()[1] == data[128:150]
    assert b"SECRET" not in sealed
    resumed = StreamEncryptor.resume_sealed(KEY, FILE_AAD, header, sealed)
    assert resumed.state() == enc.state()
    blob = stored + resumed.update(data[150:]) + resumed.finalize()
    assert decrypted(blob, len(data)) == data


def test_sealed_state_is_authenticated() -> None:
    enc = StreamEncryptor(KEY, FILE_AAD, RS)
    header = enc.header()
    enc.update(b"x" * (RS + 3))
    sealed = enc.sealed_state()
    for position in range(len(sealed)):
        bad = bytearray(sealed)
        bad[position] ^= 1
        with pytest.raises(DecryptionError):
            StreamEncryptor.resume_sealed(KEY, FILE_AAD, header, bytes(bad))
    with pytest.raises(DecryptionError):
        StreamEncryptor.resume_sealed(KEY, pack_parts("portal.File", "other"), header, sealed)


def test_resume_refuses_a_wrong_key_or_bad_state() -> None:
    enc = StreamEncryptor(KEY, FILE_AAD, RS)
    header = enc.header()
    with pytest.raises(DecryptionError, match="wrong key"):
        StreamEncryptor.resume(generate_data_key(), FILE_AAD, header, 0, b"")
    with pytest.raises(ValueError):
        StreamEncryptor.resume(KEY, FILE_AAD, header, 0, b"x" * RS)
    with pytest.raises(ValueError):
        StreamEncryptor.resume(KEY, FILE_AAD, header, -1, b"")
    with pytest.raises(DecryptionError):
        StreamEncryptor.resume(KEY, FILE_AAD, header[:-1], 0, b"")


# --- tampering -------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(data=st.data(), size=st.integers(0, 6 * RS))
def test_any_flipped_bit_is_detected_before_the_bad_record_is_released(
    data: st.DataObject, size: int
) -> None:
    plaintext = os.urandom(size)
    blob = bytearray(encrypt(plaintext))
    position = data.draw(st.integers(0, len(blob) - 1))
    blob[position] ^= 1 << data.draw(st.integers(0, 7))
    for known in (size, None):
        got, exc = consume(decrypt_all, KEY, FILE_AAD, reader(bytes(blob)), known)
        assert isinstance(exc, DecryptionError)
        if position < HEADER_SIZE:
            assert got == b""
        else:
            bad_record = (position - HEADER_SIZE) // (RS + TAG_SIZE)
            assert got == plaintext[: bad_record * RS]


@pytest.mark.parametrize("size", [0, RS, 3 * RS + 5])
def test_every_truncation_is_detected(size: int) -> None:
    data = os.urandom(size)
    blob = encrypt(data)
    for cut in range(len(blob)):
        for known in (size, None):
            got, exc = consume(decrypt_all, KEY, FILE_AAD, reader(blob[:cut]), known)
            assert isinstance(exc, DecryptionError), (cut, known)
            assert data.startswith(got)


def test_appended_bytes_are_detected() -> None:
    data = os.urandom(2 * RS + 3)
    blob = encrypt(data)
    for extra in (b"\x00", os.urandom(RS + TAG_SIZE), encrypt(b"more")[HEADER_SIZE:]):
        for known in (len(data), None):
            _, exc = consume(decrypt_all, KEY, FILE_AAD, reader(blob + extra), known)
            assert isinstance(exc, DecryptionError)


def _records(blob: bytes) -> list[bytes]:
    full = RS + TAG_SIZE
    return [blob[i : i + full] for i in range(HEADER_SIZE, len(blob), full)]


def test_reordered_records_are_detected() -> None:
    data = os.urandom(4 * RS + 1)
    blob = encrypt(data)
    records = _records(blob)
    records[1], records[2] = records[2], records[1]
    got, exc = consume(
        decrypt_all, KEY, FILE_AAD, reader(blob[:HEADER_SIZE] + b"".join(records)), len(data)
    )
    assert isinstance(exc, DecryptionError)
    assert got == data[:RS]


def test_dropped_middle_record_is_detected() -> None:
    data = os.urandom(4 * RS + 1)
    blob = encrypt(data)
    records = _records(blob)
    del records[2]
    spliced = blob[:HEADER_SIZE] + b"".join(records)
    for known in (len(data), None):
        got, exc = consume(decrypt_all, KEY, FILE_AAD, reader(spliced), known)
        assert isinstance(exc, DecryptionError)
        assert got == data[: 2 * RS]


def test_final_record_flag_cannot_be_faked_by_cutting_at_a_boundary() -> None:
    data = os.urandom(3 * RS)
    blob = encrypt(data)
    cut = blob[: record_offset(2, RS)]  # only records 0 and 1 remain, both full
    got, exc = consume(decrypt_all, KEY, FILE_AAD, reader(cut), None)
    assert isinstance(exc, DecryptionError)
    assert got == data[: 2 * RS]
    _, exc = consume(decrypt_all, KEY, FILE_AAD, reader(cut), 2 * RS)
    assert isinstance(exc, DecryptionError)


def test_record_swapped_in_from_another_file_is_detected() -> None:
    """Same data key, same file id, same position: only the per-file salt tells them apart."""
    data_a, data_b = os.urandom(3 * RS), os.urandom(3 * RS)
    blob_a, blob_b = encrypt(data_a), encrypt(data_b)
    records_a, records_b = _records(blob_a), _records(blob_b)
    records_a[1] = records_b[1]
    spliced = blob_a[:HEADER_SIZE] + b"".join(records_a)
    got, exc = consume(decrypt_all, KEY, FILE_AAD, reader(spliced), len(data_a))
    assert isinstance(exc, DecryptionError)
    assert got == data_a[:RS]
    # And a whole file under another file's header fails before any record.
    with pytest.raises(DecryptionError):
        decrypted(blob_b[:HEADER_SIZE] + blob_a[HEADER_SIZE:], len(data_a))


def test_other_file_id_or_key_fails() -> None:
    data = os.urandom(2 * RS)
    blob = encrypt(data)
    got, exc = consume(
        decrypt_all, KEY, pack_parts("portal.File", "file-2"), reader(blob), len(data)
    )
    assert isinstance(exc, DecryptionError) and got == b""
    with pytest.raises(DecryptionError, match="wrong key"):
        decrypt_all(generate_data_key(), FILE_AAD, reader(blob), len(data))  # eager


@pytest.mark.parametrize("position", [0, 4, 5, 8, 9, 40, 41, 47, 48, 79])
def test_header_tampering_is_detected_before_any_record(position: int) -> None:
    blob = bytearray(encrypt(os.urandom(2 * RS)))
    blob[position] ^= 0x01
    with pytest.raises(DecryptionError):
        decrypted(bytes(blob), 2 * RS)


def test_decrypt_record_checks_lengths() -> None:
    blob = encrypt(os.urandom(2 * RS + 1))
    dec = StreamDecryptor(KEY, FILE_AAD, blob[:HEADER_SIZE])
    rec0 = blob[record_offset(0, RS) : record_offset(1, RS)]
    assert len(dec.decrypt_record(0, rec0, last=False)) == RS
    with pytest.raises(DecryptionError, match="marked final"):
        dec.decrypt_record(0, rec0, last=True)
    with pytest.raises(DecryptionError, match="invalid length"):
        dec.decrypt_record(0, rec0[:-1], last=False)
    with pytest.raises(DecryptionError, match="invalid length"):
        dec.decrypt_record(2, b"short", last=True)


# --- file adapters -------------------------------------------------------------------------


def test_read_at_from_real_file_and_file_like(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = os.urandom(5 * RS + 7)
    blob = encrypt(data)
    path = tmp_path / "blob.bin"
    path.write_bytes(blob)
    with path.open("rb") as handle:
        read_at = read_at_from_file(handle)
        assert b"".join(decrypt_all(KEY, FILE_AAD, read_at, len(data))) == data
        assert b"".join(decrypt_range(KEY, FILE_AAD, read_at, len(data), 40, 100)) == data[40:100]
    buffer = io.BytesIO(blob)
    assert b"".join(decrypt_all(KEY, FILE_AAD, read_at_from_file(buffer), None)) == data
