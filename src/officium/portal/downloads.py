"""Reading a file's contents: the one way in, audited, streamed, by byte range.

``open_file`` writes the audit entry (who, which file, which range; never content) and
returns an iterator that decrypts only the records covering the range, one record in memory
at a time. Every record is authenticated before any of its bytes are yielded, so a tampered
record is never served. How a failure shows:

* before the response starts: a bad header or key, or (for ranges up to ``PREVERIFY_LIMIT``)
  any bad record, because such ranges are authenticated in a first pass before the response
  is built: the answer is a clean 409 and no byte of the file is sent;
* when the organization's vault key was destroyed (termination, purge): ``keys.KeysDestroyed``
  before anything is read or served;
* mid-stream, for larger ranges: the iterator raises before the bad record's bytes are sent,
  so the server aborts the connection short of the ``Content-Length`` it announced, and the
  client sees an incomplete transfer (and a whole-file ``Repr-Digest`` it can check), never
  silently wrong bytes.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

from django.db import transaction

from officium.accounts.models import Membership
from officium.errors import ErrorCode, OfficiumError
from officium.portal import keys
from officium.portal.models import File
from officium.portal.storage import blob_store
from officium.privacy import audit
from officium.privacy.vault.crypto import CryptoError
from officium.privacy.vault.stream import decrypt_range

logger = logging.getLogger(__name__)

PREVERIFY_LIMIT = 32 * 1024 * 1024
_RANGE = re.compile(r"^bytes=([0-9]*)-([0-9]*)$", re.ASCII)
_MAX_DIGITS = 18  # past 10**18 bytes a position means "beyond any file": no big-int parsing


def _position(digits: str) -> int:
    """A byte position; any longer run of digits than ``_MAX_DIGITS`` is "past the end"
    (Python refuses to parse more than 4,300 digits, and no file is that large)."""
    stripped = digits.lstrip("0") or "0"
    return int(stripped) if len(stripped) <= _MAX_DIGITS else 10 ** _MAX_DIGITS


class RangeNotSatisfiable(Exception):
    """416: the range starts past the end of the file."""


class Tampered(OfficiumError):
    """The stored object failed authentication; nothing of it was served (409).

    The argument is for logs; the answer says only that the check failed."""

    http_status = 409
    error_code = ErrorCode.INTEGRITY_FAILED
    default_message = "The stored file failed its integrity check; nothing of it was served."

    def __init__(self, detail: str = "") -> None:
        super().__init__()
        self.detail = detail


@dataclass
class Opened:
    start: int
    end: int  # exclusive
    size: int
    chunks: Iterator[bytes]

    @property
    def partial(self) -> bool:
        return (self.start, self.end) != (0, self.size)


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``(start, end_exclusive)`` for a single ``bytes=`` range; None means the whole file.

    A header we do not understand (several ranges, other units) is ignored, as RFC 9110
    allows; a range that starts past the end is ``RangeNotSatisfiable``. A suffix range of an
    empty file is satisfiable but has no bytes to select (RFC 9110 14.1.1), so the whole
    (empty) file is the answer, a 200.
    """
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first, last = match.group(1), match.group(2)
    if first == "":  # the last N bytes
        count = _position(last)
        if count == 0:
            raise RangeNotSatisfiable
        if size == 0:
            return None
        return max(size - count, 0), size
    start = _position(first)
    end = size if last == "" else min(_position(last) + 1, size)
    if start >= size or (last != "" and _position(last) < start):
        raise RangeNotSatisfiable
    return start, end


def open_file(actor: Membership, file: File, byte_range: tuple[int, int] | None,
              event: str = "portal.file_downloaded") -> Opened:
    start, end = byte_range or (0, file.size)
    if end - start <= PREVERIFY_LIMIT:
        for _piece in _decrypted(file, start, end):  # authenticate every record, keep nothing
            pass
    with transaction.atomic():
        audit.record(event, actor=actor.user, organization=file.organization_id,
                     subject=file.uploaded_by_id, target=file,
                     details={"space": file.space_id, "range": [start, end] if byte_range else None})
    return Opened(start=start, end=end, size=file.size, chunks=_decrypted(file, start, end))


def _decrypted(file: File, start: int, end: int) -> Iterator[bytes]:
    """Open the object and check its header and key now; yield the plaintext lazily."""
    stack = ExitStack()
    try:
        read_at = stack.enter_context(blob_store().reader(file.storage_name))
        key = keys.file_key(file.space, file)
        pieces = decrypt_range(key, keys.blob_aad(file), read_at, file.size, start, end)
    except keys.KeysDestroyed:  # the organization's key is gone: unreadable, not tampered
        stack.close()
        raise
    except (CryptoError, OSError) as error:
        stack.close()
        _report(file, error)
        raise Tampered(str(error)) from None
    except BaseException:
        stack.close()
        raise
    return _streamed(file, pieces, stack)


def _streamed(file: File, pieces: Iterator[bytes], stack: ExitStack) -> Iterator[bytes]:
    try:
        yield from pieces
    except (CryptoError, OSError) as error:
        _report(file, error)
        raise Tampered(str(error)) from None
    finally:
        stack.close()


def _report(file: File, error: Exception) -> None:
    logger.error("portal: file %s failed its integrity check: %s", file.pk, type(error).__name__)
    audit.record("portal.file_integrity_failed", organization=file.organization_id,
                 subject=file.uploaded_by_id, target=file,
                 details={"error": type(error).__name__})
