"""Streaming AEAD for files: fixed-size AES-256-GCM records, random access, resumable.

Files are encrypted in records so that memory stays constant, an HTTP Range needs only
the records it covers, and a chunked upload can resume after a restart. The design
follows Tink's AES-GCM-HKDF streaming AEAD and RFC 8188 (a per-file key derived from a
random salt, a nonce made of a prefix, the record index and a last-record flag), with
a key commitment in the header so a wrong key is refused before any record is read.

Ciphertext layout, all integers big-endian::

    header (80 bytes)
      0   4   magic b"OFSA"
      4   1   format version, 0x01
      5   4   record size R: plaintext bytes per record (uint32, 16..16 MiB)
      9   32  salt (random per file)
      41  7   nonce prefix (random per file)
      48  32  key commitment
    record 0, record 1, ..., record N   (N = plaintext_size // R)
      records 0..N-1 hold exactly R plaintext bytes: R + 16 bytes each
      record N (the final record) holds plaintext_size % R bytes (0..R-1): +16 bytes

Keys: ``HKDF-SHA256(ikm=data_key, salt=salt, info=b"officium/stream/v1" + header[0:48])``
gives 96 bytes: the content key (0..32), the key commitment stored in the header
(32..64) and the checkpoint key (64..96). Every header field is therefore bound to every
record: a changed header derives a different key.

Record i is ``AES-256-GCM(content_key, nonce, plaintext_i, aad=file_aad)`` with
``nonce = prefix(7) || uint32(i) || flag`` where flag is 0x01 on the final record and
0x00 otherwise. The index stops reordering, the flag stops truncation at a record
boundary (the final record is always present, even for an empty file, and is always
shorter than R + 16 bytes), the per-file salt stops records moving between files, and
``file_aad`` (e.g. ``pack_parts("portal.File", file_id)``) binds the file's identity.

Everything here can be implemented with WebCrypto (HKDF ``deriveBits`` and AES-GCM with
a 12-byte IV), which is what a browser-side share page needs.
"""

from __future__ import annotations

import hmac
import io
import os
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from officium.privacy.vault.crypto import DATA_KEY_SIZE, BytesLike, DecryptionError

__all__ = [
    "DEFAULT_RECORD_SIZE",
    "HEADER_SIZE",
    "MAX_RECORD_SIZE",
    "MIN_RECORD_SIZE",
    "TAG_SIZE",
    "ReadAt",
    "StreamDecryptor",
    "StreamEncryptor",
    "StreamHeader",
    "ciphertext_size",
    "decrypt_all",
    "decrypt_range",
    "plaintext_size_of",
    "read_at_from_file",
    "record_offset",
    "record_span",
]

ReadAt = Callable[[int, int], bytes]
"""``read_at(offset, length)``: ciphertext bytes at ``offset``; fewer only at end of file."""

MAGIC: Final = b"OFSA"
STREAM_FORMAT_VERSION: Final = 1
DEFAULT_RECORD_SIZE: Final = 64 * 1024
"""64 KiB: large enough that per-record overhead is ~0.02 %, small enough for Range reads
and to stay below the allocator's mmap threshold (no page-fault churn per record)."""
MIN_RECORD_SIZE: Final = 16
MAX_RECORD_SIZE: Final = 16 * 1024 * 1024
TAG_SIZE: Final = 16
SALT_SIZE: Final = 32
NONCE_PREFIX_SIZE: Final = 7
COMMITMENT_SIZE: Final = 32
_PARAMS = struct.Struct(f">4sBI{SALT_SIZE}s{NONCE_PREFIX_SIZE}s")
_PARAMS_SIZE: Final = _PARAMS.size  # 48
HEADER_SIZE: Final = _PARAMS_SIZE + COMMITMENT_SIZE  # 80
MAX_RECORDS: Final = 1 << 32
_NONCE_TAIL = struct.Struct(">IB")
_KDF_INFO: Final = b"officium/stream/v1"
_CHECKPOINT_VERSION: Final = 1
_CHECKPOINT_COUNT = struct.Struct(">I")
_CHECKPOINT_NONCE_SIZE: Final = 12


