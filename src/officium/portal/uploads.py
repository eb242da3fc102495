"""Resumable uploads with tus semantics, encrypted as the bytes arrive, in constant memory.

1. ``start_upload`` checks the name, the declared size against the plan and the SHA-256's
   form, creates the file's data key and writes the stream header.
2. ``receive_chunk`` claims the upload with a conditional UPDATE (a lease: two requests never
   append at once), refuses a wrong offset (409) or bytes past the declared size (413), then
   reads the body in 1 MiB pieces, seals whole records as they complete and appends them.
   Only then does it store the new state: the offset, the encryptor's state with the buffered
   tail *encrypted* (``sealed_state``), and the chunk's digest. A dropped connection keeps
   what arrived; a crash keeps the last stored state, and the next append first cuts the
   object back to it. Plaintext never touches the disk.
3. When the offset reaches the declared size, the final record is sealed and the SHA-256 of
   the plaintext is compared with the declared one. The running hash lives in this process
   (``hashlib`` objects cannot be stored); when a resume landed elsewhere or after a restart,
   the digest is re-derived by decrypting the stored object. A mismatch deletes the upload
   and its object: no partial file is left behind on any failure.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from officium.accounts.models import Membership
from officium.portal import keys
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
LEASE = timedelta(minutes=10)
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


class UploadConflict(Exception):
    """409: the offset is not the confirmed one, or another request is writing."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset


class TooLarge(Exception):
    """413: over the plan's limit, or a chunk past the declared size."""


class Body(Protocol):
    def read(self, size: int) -> bytes: ...


@dataclass
class ChunkResult:
    offset: int
    size: int
    file: File | None = None
    cut: bool = False


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


