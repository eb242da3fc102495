"""Task photos (FW4, CO5): only with the member's camera/photo permission from the consent
ledger; checked to be an image within the size limit; location metadata (EXIF, GPS) removed
unless the member's device profile lets task entries carry a location and privacy mode is
off; sealed with the vault's streaming AEAD under a per-photo key wrapped by the member's
own vault key, so erasing the member shreds their photos too."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from PIL import Image, ImageOps, UnidentifiedImageError

from officium.accounts import limits
from officium.accounts.models import Membership
from officium.attendance.models import EventKind
from officium.errors import ErrorCode
from officium.fieldwork import audit_events as ev
from officium.fieldwork import capture, sealed
from officium.fieldwork.models import Photo, Task, TaskEntry
from officium.fieldwork.services import _entry_access
from officium.privacy import audit
from officium.privacy.consent.services import require_photo_permission
from officium.privacy.vault.crypto import pack_parts

MAX_BYTES = 8 * 1024 * 1024
CHUNK = 256 * 1024


class TooLarge(ValidationError):
    """413 ``too_large`` naming the field (``officium.api.error_answer``)."""

    http_status = 413
    error_code = ErrorCode.TOO_LARGE


def read_body(request: HttpRequest, field: str = "photo", limit: int | None = None) -> bytes:
    """An upload's raw request body, streamed in pieces and never through ``request.body``
    (whose DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB, is for form fields): refused with 413 naming
    ``field`` as soon as it is known to exceed ``limit`` (the declared Content-Length, or the
    bytes read so far), so nothing past the limit is read."""
    limit = MAX_BYTES if limit is None else limit
    too_large = TooLarge({field: f"The file is larger than {_megabytes(limit)}, the limit. "
                                 "Take it at a lower resolution or send a smaller file."})
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise too_large
    parts, size = [], 0
    while True:
        piece = request.read(CHUNK)
        if not piece:
            break
        size += len(piece)
        if size > limit:
            raise too_large
        parts.append(piece)
    return b"".join(parts)
MAX_PIXELS = 40_000_000
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def check_image(data: bytes) -> Image.Image:
    if len(data) > MAX_BYTES:
        raise ValidationError({"photo": f"The photo is {_megabytes(len(data))}; the limit is "
                                        f"{_megabytes(MAX_BYTES)}. Take it at a lower resolution."})
    if not data:
        raise ValidationError({"photo": "The photo is empty."})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image.verify()
            image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning,
            Image.DecompressionBombError):
        raise ValidationError({"photo": "This file is not a photo (JPEG, PNG or WebP)."}) from None
    if image.format not in FORMATS:
        raise ValidationError({"photo": "This file is not a photo (JPEG, PNG or WebP)."})
    if image.width * image.height > MAX_PIXELS:
        raise ValidationError({"photo": "The photo has too many pixels (at most 40 megapixels)."})
    return image


def strip_metadata(image: Image.Image) -> bytes:
    """The picture re-encoded without EXIF (GPS included), XMP or comments; turned upright
    first, since the orientation tag goes too."""
    fmt = image.format or "JPEG"
    upright = ImageOps.exif_transpose(image)
    if fmt == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    out = io.BytesIO()
    upright.save(out, format=fmt, **({"quality": 90} if fmt in ("JPEG", "WEBP") else {}))
    return out.getvalue()


def _aad(photo: Photo) -> bytes:
    return pack_parts("officium/fieldwork/photo", photo.organization_id, photo.member_id, photo.pk)


def check_photo(member: Membership, task: Task, data: bytes) -> Image.Image:
    require_photo_permission(member.user)
    _entry_access(member, task)
    image = check_image(data)
    limits.check(member.organization_id, "storage_bytes", len(data), field="photo")  # BI1: the plan's storage
    return image


def write_photo(member: Membership, task: Task, image: Image.Image, data: bytes, *,
                entry: TaskEntry | None = None, client_id: str | None = None) -> Photo:
    """Inside a transaction, after ``check_photo``."""
    keep = capture.located_allowed(member, EventKind.TASK_ENTRY)
    body = data if keep else strip_metadata(image)
    photo = Photo.objects.create(organization_id=member.organization_id, member=member, task=task, entry=entry,
                                 client_id=client_id, content_type=FORMATS[image.format or "JPEG"],
                                 size=len(body), wrapped_key=b"", content=b"", location_kept=keep)
    sealed.seal(photo, member.user_id, body, _aad(photo))
    audit.record(ev.PHOTO_ADDED, actor=member.user_id, organization=member.organization_id,
                 subject=member.user_id, target=photo,
                 details={"task": task.pk, "size": len(body), "location_kept": keep})
    return photo


def add_photo(member: Membership, task: Task, data: bytes, *, entry: TaskEntry | None = None,
              client_id: str | None = None) -> Photo:
    image = check_photo(member, task, data)
    with transaction.atomic():
        if client_id:
            found = Photo.objects.filter(member=member, client_id=client_id).first()
            if found is not None:  # replayed from the phone's queue: once
                return found
        return write_photo(member, task, image, data, entry=entry, client_id=client_id)


def open_photo(reader: Membership, photo: Photo) -> Iterator[bytes]:
    """The plaintext, record by record (the caller read ``photo`` through for_purpose)."""
    plaintext = sealed.opened(photo, photo.member.user_id, _aad(photo))
    if plaintext is None:
        raise ValidationError({"photo": "This photo was erased."})
    with transaction.atomic():
        audit.record(ev.PHOTO_VIEWED, actor=reader.user_id, organization=reader.organization_id,
                     subject=photo.member.user_id, target=photo)
    return plaintext
