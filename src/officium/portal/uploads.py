"""Resumable uploads with tus semantics, encrypted as the bytes arrive, in constant memory.

1. ``start_upload`` checks the name, the declared size against the plan and the SHA-256's
   form, creates the file's data key and keeps the stream header in the row (it is written
   to the store with the first records: starting an upload touches no disk).
2. ``receive_chunk`` claims the upload with a conditional UPDATE (a lease: two requests never
   append at once), refuses a wrong offset (409) or bytes past the declared size (413), then
   reads the body into a few 512 KiB buffers while other threads hash them and seal whole
   records as they complete and append them (``_Receiver``); the object is flushed to disk.
   Only then does it store the new state: the offset, the encryptor's state with the buffered
   tail *encrypted* (``sealed_state``), and the chunk's digest. A dropped connection keeps
   what arrived; a crash keeps the last stored state, and the next append first cuts the
   object back to it. Plaintext never touches the disk.
3. When the offset reaches the declared size, the final record is sealed (stored with the
   chunk's last records when that chunk ends the upload: one flush for both) and the SHA-256 of
   the plaintext is compared with the declared one. The running hash lives in this process
   (``hashlib`` objects cannot be stored); when a resume landed elsewhere or after a restart,
   the digest is re-derived by decrypting the stored object. A mismatch deletes the upload
   and its object: no partial file is left behind on any failure.
"""

from __future__ import annotations

import hashlib
import itertools
import queue
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from officium.accounts import limits
from officium.accounts.models import Membership
from officium.errors import ErrorCode, OfficiumError
from officium.portal import keys, notices
from officium.portal.files import ensure_folder_path, supersede
from officium.portal.models import File, Folder, Space, Upload
from officium.portal.names import clean_name, extension_of
from officium.portal.plans import max_file_size
from officium.portal.services import PURPOSE, folder_for
from officium.portal.storage import BlobStore, blob_store
from officium.privacy import audit
from officium.privacy.vault.stream import (
    DEFAULT_RECORD_SIZE,
    HEADER_SIZE,
    TAG_SIZE,
    StreamEncryptor,
    decrypt_all,
)

READ_PIECE = 1024 * 1024
PIECE = 512 * 1024
"""Plaintext bytes per buffer of an upload's pipeline: a multiple of the record size."""
PIECES = 6
"""Buffers per upload in flight: enough to keep the reader, hasher and sealer all busy."""
LEASE = timedelta(minutes=10)
CHECKPOINT = 64 * 1024 * 1024
"""Plaintext bytes between two confirmed states inside one chunk (a multiple of PIECE)."""
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


class UploadConflict(OfficiumError):
    """409: the offset is not the confirmed one, or another request is writing."""

    http_status = 409
    error_code = ErrorCode.UPLOAD_OFFSET_MISMATCH

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message, field="Upload-Offset", extra={"offset": offset},
                         headers={"Upload-Offset": str(offset)})
        self.offset = offset


class TooLarge(OfficiumError):
    """413: over the plan's limit, or a chunk past the declared size."""

    http_status = 413
    error_code = ErrorCode.TOO_LARGE


class Body(Protocol):
    def read(self, size: int) -> bytes: ...


@dataclass
class ChunkResult:
    offset: int
    size: int
    file: File | None = None
    cut: bool = False
    finalized: bool = False
    """The file's final record is stored too (the chunk ended the upload)."""


# --- the running SHA-256 of uploads this process is receiving ----------------------------

_hashes: OrderedDict[str, tuple[int, Any]] = OrderedDict()
_hashes_lock = threading.Lock()
_MAX_HASHES = 256


def _running_hash(upload: Upload) -> Any:
    with _hashes_lock:
        cached = _hashes.get(str(upload.blob))
    if cached is not None and cached[0] == upload.offset:
        return cached[1].copy()
    return hashlib.sha256() if upload.offset == 0 else None