class _BackgroundHash:
    """The running SHA-256 fed on a thread of its own: hashlib releases the GIL while it hashes
    a large piece, so the hash of one piece runs while the next is read, encrypted and written.
    At most ``depth`` pieces wait, which bounds the memory it adds."""

    def __init__(self, running: Any, depth: int = 4) -> None:
        import queue

        self.running = running
        self._pieces: queue.Queue[bytes | None] = queue.Queue(maxsize=depth)
        self._thread = threading.Thread(target=self._run, name="upload-sha256", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (piece := self._pieces.get()) is not None:
            self.running.update(piece)

    def update(self, piece: bytes) -> None:
        self._pieces.put(piece)

    def finish(self) -> Any:
        self._pieces.put(None)
        self._thread.join()
        return self.running


# --- operations -------------------------------------------------------------------------

def start_upload(actor: Membership, space: Space, *, name: object, size: object, sha256: object,
                 folder_id: int | None = None) -> Upload:
    name = clean_name(name)
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise ValidationError({"size": "Give the file's size in bytes."})
    if not isinstance(sha256, str) or not SHA256_HEX.match(sha256.lower()):
        raise ValidationError({"sha256": "Give the file's SHA-256 as 64 hexadecimal characters."})
    limit = max_file_size(actor.organization.plan)
    if size > limit:
        raise TooLarge(f"Files on this plan are limited to {limit} bytes; this one has {size}.")
    folder: Folder | None = folder_for(actor, space, folder_id) if folder_id else None
    upload = Upload(organization_id=actor.organization_id, space=space, folder=folder,
                    uploaded_by=actor.user, name=name, extension=extension_of(name), size=size,
                    sha256=sha256.lower(), record_size=DEFAULT_RECORD_SIZE)
    encryptor = StreamEncryptor(keys.new_file_key(space, upload), keys.blob_aad(upload),
                                DEFAULT_RECORD_SIZE)
    upload.stream_header = encryptor.header()
    upload.sealed_state = encryptor.sealed_state()
    store = blob_store()
    store.append(upload.storage_name, 0, [encryptor.header()])
    try:
        with transaction.atomic():
            upload.save()
            audit.record("portal.upload_started", actor=actor.user,
                         organization=actor.organization_id, subject=actor.user, target=upload,
                         details={"space": space.pk, "size": size})
    except Exception:
        store.delete(upload.storage_name)
        raise
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
                  length: int | None) -> ChunkResult:
    if length is None:
        raise ValidationError({"Content-Length": "Send the chunk's length."})
    if offset < 0 or length < 0:
        raise ValidationError({"Upload-Offset": "Offsets and lengths are not negative."})
    if offset + length > upload.size:
        raise TooLarge(f"This chunk ends at byte {offset + length}, past the declared size "
                       f"{upload.size}.")
    upload = _claim(upload, offset)
    saved = False
    try:
        result = _append(upload, offset, body, length)
        saved = True
        if result.offset == upload.size and not result.cut:
            result.file = _complete(actor, upload)
        return result
    finally:
        if not saved:
            Upload.objects.filter(pk=upload.pk, offset=offset).update(busy_until=None)


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
    space = upload.space
    key = keys.file_key(space, upload)
    encryptor = StreamEncryptor.resume_sealed(key, keys.blob_aad(upload),
                                              bytes(upload.stream_header),
                                              bytes(upload.sealed_state))
    records_before, _tail = encryptor.state()
    stored = HEADER_SIZE + records_before * (upload.record_size + TAG_SIZE)
    running = _running_hash(upload)
    hasher = _BackgroundHash(running) if running is not None else None
    state = {"received": 0, "cut": False}

    def sealed_records() -> Any:
        while state["received"] < length:
            try:
                piece = body.read(min(READ_PIECE, length - state["received"]))
            except OSError:  # the client went away: keep what arrived
                piece = b""
            if not piece:
                state["cut"] = True
                return
            state["received"] += len(piece)
            if hasher is not None:
                hasher.update(piece)
            yield from encryptor.update_records(piece)

    try:
        blob_store().append(upload.storage_name, stored, sealed_records())
    finally:
        if hasher is not None:
            hasher.finish()
    new_offset = offset + state["received"]
    chunks = [*upload.chunks, {"offset": offset, "length": state["received"],
                               "at": timezone.now().isoformat()}]
    updated = Upload.objects.filter(pk=upload.pk, offset=offset).update(
        offset=new_offset, sealed_state=encryptor.sealed_state(), chunks=chunks,
        busy_until=None, updated_at=timezone.now())
    if not updated:  # the lease expired and another request took over: it has the upload now
        raise UploadConflict(offset, "The upload changed while this chunk was written.")
    upload.offset, upload.sealed_state, upload.chunks = new_offset, encryptor.sealed_state(), chunks
    if running is not None:
        _keep_hash(upload, new_offset, running)
    return ChunkResult(offset=new_offset, size=upload.size, cut=bool(state["cut"]))


def _complete(actor: Membership, upload: Upload) -> File:
    store = blob_store()
    key = keys.file_key(upload.space, upload)
    encryptor = StreamEncryptor.resume_sealed(key, keys.blob_aad(upload),
                                              bytes(upload.stream_header),
                                              bytes(upload.sealed_state))
    records, _tail = encryptor.state()
    stored = HEADER_SIZE + records * (upload.record_size + TAG_SIZE)
    try:
        store.append(upload.storage_name, stored, [encryptor.finalize()])
        store.seal(upload.storage_name)
        digest = _final_digest(store, upload, key)
    except Exception:
        discard(upload)
        raise
    if digest != upload.sha256:
        discard(upload, reason="sha256_mismatch")
        raise ValidationError({"sha256": "The received file's SHA-256 does not match the "
                                         "declared one; the upload was discarded."})
    with transaction.atomic():
        file = File.objects.create(
            organization_id=upload.organization_id, space=upload.space, folder=upload.folder,
            uploaded_by=upload.uploaded_by, blob=upload.blob, name=upload.name,
            extension=upload.extension, size=upload.size, sha256=upload.sha256,
            record_size=upload.record_size, wrapped_key=upload.wrapped_key,
            created_at=upload.created_at)
        # The upload's row goes; its object stays, now the file's (see signals).
        Upload.objects.filter(pk=upload.pk).delete()
        audit.record("portal.file_uploaded", actor=actor.user, organization=upload.organization_id,
                     subject=upload.uploaded_by_id, target=file,
                     details={"space": upload.space_id, "size": upload.size,
                              "chunks": len(upload.chunks)})
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