def _check_record_size(record_size: int) -> None:
    """Refuse record sizes outside the format's bounds before anything is written."""
    if isinstance(record_size, bool) or not isinstance(record_size, int):
        raise TypeError("record_size must be an int")
    if not MIN_RECORD_SIZE <= record_size <= MAX_RECORD_SIZE:
        raise ValueError(
            f"record_size must be in {MIN_RECORD_SIZE}..{MAX_RECORD_SIZE}, got {record_size}"
        )


def _check_data_key(data_key: bytes) -> bytes:
    """File data keys are AES-256 keys like every other vault key."""
    if not isinstance(data_key, (bytes, bytearray, memoryview)):
        raise TypeError("data_key must be bytes")
    if len(data_key) != DATA_KEY_SIZE:
        raise ValueError(f"data_key must be {DATA_KEY_SIZE} bytes, got {len(data_key)}")
    return bytes(data_key)


def _check_size(name: str, value: int) -> None:
    """Offsets and sizes are non-negative ints; anything else is a caller bug."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")


def ciphertext_size(plaintext_size: int, record_size: int = DEFAULT_RECORD_SIZE) -> int:
    """Exact stored size of a file of ``plaintext_size`` bytes, header included.

    Lets the upload path check a plan limit or a storage object's length up front.
    """
    _check_size("plaintext_size", plaintext_size)
    _check_record_size(record_size)
    return HEADER_SIZE + plaintext_size + TAG_SIZE * (plaintext_size // record_size + 1)


def plaintext_size_of(stored_size: int, record_size: int = DEFAULT_RECORD_SIZE) -> int:
    """Inverse of :func:`ciphertext_size`; ``ValueError`` if no plaintext size fits.

    A stored object whose length is impossible was truncated or padded, which is
    worth knowing before serving it.
    """
    _check_size("stored_size", stored_size)
    _check_record_size(record_size)
    body = stored_size - HEADER_SIZE
    full, rest = divmod(body, record_size + TAG_SIZE)
    if body < TAG_SIZE or rest < TAG_SIZE:
        raise ValueError(f"{stored_size} bytes is not a valid stream size for this record size")
    return full * record_size + rest - TAG_SIZE


def record_span(start: int, end: int, record_size: int = DEFAULT_RECORD_SIZE) -> range:
    """Indices of the records holding plaintext bytes ``[start, end)``; empty if start == end.

    Only the records that hold those bytes: :func:`decrypt_range` adds the final record
    when the range reaches the end of the file, to authenticate the file's length.
    """
    _check_size("start", start)
    _check_size("end", end)
    _check_record_size(record_size)
    if end < start:
        raise ValueError(f"end ({end}) is before start ({start})")
    if start == end:
        return range(start // record_size, start // record_size)
    return range(start // record_size, (end - 1) // record_size + 1)


def record_offset(index: int, record_size: int = DEFAULT_RECORD_SIZE) -> int:
    """Byte offset of record ``index`` in the stored ciphertext."""
    _check_size("index", index)
    return HEADER_SIZE + index * (record_size + TAG_SIZE)


@dataclass(frozen=True, slots=True)
class StreamHeader:
    """The per-file parameters stored in front of the records."""

    record_size: int
    salt: bytes
    nonce_prefix: bytes
    commitment: bytes = b""

    @classmethod
    def parse(cls, data: BytesLike) -> StreamHeader:
        """Parse stored header bytes; :class:`DecryptionError` if they are not a header."""
        if len(data) < HEADER_SIZE:
            raise DecryptionError("stream header is truncated")
        magic, version, record_size, salt, prefix = _PARAMS.unpack_from(data)
        if magic != MAGIC:
            raise DecryptionError("not an Officium encrypted stream (bad magic)")
        if version != STREAM_FORMAT_VERSION:
            raise DecryptionError(f"unknown stream format version {version}")
        if not MIN_RECORD_SIZE <= record_size <= MAX_RECORD_SIZE:
            raise DecryptionError(f"stream header has an invalid record size {record_size}")
        commitment = bytes(data[_PARAMS_SIZE:HEADER_SIZE])
        return cls(record_size, salt, prefix, commitment)

    def params(self) -> bytes:
        """The first 48 header bytes: what the key derivation binds."""
        return _PARAMS.pack(
            MAGIC, STREAM_FORMAT_VERSION, self.record_size, self.salt, self.nonce_prefix
        )


class _FileKeys:
    """Keys derived for one file; derivation also checks the header's key commitment."""

    __slots__ = ("aead", "checkpoint", "header", "header_bytes")

    def __init__(self, data_key: bytes, header: StreamHeader, *, verify: bool) -> None:
        params = header.params()
        okm = HKDF(
            algorithm=hashes.SHA256(), length=96, salt=header.salt, info=_KDF_INFO + params
        ).derive(_check_data_key(data_key))
        commitment = okm[32:64]
        if verify and not hmac.compare_digest(commitment, header.commitment):
            raise DecryptionError("wrong key for this stream (key commitment mismatch)")
        self.aead = AESGCM(okm[:32])
        self.checkpoint = AESGCM(okm[64:96])
        self.header = header
        self.header_bytes = params + commitment


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    """prefix || uint32 index || last flag: unique per record of one file."""
    return prefix + _NONCE_TAIL.pack(index, 1 if last else 0)


