"""Where encrypted objects live: local files by default, S3-compatible through django-storages.

Only ciphertext ever passes through here. An object grows by appends at a confirmed length
(a resumed upload first drops whatever a dropped request wrote past the last confirmed
state), and is read back by offset in constant memory.

* Local (``FileSystemStorage``): one file under the storage location; appends are plain
  writes at an offset, written back as they go and flushed to disk (``fdatasync``) before
  the caller records the new state.
* S3 (``storages.backends.s3.S3Storage``): objects are immutable, so each confirmed append is
  a *segment* object named by its start offset; ``seal`` joins the segments into the final
  object (server-side part copies when the segments are large enough, else streamed through
  in 8 MiB parts) and deletes them. Reads are ranged GETs streamed sequentially.

The portal uses ``STORAGES["portal"]`` when configured, else ``STORAGES["default"]``.
"""

from __future__ import annotations

import ctypes
import os
import posixpath
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage, storages

from officium.privacy.vault.stream import ReadAt

S3_MIN_PART = 5 * 1024 * 1024
S3_PART = 8 * 1024 * 1024
READ_WINDOW = 4 * 1024 * 1024
WRITEBACK_STEP = 4 * 1024 * 1024


class BlobStore(Protocol):
    def append(self, name: str, at: int, pieces: Iterable[bytes]) -> int:
        """Write ``pieces`` starting at byte ``at`` (dropping anything stored past it);
        return the new length. The bytes are durable when it returns."""

    def stored_length(self, name: str) -> int: ...

    def seal(self, name: str) -> None:
        """The object is complete: make it one readable object."""

    def reader(self, name: str) -> Any:
        """A context manager yielding a ``read_at(offset, length)`` callable."""

    def delete(self, name: str) -> None:
        """Remove the object and any unfinished segments; missing is fine."""


def portal_storage() -> Any:
    return storages["portal" if "portal" in settings.STORAGES else "default"]


def blob_store() -> BlobStore:
    storage = portal_storage()
    if isinstance(storage, FileSystemStorage):
        return LocalBlobStore(storage)
    if hasattr(storage, "bucket") and hasattr(storage, "bucket_name"):
        return S3BlobStore(storage)
    raise ImproperlyConfigured(
        f"The portal stores files on a FileSystemStorage or an S3Storage, not {type(storage)!r}")


class LocalBlobStore:
    def __init__(self, storage: FileSystemStorage) -> None:
        self.storage = storage

    def _path(self, name: str) -> str:
        return self.storage.path(name)

    def append(self, name: str, at: int, pieces: Iterable[bytes]) -> int:
        path = self._path(name)
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            os.ftruncate(fd, at)
            position = at
            batch: list[bytes] = []
            pending = 0
            flushed = at
            for piece in pieces:
                batch.append(piece)
                pending += len(piece)
                if pending >= 1 << 20:
                    position += _pwritev(fd, batch, position)
                    batch, pending = [], 0
                    if position - flushed >= WRITEBACK_STEP:
                        _start_writeback(fd, flushed, position - flushed)
                        flushed = position
            if batch:
                position += _pwritev(fd, batch, position)
            os.fdatasync(fd)
            return position
        finally:
            os.close(fd)

    def stored_length(self, name: str) -> int:
        try:
            return os.stat(self._path(name)).st_size
        except FileNotFoundError:
            return 0

    def seal(self, name: str) -> None:
        return None

    @contextmanager
    def reader(self, name: str) -> Iterator[ReadAt]:
        fd = os.open(self._path(name), os.O_RDONLY)
        try:
            def read_at(offset: int, length: int) -> bytes:
                data = os.pread(fd, length, offset)
                while data and len(data) < length:
                    more = os.pread(fd, length - len(data), offset + len(data))
                    if not more:
                        break
                    data += more
                return data

            yield read_at
        finally:
            os.close(fd)

    def delete(self, name: str) -> None:
        try:
            os.unlink(self._path(name))
        except FileNotFoundError:
            pass


def _start_writeback(fd: int, offset: int, length: int) -> None:
    """Ask the kernel to start writing ``[offset, offset + length)`` to disk now, without
    waiting. Left alone, Linux keeps a chunk's pages dirty until ``fdatasync``, which then
    waits for all of them (about 1 s per GB here); started as the chunk arrives, the writes
    overlap the receiving and the final flush only waits for the last few MiB. Durability is
    unchanged: the state is still recorded only after ``fdatasync`` returns."""
    if _sync_file_range is not None:
        _sync_file_range(fd, offset, length, _SYNC_FILE_RANGE_WRITE)