def _keep_hash(upload: Upload, offset: int, running: Any) -> None:
    with _hashes_lock:
        _hashes[str(upload.blob)] = (offset, running)
        _hashes.move_to_end(str(upload.blob))
        while len(_hashes) > _MAX_HASHES:
            _hashes.popitem(last=False)


def _forget_hash(upload: Upload) -> None:
    with _hashes_lock:
        _hashes.pop(str(upload.blob), None)


class _Receiver:
    """A chunk's bytes through three stages, each on its own thread, in constant memory.

    The request thread reads the body into a small pool of buffers (``readinto`` when the
    body offers it: no allocation per piece); a second thread feeds each buffer to the running
    SHA-256 (``hashlib`` releases the GIL on large pieces); a third seals it into records and
    hands them to the store. A buffer goes back to the pool once sealed, so at most
    ``PIECES * PIECE`` bytes of plaintext are in flight whatever the chunk's size, and reading
    the socket, hashing, encrypting and writing to disk overlap instead of taking turns.

    Records stay the stream's fixed-size, independently decryptable records: batching only
    changes how many are handed to the store at once, not their format.
    """

    def __init__(self, running: Any, encryptor: StreamEncryptor,
                 write: Callable[[Iterator[bytes]], object], *, ends_file: bool = False) -> None:
        self.running = running
        self.encryptor = encryptor
        self.write = write
        self.ends_file = ends_file
        self._finalize = False
        self.sealed_state: bytes | None = None
        """With ``ends_file`` and every byte received: the state before the final record,
        which went to the store with the last records (one flush for both)."""
        self.error: BaseException | None = None
        self._free: queue.SimpleQueue[bytearray] = queue.SimpleQueue()
        self._to_hash: queue.SimpleQueue[tuple[bytearray, int] | None] = queue.SimpleQueue()
        self._to_seal: queue.SimpleQueue[tuple[bytearray, int] | None] = queue.SimpleQueue()

    def run(self, body: Body, length: int) -> tuple[int, bool]:
        """Read ``length`` bytes of ``body``; (bytes received, whether the body was cut short).
        Returns once every received byte is hashed, sealed and handed to the store."""
        for _ in range(PIECES):
            self._free.put(bytearray(PIECE))
        threads = [threading.Thread(target=self._hash, name="upload-sha256", daemon=True),
                   threading.Thread(target=self._seal, name="upload-seal", daemon=True)]
        for thread in threads:
            thread.start()
        received, cut = 0, False
        try:
            while received < length and self.error is None:
                buffer = self._free.get()
                filled, cut = _fill(body, buffer, min(PIECE, length - received))
                received += filled
                if filled:
                    self._to_hash.put((buffer, filled))
                if cut or not filled:
                    cut = True
                    break
            self._finalize = self.ends_file and received == length and not cut
        finally:
            self._to_hash.put(None)
            for thread in threads:
                thread.join()
        if self.error is not None:
            raise self.error
        return received, cut

    def _hash(self) -> None:
        while (item := self._to_hash.get()) is not None:
            if self.running is not None and self.error is None:
                try:
                    with memoryview(item[0]) as view:
                        self.running.update(view[:item[1]])
                except BaseException as error:  # reported by run(); the buffers keep moving
                    self.error = error
            self._to_seal.put(item)
        self._to_seal.put(None)

    def _seal(self) -> None:
        finished = False

        def records() -> Iterator[bytes]:
            nonlocal finished
            while (item := self._to_seal.get()) is not None:
                buffer, filled = item
                try:
                    with memoryview(buffer) as view:
                        sealed = self.encryptor.update_records(view[:filled])
                finally:
                    self._free.put(buffer)
                yield from sealed
            if self._finalize and self.error is None:  # (set before the reader's end mark)
                self.sealed_state = self.encryptor.sealed_state()
                yield self.encryptor.finalize()
            finished = True

        try:
            self.write(records())
            if not finished:
                raise RuntimeError("the store stopped before the chunk's last record")
        except BaseException as error:  # reported by run()
            self.error = error
        if not finished:  # keep the buffers moving so the reader is never left waiting
            while (item := self._to_seal.get()) is not None:
                self._free.put(item[0])


