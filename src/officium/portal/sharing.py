"""Share links: one file, for someone without an account, with an expiry and a download count.

The server never holds a link's key. The sharer's browser downloads the file (an audited
read), encrypts it with a key it generated (the same record format as the vault's streaming
AEAD, in WebCrypto) and uploads that ciphertext here in chunks; the key travels only in the
link's fragment, which browsers never send to a server. The recipient's page fetches the
ciphertext (one counted, audited download) and decrypts it in the browser.
Revoking deletes the stored ciphertext at once.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from officium.accounts.models import Membership
from officium.errors import ErrorCode, OfficiumError
from officium.portal.models import File, Share, ShareStatus
from officium.portal.services import PURPOSE, SPACE_MANAGERS
from officium.portal.storage import blob_store
from officium.portal.uploads import READ_PIECE, Body, TooLarge, UploadConflict
from officium.privacy import audit
from officium.privacy.vault.crypto import DecryptionError
from officium.privacy.vault.stream import (
    DEFAULT_RECORD_SIZE,
    HEADER_SIZE,
    StreamHeader,
    ciphertext_size,
)

SHARE_RECORD_SIZE = DEFAULT_RECORD_SIZE
MAX_LIFETIME = timedelta(days=30)
MAX_DOWNLOADS = 100


class LinkLocked(OfficiumError):
    """429: too many wrong passwords for this link; try again later."""

    http_status = 429
    error_code = ErrorCode.TOO_MANY_ATTEMPTS

    def __init__(self, until: datetime) -> None:
        seconds = max(1, int((until - timezone.now()).total_seconds()))
        super().__init__(f"Too many wrong passwords. Try again in {seconds} seconds.",
                         field="password", headers={"Retry-After": str(seconds)})


FREE_ATTEMPTS = 5
"""Wrong passwords allowed before each further one locks the link for a while."""
MAX_LOCK = timedelta(hours=1)
MIN_PASSWORD = 8
MAX_PASSWORD = 200


def create_share(actor: Membership, file: File, *, expires_in_hours: object,
                 max_downloads: object, password: object = "") -> Share:
    if (isinstance(expires_in_hours, bool) or not isinstance(expires_in_hours, int)
            or not 1 <= expires_in_hours <= MAX_LIFETIME.days * 24):
        raise ValidationError({"expires_in_hours": f"Choose 1 to {MAX_LIFETIME.days * 24} hours."})
    if (isinstance(max_downloads, bool) or not isinstance(max_downloads, int)
            or not 1 <= max_downloads <= MAX_DOWNLOADS):
        raise ValidationError({"max_downloads": f"Choose 1 to {MAX_DOWNLOADS} downloads."})
    if password is None:
        password = ""
    if not isinstance(password, str) or (password and not MIN_PASSWORD <= len(password) <= MAX_PASSWORD):
        raise ValidationError({"password": f"Leave it empty, or give {MIN_PASSWORD} to "
                                           f"{MAX_PASSWORD} characters."})
    with transaction.atomic():
        share = Share.objects.create(
            organization_id=file.organization_id, file=file, created_by=actor.user,
            public_id=secrets.token_urlsafe(24),
            ciphertext_size=ciphertext_size(file.size, SHARE_RECORD_SIZE),
            expires_at=timezone.now() + timedelta(hours=expires_in_hours),
            max_downloads=max_downloads,
            password_hash=make_password(password) if password else "")
        audit.record("portal.share_created", actor=actor.user, organization=file.organization_id,
                     subject=file.uploaded_by_id, target=file,
                     details={"share": share.pk, "expires_at": share.expires_at.isoformat(),
                              "max_downloads": max_downloads, "password": bool(password)})
    return share


def share_for(actor: Membership, share_pk: int) -> Share:
    share = (Share.objects.for_purpose(actor, PURPOSE).filter(pk=share_pk)
             .select_related("file").first())
    if share is None:
        raise Http404
    return share


def shares_of(actor: Membership, file: File) -> list[Share]:
    return list(Share.objects.for_purpose(actor, PURPOSE).filter(file=file))


def receive_share_data(actor: Membership, share: Share, offset: int, body: Body,
                       length: int | None) -> Share:
    """Append browser-encrypted bytes; the server checks their size and header, nothing more."""
    if share.created_by_id != actor.user_id:
        raise Http404
    if share.status != ShareStatus.PENDING:
        raise UploadConflict(share.received, "This link is no longer waiting for data.")
    if length is None:
        raise ValidationError({"Content-Length": "Send the chunk's length."})
    if offset != share.received:
        raise UploadConflict(share.received, f"The link's data is at offset {share.received}.")
    if offset + length > share.ciphertext_size:
        raise TooLarge("This chunk goes past the size of the encrypted file.")
    received = {"n": 0}

    def pieces() -> Iterator[bytes]:
        while received["n"] < length:
            try:
                piece = body.read(min(READ_PIECE, length - received["n"]))
            except OSError:
                return
            if not piece:
                return
            received["n"] += len(piece)
            yield piece

    store = blob_store()
    store.append(share.storage_name, offset, pieces())
    new = offset + received["n"]
    if not Share.objects.filter(pk=share.pk, received=offset, status=ShareStatus.PENDING).update(
            received=new):
        raise UploadConflict(offset, "Another request wrote to this link's data.")
    share.received = new
    if new == share.ciphertext_size:
        _activate(actor, share)
    return share


def _activate(actor: Membership, share: Share) -> None:
    store = blob_store()
    store.seal(share.storage_name)
    with store.reader(share.storage_name) as read_at:
        header = read_at(0, HEADER_SIZE)
    try:
        parsed = StreamHeader.parse(header)
        if parsed.record_size != SHARE_RECORD_SIZE:
            raise DecryptionError("unexpected record size")
    except DecryptionError:
        revoke_share(actor, share, reason="malformed")
        raise ValidationError({"data": "This is not an encrypted copy in the expected format."}) from None
    Share.objects.filter(pk=share.pk).update(status=ShareStatus.ACTIVE)
    share.status = ShareStatus.ACTIVE


def revoke_share(actor: Membership, share: Share, reason: str = "revoked") -> None:
    if share.created_by_id != actor.user_id and actor.role not in SPACE_MANAGERS:
        raise PermissionDenied("Only the person who shared it or a manager revokes a link.")
    with transaction.atomic():
        Share.objects.filter(pk=share.pk).update(status=ShareStatus.REVOKED,
                                                 revoked_at=timezone.now())
        audit.record("portal.share_revoked", actor=actor.user, organization=share.organization_id,
                     subject=share.file.uploaded_by_id, target=share.file,
                     details={"share": share.pk, "reason": reason})
        name = share.storage_name
        transaction.on_commit(lambda: blob_store().delete(name))
    share.status = ShareStatus.REVOKED


def public_share(public_id: str) -> Share:
    """The open share behind a link, for its page (nothing counted), else 404."""
    share = (Share.objects.select_related("file").filter(public_id=public_id,
                                                         status=ShareStatus.ACTIVE).first())
    if share is None or not share.is_open:
        raise Http404
    return share


def take_share_download(public_id: str) -> Share:
    """Count one download with a conditional UPDATE (never past the maximum) and audit it."""
    now = timezone.now()
    with transaction.atomic():
        counted = Share.objects.filter(
            public_id=public_id, status=ShareStatus.ACTIVE, expires_at__gt=now,
            downloads__lt=F("max_downloads")).update(downloads=F("downloads") + 1)
        if not counted:
            raise Http404
        share = Share.objects.select_related("file").get(public_id=public_id)
        audit.record("portal.share_downloaded", organization=share.organization_id,
                     subject=share.file.uploaded_by_id, target=share.file,
                     details={"share": share.pk, "download": share.downloads})
    return share


def check_share_password(public_id: str, password: object) -> Share:
    """Let someone with the link in if the password is right. Each wrong one counts; past
    ``FREE_ATTEMPTS`` the link locks for a doubling while (up to ``MAX_LOCK``), checked before
    the hash so a locked link costs no argon2 work. Audited without the password."""
    share = public_share(public_id)
    if not share.password_hash:
        return share
    now = timezone.now()
    if share.locked_until is not None and share.locked_until > now:
        raise LinkLocked(share.locked_until)
    if isinstance(password, str) and 0 < len(password) <= MAX_PASSWORD and check_password(
            password, share.password_hash):
        Share.objects.filter(pk=share.pk).update(failed_attempts=0, locked_until=None)
        return share
    with transaction.atomic():
        Share.objects.filter(pk=share.pk).update(failed_attempts=F("failed_attempts") + 1)
        failed = Share.objects.values_list("failed_attempts", flat=True).get(pk=share.pk)
        locked_until = None
        if failed >= FREE_ATTEMPTS:
            locked_until = now + min(MAX_LOCK, timedelta(seconds=30 * 2 ** (failed - FREE_ATTEMPTS)))
            Share.objects.filter(pk=share.pk).update(locked_until=locked_until)
        audit.record("portal.share_password_failed", organization=share.organization_id,
                     subject=share.file.uploaded_by_id, target=share.file,
                     details={"share": share.pk, "attempt": failed})
    if locked_until is not None:
        raise LinkLocked(locked_until)
    raise ValidationError({"password": "This password is not right."})


def describe(entry: object, person: object) -> str:
    """One access-log entry in plain words (PF3), from its event and ids only."""
    event = getattr(entry, "event", "")
    details = getattr(entry, "details", {}) or {}
    who = str(person) if person else ("Someone with the link" if event.startswith("portal.share_")
                                      else "A former member")
    if event == "portal.file_downloaded":
        return f"{who} downloaded {'part of ' if details.get('range') else ''}the file"
    if event == "portal.file_previewed":
        return f"{who} previewed the file"
    if event == "portal.file_uploaded":
        return f"{who} uploaded {'a new version of ' if details.get('replaces') else ''}the file"
    if event == "portal.share_created":
        extras = []
        if details.get("password"):
            extras.append("a password")
        if details.get("max_downloads"):
            extras.append(f"{details['max_downloads']} downloads")
        return f"{who} created a link" + (f" with {', '.join(extras)}" if extras else "")
    if event == "portal.share_revoked":
        return f"{who} revoked a link"
    if event == "portal.share_downloaded":
        return f"{who} downloaded it (download {details.get('download', '?')} of the link)"
    if event == "portal.share_password_failed":
        return f"{who} gave a wrong password (attempt {details.get('attempt', '?')})"
    from officium.privacy.audit.events import label

    return f"{who}: {label(event)}"