def _load_sync_file_range() -> Any:
    """glibc's ``sync_file_range`` (Linux), which the ``os`` module does not expose; None
    elsewhere, where the final ``fdatasync`` simply does all the work."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.sync_file_range
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_SYNC_FILE_RANGE_WRITE = 2
_sync_file_range = _load_sync_file_range()


def _pwritev(fd: int, buffers: list[bytes], position: int) -> int:
    total = sum(len(b) for b in buffers)
    written = os.pwritev(fd, buffers, position)
    while written < total:  # short write: finish the rest the slow way
        rest = b"".join(buffers)[written:]
        written += os.pwrite(fd, rest, position + written)
    return total


class S3BlobStore:
    def __init__(self, storage: Any) -> None:
        self.storage = storage
        self.bucket = storage.bucket
        self.client = storage.bucket.meta.client

    def _key(self, name: str) -> str:
        location = (self.storage.location or "").strip("/")
        return posixpath.join(location, name) if location else name

    def _segments(self, name: str) -> list[tuple[int, str, int]]:
        """(start offset, key, size) of each segment, in order."""
        prefix = self._key(name) + ".parts/"
        found = []
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.storage.bucket_name, Prefix=prefix):
            for item in page.get("Contents", []):
                found.append((int(item["Key"][len(prefix):]), item["Key"], int(item["Size"])))
        return sorted(found)

    def append(self, name: str, at: int, pieces: Iterable[bytes]) -> int:
        for start, key, _size in self._segments(name):
            if start >= at:  # written by a request whose state was never confirmed
                self.client.delete_object(Bucket=self.storage.bucket_name, Key=key)
        # Ciphertext only; spooled to a temporary file past 1 MiB so memory stays flat.
        with tempfile.SpooledTemporaryFile(max_size=1 << 20) as spool:
            length = 0
            for piece in pieces:
                spool.write(piece)
                length += len(piece)
            if length:
                spool.seek(0)
                self.client.upload_fileobj(spool, self.storage.bucket_name,
                                           f"{self._key(name)}.parts/{at:020d}")
        return at + length

    def stored_length(self, name: str) -> int:
        segments = self._segments(name)
        if segments:
            start, _key, size = segments[-1]
            return start + size
        try:
            head = self.client.head_object(Bucket=self.storage.bucket_name, Key=self._key(name))
        except self.client.exceptions.ClientError:
            return 0
        return int(head["ContentLength"])

    def seal(self, name: str) -> None:
        segments = self._segments(name)
        bucket, key = self.storage.bucket_name, self._key(name)
        if len(segments) == 1:
            self.client.copy_object(Bucket=bucket, Key=key,
                                    CopySource={"Bucket": bucket, "Key": segments[0][1]})
        elif segments:
            self._join(segments, bucket, key)
        for _start, segment_key, _size in segments:
            self.client.delete_object(Bucket=bucket, Key=segment_key)

    def _join(self, segments: list[tuple[int, str, int]], bucket: str, key: str) -> None:
        upload_id = self.client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
        try:
            if all(size >= S3_MIN_PART for _s, _k, size in segments[:-1]):
                parts = self._copy_parts(segments, bucket, key, upload_id)
            else:
                parts = self._stream_parts(segments, bucket, key, upload_id)
            self.client.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id,
                                                  MultipartUpload={"Parts": parts})
        except Exception:
            self.client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
            raise

    def _copy_parts(self, segments: list[tuple[int, str, int]], bucket: str, key: str,
                    upload_id: str) -> list[dict[str, Any]]:
        parts = []
        for number, (_start, segment_key, _size) in enumerate(segments, start=1):
            answer = self.client.upload_part_copy(
                Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number,
                CopySource={"Bucket": bucket, "Key": segment_key})
            parts.append({"PartNumber": number, "ETag": answer["CopyPartResult"]["ETag"]})
        return parts

    def _stream_parts(self, segments: list[tuple[int, str, int]], bucket: str, key: str,
                      upload_id: str) -> list[dict[str, Any]]:
        parts: list[dict[str, Any]] = []
        buffer = bytearray()

        def flush() -> None:
            number = len(parts) + 1
            answer = self.client.upload_part(Bucket=bucket, Key=key, UploadId=upload_id,
                                             PartNumber=number, Body=bytes(buffer))
            parts.append({"PartNumber": number, "ETag": answer["ETag"]})
            buffer.clear()

        for _start, segment_key, _size in segments:
            body = self.client.get_object(Bucket=bucket, Key=segment_key)["Body"]
            for piece in body.iter_chunks(1 << 20):
                buffer += piece
                if len(buffer) >= S3_PART:
                    flush()
        if buffer or not parts:
            flush()
        return parts

    @contextmanager
    def reader(self, name: str) -> Iterator[ReadAt]:
        reader = _SequentialS3Reader(self.client, self.storage.bucket_name, self._key(name))
        try:
            yield reader.read_at
        finally:
            reader.close()

    def delete(self, name: str) -> None:
        bucket = self.storage.bucket_name
        for _start, key, _size in self._segments(name):
            self.client.delete_object(Bucket=bucket, Key=key)
        self.client.delete_object(Bucket=bucket, Key=self._key(name))


class _SequentialS3Reader:
    """``read_at`` over ranged GETs: consecutive reads share one streamed response, so a
    whole-file download is one request and memory stays at one record."""

    def __init__(self, client: Any, bucket: str, key: str) -> None:
        self.client, self.bucket, self.key = client, bucket, key
        self.body: Any = None
        self.position = -1

    def read_at(self, offset: int, length: int) -> bytes:
        if self.body is None or offset != self.position:
            self.close()
            try:
                answer = self.client.get_object(Bucket=self.bucket, Key=self.key,
                                                Range=f"bytes={offset}-")
            except self.client.exceptions.ClientError as error:
                if error.response.get("Error", {}).get("Code") == "InvalidRange":
                    return b""
                raise
            self.body = answer["Body"]
            self.position = offset
        data: bytes = self.body.read(length)
        while data and len(data) < length:
            more = self.body.read(length - len(data))
            if not more:
                break
            data += more
        self.position += len(data)
        return data

    def close(self) -> None:
        if self.body is not None:
            self.body.close()
            self.body = None