def _fill(body: Body, buffer: bytearray, size: int) -> tuple[int, bool]:
    """Read up to ``size`` bytes into ``buffer``: (bytes read, whether the body ended early).
    A connection that fails or closes keeps what arrived before it did."""
    filled = 0
    with memoryview(buffer) as view:
        while filled < size:
            try:
                got = _read_into(body, view[filled:size])
            except OSError:  # the client went away
                return filled, True
            if not got:
                return filled, True
            filled += got
    return filled, False


def _read_into(body: Body, view: memoryview) -> int:
    """``body.readinto`` where it is implemented (no copy), else ``body.read`` and a copy."""
    readinto = getattr(body, "readinto", None)
    if readinto is not None:
        try:
            return int(readinto(view))
        except NotImplementedError:  # io.RawIOBase subclasses that only define read()
            pass
    piece = body.read(len(view))
    view[:len(piece)] = piece
    return len(piece)


# --- operations -------------------------------------------------------------------------

def start_upload(actor: Membership, space: Space, *, name: object, size: object, sha256: object,
                 folder_id: int | None = None, folder_path: object = None,
                 folder: Folder | None = None) -> Upload:
    """Start an upload. ``sha256=None`` (imports only, not the API) means the digest is not
    known in advance: the one computed from the received bytes becomes the file's."""
    name = clean_name(name)
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise ValidationError({"size": "Give the file's size in bytes."})
    if sha256 is None:
        sha256 = ""
    elif not isinstance(sha256, str) or not SHA256_HEX.match(sha256.lower()):
        raise ValidationError({"sha256": "Give the file's SHA-256 as 64 hexadecimal characters."})
    limit = max_file_size(actor.organization.plan)
    if size > limit:
        raise TooLarge(f"Files on this plan are limited to {limit} bytes; this one has {size}.")
    limits.check(actor.organization_id, "storage_bytes", size, field="size")  # BI1: the plan's storage
    if folder is None and folder_id:
        folder = folder_for(actor, space, folder_id)
    if folder_path:
        folder = ensure_folder_path(actor, space, folder, folder_path)
    upload = Upload(organization_id=actor.organization_id, space=space, folder=folder,
                    uploaded_by=actor.user, name=name, extension=extension_of(name), size=size,
                    sha256=sha256.lower(), record_size=DEFAULT_RECORD_SIZE)
    encryptor = StreamEncryptor(keys.new_file_key(space, upload), keys.blob_aad(upload),
                                DEFAULT_RECORD_SIZE)
    upload.stream_header = encryptor.header()  # stored with the first records (_write)
    upload.sealed_state = encryptor.sealed_state()
    with transaction.atomic():
        upload.save()
        audit.record("portal.upload_started", actor=actor.user,
                     organization=actor.organization_id, subject=actor.user, target=upload,
                     details={"space": space.pk, "size": size})
    _keep_hash(upload, 0, hashlib.sha256())
    return upload


def upload_for(actor: Membership, upload_id: int) -> Upload:
    # Only the state columns: polling an upload reads no document metadata.
    upload = (Upload.objects.for_purpose(actor, PURPOSE, fields=["offset", "size", "busy_until"])
              .filter(pk=upload_id).first())
    if upload is None:
        raise Http404
    return upload


