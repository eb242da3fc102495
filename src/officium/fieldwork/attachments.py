"""Task attachments (FW1): documents a dispatcher attaches to a task (a work order, a plan, a
manual) for its assignees to open on the phone.

Checked first (the dispatcher's role, a safe file name, an allowed type whose bytes look like
it, at most 20 MB, the plan's storage), then stored, sealed and audited in one transaction.
Sealed exactly like task photos (``photos``): the vault's streaming AEAD under a per-file data
key wrapped by the uploader's own vault key, so erasing the uploader shreds their uploads.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

from officium.accounts import limits
from officium.accounts.models import Membership
from officium.fieldwork import audit_events as ev
from officium.fieldwork import purposes, sealed, services
from officium.fieldwork.models import Task, TaskAttachment
from officium.fieldwork.photos import TooLarge, _megabytes
from officium.privacy import audit
from officium.privacy.vault.crypto import pack_parts
from officium.text import validate_name

MAX_BYTES = 20 * 1024 * 1024
MAX_NAME = 200
FIELD = "file"

_ZIP = b"PK\x03\x04"
# The allow-list: a file's extension decides its type; its first bytes must agree.
TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
    ".txt": ("text/plain", ()),
    ".csv": ("text/csv", ()),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (_ZIP,)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (_ZIP,)),
    ".odt": ("application/vnd.oasis.opendocument.text", (_ZIP,)),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", (_ZIP,)),
}
ALLOWED_TEXT = "PDF, images (PNG, JPEG, GIF, WebP), plain text, CSV, DOCX, XLSX, ODT or ODS"


def too_large() -> TooLarge:
    return TooLarge({FIELD: f"The file is larger than {_megabytes(MAX_BYTES)}, the limit for an attachment."})


def _aad(attachment: TaskAttachment) -> bytes:
    return pack_parts("officium/fieldwork/attachment", attachment.organization_id, attachment.uploaded_by_id,
                      attachment.pk)


def content_type_for(name: str, data: bytes) -> str:
    """The stored type of an upload named ``name``: from the allow-list, the bytes agreeing."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in TYPES:
        raise ValidationError({FIELD: f"This type of file cannot be attached; send {ALLOWED_TEXT}."})
    content_type, magic = TYPES[suffix]
    if magic and not data.startswith(magic):
        raise ValidationError({FIELD: f"The file's content is not {suffix[1:].upper()}, as its name says."})
    if suffix == ".webp" and data[8:12] != b"WEBP":
        raise ValidationError({FIELD: "The file's content is not WEBP, as its name says."})
    if not magic:  # text: UTF-8 without NUL bytes
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError({FIELD: "A text or CSV file must be UTF-8 text."}) from None
        if b"\0" in data:
            raise ValidationError({FIELD: "A text or CSV file must be UTF-8 text."})
    return content_type


def check_name(name: str) -> str:
    name = PurePath((name or "").replace("\\", "/")).name.strip()
    if not name or len(name) > MAX_NAME:
        raise ValidationError({FIELD: f"The file needs a name of 1-{MAX_NAME} characters."})
    validate_name(name, FIELD)
    return name


def attach(actor: Membership, task: Task, name: str, data: bytes) -> TaskAttachment:
    """Attach ``data`` as ``name`` to ``task`` (dispatchers of the task's organization)."""
    if task.organization_id != actor.organization_id:
        raise PermissionDenied
    services.require_dispatcher(actor)
    if len(data) > MAX_BYTES:
        raise too_large()
    if not data:
        raise ValidationError({FIELD: "The file is empty."})
    name = check_name(name)
    content_type = content_type_for(name, data)
    limits.check(actor.organization_id, "storage_bytes", len(data), field=FIELD)  # BI1: the plan's storage
    with transaction.atomic():
        attachment = TaskAttachment.objects.create(
            organization_id=actor.organization_id, task=task, uploaded_by=actor, name=name,
            content_type=content_type, size=len(data), wrapped_key=b"", content=b"")
        sealed.seal(attachment, actor.user_id, data, _aad(attachment))
        audit.record(ev.ATTACHMENT_ADDED, actor=actor.user_id, organization=actor.organization_id,
                     subject=actor.user_id, target=attachment,
                     details={"task": task.pk, "size": len(data), "content_type": content_type})
    return attachment


def listed(actor: Membership, task: Task) -> list[TaskAttachment]:
    """The task's attachments the actor may open (metadata only, never the sealed bytes)."""
    return list(_readable(actor, ["task", "uploaded_by", "name", "content_type", "size", "created_at"])
                .filter(task=task).select_related("uploaded_by__user"))


def _readable(actor: Membership, fields: list[str] | None = None) -> QuerySet[TaskAttachment]:
    return TaskAttachment.objects.for_purpose(actor, purposes.ATTACHMENTS, fields=fields)


def find(actor: Membership, task: Task, attachment_id: int) -> TaskAttachment | None:
    return _readable(actor).filter(task=task, pk=attachment_id).select_related("uploaded_by").first()


def open_attachment(reader: Membership, attachment: TaskAttachment) -> Iterator[bytes]:
    """The plaintext, record by record (``attachment`` read through ``find``); audited."""
    plaintext = sealed.opened(attachment, attachment.uploaded_by.user_id, _aad(attachment))
    if plaintext is None:
        raise ValidationError({FIELD: "This attachment was erased."})
    with transaction.atomic():
        audit.record(ev.ATTACHMENT_OPENED, actor=reader.user_id, organization=reader.organization_id,
                     subject=attachment.uploaded_by.user_id, target=attachment)
    return plaintext


def delete(actor: Membership, attachment: TaskAttachment) -> None:
    """Remove an attachment (dispatchers), audited (the task and size, not the name)."""
    if attachment.organization_id != actor.organization_id:
        raise PermissionDenied
    services.require_dispatcher(actor)
    with transaction.atomic():
        audit.record(ev.ATTACHMENT_DELETED, actor=actor.user_id, organization=actor.organization_id,
                     subject=attachment.uploaded_by.user_id, target=attachment,
                     details={"task": attachment.task_id, "size": attachment.size})
        attachment.delete()


def download_response(reader: Membership, attachment: TaskAttachment) -> StreamingHttpResponse:
    """The document streamed as a download: its name only in Content-Disposition, never a URL."""
    answer = StreamingHttpResponse(open_attachment(reader, attachment), content_type=attachment.content_type)
    answer["Content-Length"] = str(attachment.size)
    answer["Content-Disposition"] = content_disposition_header(True, attachment.name)
    answer["Cache-Control"] = "private, no-store"
    answer["X-Content-Type-Options"] = "nosniff"
    return answer