class StreamEncryptor:
    """Encrypt a file incrementally: write :meth:`header`, every :meth:`update`, then
    :meth:`finalize`. Memory use is one record regardless of file size.

    ``update`` returns only whole sealed records and keeps the partial tail (fewer than
    ``record_size`` bytes) buffered, so after each call the confirmed plaintext offset is
    ``records_written * record_size + len(tail)``.
    """

    __slots__ = ("_aad", "_finished", "_index", "_keys", "_prefix", "_rs", "_tail")

    def __init__(
        self, data_key: bytes, file_aad: bytes, record_size: int = DEFAULT_RECORD_SIZE
    ) -> None:
        _check_record_size(record_size)
        header = StreamHeader(record_size, os.urandom(SALT_SIZE), os.urandom(NONCE_PREFIX_SIZE))
        self._setup(_FileKeys(data_key, header, verify=False), file_aad, 0, b"")

    def _setup(self, keys: _FileKeys, file_aad: bytes, records_written: int, tail: bytes) -> None:
        """Shared by the constructor and the resume paths."""
        self._keys = keys
        self._aad = bytes(file_aad)
        self._prefix = keys.header.nonce_prefix
        self._rs = keys.header.record_size
        self._index = records_written
        self._tail = bytearray(tail)
        self._finished = False

    @classmethod
    def resume(
        cls,
        data_key: bytes,
        file_aad: bytes,
        header: bytes,
        records_written: int,
        tail: bytes,
    ) -> StreamEncryptor:
        """Continue a file after a restart from a state returned by :meth:`state`.

        The caller must have stored exactly ``records_written`` records after the header
        (drop any later bytes) and must feed the plaintext from offset
        ``records_written * record_size + len(tail)`` on. A wrong ``data_key`` is refused
        here, before a record is written under it.

        Security note: record ``records_written`` is sealed again on resume. If a copy of
        an earlier sealing of that index survives in storage and the client now sends
        different bytes for it, that is AES-GCM nonce reuse for this one file; the upload
        path must keep state and stored records in step (store records, then the state)
        and discard the file if the end-to-end SHA-256 does not match.

        ``tail`` is plaintext: persist it only encrypted (see :meth:`sealed_state`).
        """
        keys = _FileKeys(data_key, StreamHeader.parse(header), verify=True)
        _check_size("records_written", records_written)
        if records_written >= MAX_RECORDS:
            raise ValueError("records_written is beyond the format's record limit")
        if len(tail) >= keys.header.record_size:
            raise ValueError("tail must be shorter than one record")
        self = cls.__new__(cls)
        self._setup(keys, file_aad, records_written, bytes(tail))
        return self

    @classmethod
    def resume_sealed(
        cls, data_key: bytes, file_aad: bytes, header: bytes, sealed: bytes
    ) -> StreamEncryptor:
        """Resume from :meth:`sealed_state` output; ``DecryptionError`` if it was altered."""
        keys = _FileKeys(data_key, StreamHeader.parse(header), verify=True)
        if len(sealed) < 1 + _CHECKPOINT_NONCE_SIZE + TAG_SIZE + _CHECKPOINT_COUNT.size:
            raise DecryptionError("sealed stream state is truncated")
        if sealed[0] != _CHECKPOINT_VERSION:
            raise DecryptionError(f"unknown sealed state version {sealed[0]}")
        nonce = sealed[1 : 1 + _CHECKPOINT_NONCE_SIZE]
        try:
            state = keys.checkpoint.decrypt(
                nonce, sealed[1 + _CHECKPOINT_NONCE_SIZE :], bytes(file_aad)
            )
        except InvalidTag:
            raise DecryptionError("sealed stream state failed authentication") from None
        (records_written,) = _CHECKPOINT_COUNT.unpack_from(state)
        tail = state[_CHECKPOINT_COUNT.size :]
        if len(tail) >= keys.header.record_size:
            raise DecryptionError("sealed stream state holds an oversized tail")
        self = cls.__new__(cls)
        self._setup(keys, file_aad, records_written, tail)
        return self

    @property
    def record_size(self) -> int:
        """Plaintext bytes per record."""
        return self._rs

    @property
    def plaintext_offset(self) -> int:
        """Plaintext bytes accepted so far: where a resumed upload continues."""
        return self._index * self._rs + len(self._tail)

    def header(self) -> bytes:
        """The 80-byte header to store in front of the records."""
        return self._keys.header_bytes

    def state(self) -> tuple[int, bytes]:
        """``(records_written, buffered_tail)``: what :meth:`resume` needs besides the key."""
        self._check_open()
        return self._index, bytes(self._tail)

    def sealed_state(self) -> bytes:
        """The resume state with the tail encrypted, safe to store beside the ciphertext.

        The buffered tail is plaintext file content, so storing it raw would break
        "encrypted at rest". This seals it under a key derived for this purpose only
        (random nonce, ``file_aad`` bound), so it never shares a nonce space with records.
        """
        self._check_open()
        nonce = os.urandom(_CHECKPOINT_NONCE_SIZE)
        body = _CHECKPOINT_COUNT.pack(self._index) + self._tail
        return (
            bytes([_CHECKPOINT_VERSION])
            + nonce
            + self._keys.checkpoint.encrypt(nonce, bytes(body), self._aad)
        )

    def update_records(self, chunk: BytesLike) -> list[bytes]:
        """Accept plaintext; return the records it completed, each one ``bytes``.

        Prefer this over :meth:`update` for large chunks: writing records one by one
        avoids building (and page-faulting) one large joined buffer per call.
        """
        self._check_open()
        view = memoryview(chunk).cast("B")
        size = len(view)
        rs = self._rs
        tail = self._tail
        if len(tail) + size < rs:
            tail += view
            return []
        self._check_capacity((len(tail) + size) // rs)
        seal = self._seal
        records: list[bytes] = []
        pos = 0
        if tail:
            pos = rs - len(tail)
            tail += view[:pos]
            records.append(seal(tail, False))
        while size - pos >= rs:
            records.append(seal(view[pos : pos + rs], False))
            pos += rs
        self._tail = bytearray(view[pos:])
        return records

    def update(self, chunk: BytesLike) -> bytes:
        """Accept plaintext; return the whole records it completed, concatenated."""
        return b"".join(self.update_records(chunk))

    def finalize(self) -> bytes:
        """Seal the buffered tail as the final record (empty for an empty file or an
        exact multiple of the record size) and close the encryptor."""
        self._check_open()
        self._check_capacity(0)
        record = self._seal(self._tail, True)
        self._tail = bytearray()
        self._finished = True
        return record

    def _seal(self, plaintext: BytesLike, last: bool) -> bytes:
        """Seal one record at the current index and advance the index."""
        nonce = _nonce(self._prefix, self._index, last)
        self._index += 1
        return self._keys.aead.encrypt(nonce, plaintext, self._aad)

    def _check_capacity(self, new_records: int) -> None:
        """Refuse input that would overflow the uint32 record index (plus the final record)."""
        if self._index + new_records + 1 > MAX_RECORDS:
            raise ValueError("file too large for this record size (record index overflow)")

    def _check_open(self) -> None:
        """Using an encryptor after finalize would seal records nobody can place."""
        if self._finished:
            raise RuntimeError("stream encryptor is already finalized")


class StreamDecryptor:
    """Decrypt records of one stored file in any order, given its header.

    Constructing it checks the header and the key commitment, so a wrong key or a
    foreign header fails before any record is read.
    """

    __slots__ = ("_aad", "_keys", "_prefix", "_rs")

    def __init__(self, data_key: bytes, file_aad: bytes, header: BytesLike) -> None:
        self._keys = _FileKeys(data_key, StreamHeader.parse(header), verify=True)
        self._aad = bytes(file_aad)
        self._prefix = self._keys.header.nonce_prefix
        self._rs = self._keys.header.record_size

    @property
    def record_size(self) -> int:
        """Plaintext bytes per full record, from the header."""
        return self._rs

    def decrypt_record(self, index: int, record: BytesLike, *, last: bool) -> bytes:
        """Open record ``index``; ``DecryptionError`` if it is not exactly that record.

        The whole record is authenticated before anything is returned.
        """
        limit = self._rs + TAG_SIZE
        if len(record) < TAG_SIZE or len(record) > limit or (not last and len(record) != limit):
            raise DecryptionError(f"record {index} has an invalid length {len(record)}")
        if last and len(record) == limit:
            raise DecryptionError(f"record {index} is full-length but marked final")
        try:
            return self._keys.aead.decrypt(_nonce(self._prefix, index, last), record, self._aad)
        except InvalidTag:
            raise DecryptionError(
                f"record {index} failed authentication (tampered, reordered, truncated, "
                "from another file, or wrong file id)"
            ) from None

    def read_records(
        self, read_at: ReadAt, plaintext_size: int, first: int, stop: int
    ) -> Iterator[bytes]:
        """Read and open records ``first..stop-1`` of a file of ``plaintext_size`` bytes,
        one record in memory at a time. Every record must have exactly the length that
        size implies, so a stored object that was cut, padded or mislabelled fails."""
        full = self._rs + TAG_SIZE
        final_index, final_plain = divmod(plaintext_size, self._rs)
        for index in range(first, stop):
            last = index == final_index
            # Always ask for a full record: a longer answer than expected for the final
            # record means bytes were appended or the recorded size is wrong.
            expected = final_plain + TAG_SIZE if last else full
            data = read_at(HEADER_SIZE + index * full, full)
            if len(data) != expected:
                raise DecryptionError(
                    f"record {index} is {len(data)} bytes, expected {expected} "
                    "(stored stream truncated, extended, or size mismatch)"
                )
            yield self.decrypt_record(index, data, last=last)

    def read_all(self, read_at: ReadAt) -> Iterator[bytes]:
        """Open every record without knowing the plaintext size.

        A record read at full length is never the final one (the final record is
        always shorter), so the first short read is the final record and an empty
        read before it means the file was truncated.
        """
        full = self._rs + TAG_SIZE
        index = 0
        while True:
            data = read_at(HEADER_SIZE + index * full, full)
            if len(data) == full:
                yield self.decrypt_record(index, data, last=False)
                index += 1
                continue
            if not data:
                raise DecryptionError("stored stream is truncated (final record missing)")
            yield self.decrypt_record(index, data, last=True)
            return


def _open(data_key: bytes, file_aad: bytes, read_at: ReadAt) -> StreamDecryptor:
    """Read and check the header; errors here surface before a response starts."""
    return StreamDecryptor(data_key, file_aad, read_at(0, HEADER_SIZE))


def decrypt_range(
    data_key: bytes,
    file_aad: bytes,
    read_at: ReadAt,
    plaintext_size: int,
    start: int,
    end: int,
) -> Iterator[bytes]:
    """Plaintext bytes ``[start, end)`` of a stored file, decrypting only the records
    that hold them (plus the final record when ``end == plaintext_size``, so a read to
    the end of the file also proves nothing was cut off).

    The range check, header check and key commitment run at call time, so a bad range
    or a wrong key raises before an HTTP response begins; each record is authenticated
    before any of its bytes are yielded.
    """
    _check_size("plaintext_size", plaintext_size)
    _check_size("start", start)
    _check_size("end", end)
    if not start <= end <= plaintext_size:
        raise ValueError(f"range [{start}, {end}) is outside 0..{plaintext_size}")
    decryptor = _open(data_key, file_aad, read_at)
    rs = decryptor.record_size
    final_index = plaintext_size // rs
    if final_index >= MAX_RECORDS:
        raise ValueError("plaintext_size is too large for this stream's record size")
    span = record_span(start, end, rs)
    stop = final_index + 1 if end == plaintext_size else span.stop
    records = decryptor.read_records(read_at, plaintext_size, span.start, stop)
    return _trimmed(records, rs, span.start, start, end)


def _trimmed(
    records: Iterator[bytes], rs: int, first: int, start: int, end: int
) -> Iterator[bytes]:
    """Cut the first and last records to the requested byte range; skip empty pieces."""
    position = first * rs
    for plaintext in records:
        lo = max(start - position, 0)
        hi = min(end - position, len(plaintext))
        position += len(plaintext)
        if hi <= lo:
            continue
        yield plaintext if lo == 0 and hi == len(plaintext) else plaintext[lo:hi]


def decrypt_all(
    data_key: bytes,
    file_aad: bytes,
    read_at: ReadAt,
    plaintext_size: int | None = None,
) -> Iterator[bytes]:
    """The whole plaintext, record by record. With ``plaintext_size`` (from the database)
    the stored length is checked against it; without, the records' own framing decides
    where the file ends. Truncation, reordering, records from another file and flipped
    bits all raise :class:`DecryptionError` before the bad record's bytes are yielded.
    """
    if plaintext_size is not None:
        return decrypt_range(data_key, file_aad, read_at, plaintext_size, 0, plaintext_size)
    decryptor = _open(data_key, file_aad, read_at)
    return (record for record in decryptor.read_all(read_at) if record)


def read_at_from_file(fileobj: BinaryIO) -> ReadAt:
    """Adapt a binary file object to ``read_at``: ``os.pread`` on a real file
    (no shared position, safe across threads), else ``seek`` + ``read`` (not thread-safe).
    """
    try:
        fd = fileobj.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        fd = -1
    if fd >= 0 and hasattr(os, "pread"):

        def pread_at(offset: int, length: int) -> bytes:
            return _read_fully(lambda o, n: os.pread(fd, n, o), offset, length)

        return pread_at

    def seek_read_at(offset: int, length: int) -> bytes:
        fileobj.seek(offset)
        return _read_fully(lambda _o, n: fileobj.read(n) or b"", offset, length)

    return seek_read_at


def _read_fully(read: Callable[[int, int], bytes], offset: int, length: int) -> bytes:
    """Loop over short reads so only the end of the file yields fewer bytes."""
    data = read(offset, length)
    if len(data) == length or not data:
        return data
    parts = [data]
    got = len(data)
    while got < length:
        more = read(offset + got, length - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)