def receive_chunk(actor: Membership, upload: Upload, offset: int, body: Body,
                  length: int | None, *, fits_checked: bool = False) -> ChunkResult:
    """Append a chunk. ``fits_checked``: the caller started this upload a moment ago in the same
    call (``start_upload`` checked its declared size against the plan's storage), so the check
    of what is reserved is not asked again (an import's one chunk per file)."""
    if length is None:
        raise ValidationError({"Content-Length": "Send the chunk's length."})
    if offset < 0 or length < 0:
        raise ValidationError({"Upload-Offset": "Offsets and lengths are not negative."})
    if offset + length > upload.size:
        raise TooLarge(f"This chunk ends at byte {offset + length}, past the declared size "
                       f"{upload.size}.")
    try:  # BI1: what is reserved still fits (a smaller plan, photos since): else nothing is kept
        if not fits_checked:
            limits.check(actor.organization_id, "storage_bytes", 0, field="size")
    except ValidationError:
        discard(Upload.objects.get(pk=upload.pk), reason="storage_full")
        raise
    upload = _claim(upload, offset)
    saved = False
    try:
        result = _append(upload, offset, body, length)
        saved = True
        if result.offset == upload.size and not result.cut:
            result.file = _complete(actor, upload, final_stored=result.finalized)
        return result
    finally:
        if not saved:  # give the lease back, keeping every checkpoint confirmed so far
            Upload.objects.filter(pk=upload.pk, offset__gte=offset).update(busy_until=None)


def _claim(upload: Upload, offset: int) -> Upload:
    now = timezone.now()
    claimed = (Upload.objects.filter(pk=upload.pk, offset=offset)
               .filter(Q(busy_until__isnull=True) | Q(busy_until__lt=now))
               .update(busy_until=now + LEASE))
    current = Upload.objects.select_related("space").filter(pk=upload.pk).first()
    if current is None:
        raise Http404
    if not claimed:
        if current.offset != offset:
            raise UploadConflict(current.offset, f"The upload is at offset {current.offset}, "
                                                 f"not {offset}.")
        raise UploadConflict(current.offset, "Another request is writing to this upload; "
                                             "retry in a moment.")
    return current


def _append(upload: Upload, offset: int, body: Body, length: int) -> ChunkResult:
    """Receive a chunk in checkpoints of ``CHECKPOINT`` bytes: each one is flushed to the store
    and its state confirmed in the row before the next begins, so a server that dies in the
    middle of a long chunk keeps every checkpoint it had confirmed (the lease is kept across
    checkpoints and given back at the end)."""
    space = upload.space
    key = keys.file_key(space, upload)
    encryptor = StreamEncryptor.resume_sealed(key, keys.blob_aad(upload),
                                              bytes(upload.stream_header),
                                              bytes(upload.sealed_state))
    running = _running_hash(upload)
    store = blob_store()
    position, remaining, cut = offset, length, False
    chunks = list(upload.chunks)
    while True:
        records_before, _tail = encryptor.state()

        def write(records: Iterator[bytes], before: int = records_before) -> int:
            return _write(store, upload, before, records)

        step = min(remaining, CHECKPOINT)
        receiver = _Receiver(running, encryptor, write,
                             ends_file=step == remaining and position + remaining == upload.size)
        received, cut = receiver.run(body, step)
        new_offset = position + received
        remaining -= received
        last = cut or remaining <= 0
        if chunks and chunks[-1].get("offset") == offset and chunks[-1].get("open"):
            chunks[-1] = {**chunks[-1], "length": new_offset - offset}
        else:
            chunks.append({"offset": offset, "length": new_offset - offset})
        chunks[-1]["at"] = timezone.now().isoformat()
        if last:
            chunks[-1].pop("open", None)
        else:
            chunks[-1]["open"] = True
        sealed_state = receiver.sealed_state or encryptor.sealed_state()
        now = timezone.now()
        updated = Upload.objects.filter(pk=upload.pk, offset=position).update(
            offset=new_offset, sealed_state=sealed_state, chunks=chunks,
            busy_until=None if last else now + LEASE, updated_at=now)
        if not updated:  # the lease expired and another request took over: it has the upload now
            raise UploadConflict(position, "The upload changed while this chunk was written.")
        upload.offset, upload.sealed_state, upload.chunks = new_offset, sealed_state, chunks
        if running is not None:
            _keep_hash(upload, new_offset, running)
        position = new_offset
        if last:
            return ChunkResult(offset=new_offset, size=upload.size, cut=cut,
                               finalized=receiver.sealed_state is not None)


def _write(store: BlobStore, upload: Upload, records_before: int, records: Iterator[bytes]) -> int:
    """Append ``records`` after the ``records_before`` confirmed ones (dropping anything past
    them). The stream header is kept in the row from the start and written with the first
    records: starting an upload writes (and flushes) nothing, and S3's first segment is not a
    tiny one."""
    if records_before == 0:
        return store.append(upload.storage_name, 0,
                            itertools.chain([bytes(upload.stream_header)], records))
    return store.append(upload.storage_name,
                        HEADER_SIZE + records_before * (upload.record_size + TAG_SIZE), records)


def _complete(actor: Membership, upload: Upload, *, final_stored: bool = False) -> File:
    """The upload reached its size: its final record (unless the last chunk stored it already),
    the digest checked, the file made."""
    store = blob_store()
    key = keys.file_key(upload.space, upload)
    try:
        if not final_stored:
            encryptor = StreamEncryptor.resume_sealed(key, keys.blob_aad(upload),
                                                      bytes(upload.stream_header),
                                                      bytes(upload.sealed_state))
            records, _tail = encryptor.state()
            _write(store, upload, records, iter([encryptor.finalize()]))
        store.seal(upload.storage_name)
        digest = _final_digest(store, upload, key)
    except Exception:
        discard(upload)
        raise
    if not upload.sha256:  # an import: the digest is what arrived
        upload.sha256 = digest
    if digest != upload.sha256:
        discard(upload, reason="sha256_mismatch")
        raise ValidationError({"sha256": "The received file's SHA-256 does not match the "
                                         "declared one; the upload was discarded."})
    with transaction.atomic():
        file = File.objects.create(
            organization_id=upload.organization_id, space=upload.space, folder_id=upload.folder_id,
            uploaded_by_id=upload.uploaded_by_id, blob=upload.blob, name=upload.name,
            extension=upload.extension, size=upload.size, sha256=upload.sha256,
            record_size=upload.record_size, wrapped_key=upload.wrapped_key,
            created_at=upload.created_at)
        replaced = supersede(file)
        # The upload's row goes; its object stays, now the file's (see signals).
        Upload.objects.filter(pk=upload.pk).delete()
        audit.record("portal.file_uploaded", actor=actor.user, organization=upload.organization_id,
                     subject=upload.uploaded_by_id, target=file,
                     details={"space": upload.space_id, "size": upload.size,
                              "chunks": len(upload.chunks),
                              "replaces": replaced.pk if replaced else None})
        notices.file_arrived(file)
    _forget_hash(upload)
    return file


def _final_digest(store: BlobStore, upload: Upload, key: bytes) -> str:
    with _hashes_lock:
        cached = _hashes.get(str(upload.blob))
    if cached is not None and cached[0] == upload.size:
        return str(cached[1].hexdigest())
    # The running hash is not in this process: derive it from what was stored.
    digest = hashlib.sha256()
    with store.reader(upload.storage_name) as read_at:
        for piece in decrypt_all(key, keys.blob_aad(upload), read_at, upload.size):
            digest.update(piece)
    return digest.hexdigest()


def discard(upload: Upload, reason: str = "cancelled") -> None:
    """Delete an upload and its stored object (on commit, through the delete signal)."""
    _forget_hash(upload)
    with transaction.atomic():
        Upload.objects.filter(pk=upload.pk).delete()
        audit.record("portal.upload_discarded", actor=upload.uploaded_by_id,
                     organization=upload.organization_id, subject=upload.uploaded_by_id,
                     target=upload, details={"reason": reason, "offset": upload.offset})


def cancel_upload(actor: Membership, upload: Upload) -> None:
    discard(Upload.objects.get(pk=upload.pk), reason="cancelled")  # all columns, before it goes
