"""HTTP shapes shared by the pages and the API: streamed downloads with Range, tus-style answers.

Transfer refusals (``UploadConflict``, ``TooLarge``, ``Tampered``, ``KeysDestroyed``) are
``OfficiumError``s: the API answers them in its one place, with their status and code."""

from __future__ import annotations

import base64
import io
import json
import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

from officium.accounts.models import Membership
from officium.errors import ErrorCode, error_body
from officium.portal.downloads import RangeNotSatisfiable, Tampered, open_file, parse_range
from officium.portal.keys import KeysDestroyed
from officium.portal.models import File

TUS_HEADERS = {"Tus-Resumable": "1.0.0", "Cache-Control": "no-store"}
# A byte count or offset: ASCII digits only (str.isdigit() also takes "²" and "١"), and few
# enough that int() never meets Python's 4,300-digit limit.
_COUNT = re.compile(r"[0-9]{1,18}", re.ASCII)


def json_response(data: Any, status: int = 200, **headers: str) -> HttpResponse:
    response = HttpResponse(json.dumps(data), status=status, content_type="application/json")
    for name, value in {**TUS_HEADERS, **headers}.items():
        response[name] = value
    return response


def chunk_request(request: HttpRequest) -> tuple[int, int | None]:
    """(Upload-Offset, Content-Length) of a chunk request; the body itself is not touched."""
    from django.core.exceptions import ValidationError

    raw_offset = request.headers.get("Upload-Offset", "")
    if _COUNT.fullmatch(raw_offset) is None:
        raise ValidationError({"Upload-Offset": "Send the chunk's offset as a whole number "
                                                "of at most 18 digits."})
    raw_length = request.META.get("CONTENT_LENGTH") or ""
    return int(raw_offset), int(raw_length) if _COUNT.fullmatch(raw_length) else None


def chunk_body(request: HttpRequest) -> Any:
    """The chunk's body as an object with ``read(n)`` (and, under gunicorn, ``readinto``),
    never through ``request.body``.

    Under gunicorn, ``wsgi.input.read(n)`` gathers the body 1 KiB at a time (about 75 MB/s)
    and even its length reader allocates and copies every piece several times; the portal
    reads the connection's socket itself (:class:`SocketBody`). Anything else (the test
    client, other servers, or ``OFFICIUM_PORTAL_SOCKET_READS=false``) gets the request's own
    stream.
    """
    if not getattr(settings, "OFFICIUM_PORTAL_SOCKET_READS", True):
        return request
    stream = request.META.get("wsgi.input")
    reader = getattr(stream, "reader", None)
    unreader = getattr(reader, "unreader", None)
    buffered = getattr(stream, "buf", None)
    if (type(stream).__module__.startswith("gunicorn.") and type(reader).__name__ == "LengthReader"
            and isinstance(getattr(reader, "length", None), int)
            and isinstance(getattr(unreader, "buf", None), io.BytesIO)
            and hasattr(getattr(unreader, "sock", None), "recv_into")
            and buffered is not None and buffered.tell() == 0
            and not getattr(request, "_read_started", False)):
        request._read_started = True  # type: ignore[attr-defined]
        return SocketBody(reader, unreader)
    return request


class SocketBody:
    """A request body of known length read straight from gunicorn's connection socket.

    ``readinto`` lets the upload path ``recv_into`` its own buffers: no allocation and no copy
    per piece. The bytes gunicorn already received past the headers come first, taken from
    its buffer only as they are consumed, and its length reader is kept in step, so whatever
    is left unread (a refused chunk, a request cut short) is skipped by gunicorn as usual and
    the connection stays usable for the next request.
    """

    def __init__(self, reader: Any, unreader: Any) -> None:
        self._reader = reader
        self._unreader = unreader
        self._sock = unreader.sock
        self._early = True  # gunicorn may hold the body's first bytes; nothing else adds any

    def readinto(self, buffer: Any) -> int:
        """Fill up to ``len(buffer)`` bytes; 0 once the body is over or the client left
        (``OSError`` if the connection failed)."""
        want: int = min(len(buffer), self._reader.length)
        if want <= 0:
            return 0
        if self._early:
            early = self._unreader.buf.getvalue()
            if early:
                got = min(want, len(early))
                memoryview(buffer).cast("B")[:got] = early[:got]
                rest = io.BytesIO()
                rest.write(early[got:])
                self._unreader.buf = rest
                self._reader.length -= got
                return got
            self._early = False
        received: int = self._sock.recv_into(buffer, want)
        self._reader.length -= received
        return received

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes, fewer only at the end of the body."""
        buffer = bytearray(min(size, self._reader.length))
        view = memoryview(buffer)
        filled = 0
        while filled < len(buffer):
            got = self.readinto(view[filled:])
            if not got:
                break
            filled += got
        view.release()
        del buffer[filled:]
        return bytes(buffer)


PREVIEW_TYPES = {
    "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
    "webp": "image/webp", "pdf": "application/pdf",
    "txt": "text/plain; charset=utf-8", "csv": "text/plain; charset=utf-8",
    "md": "text/plain; charset=utf-8", "log": "text/plain; charset=utf-8",
    "json": "text/plain; charset=utf-8",
}
"""What the page previews, and the type it is served as (never HTML or SVG: no script runs)."""


def preview_kind(file: File) -> str:
    """"image", "pdf", "text" or "" (no preview) for a file's extension."""
    kind = PREVIEW_TYPES.get(file.extension, "")
    return "image" if kind.startswith("image/") else "pdf" if kind == "application/pdf" else (
        "text" if kind else "")


def file_response(request: HttpRequest, actor: Membership, file: File,
                  preview: bool = False) -> HttpResponseBase:
    """The file's plaintext, whole (200) or one byte range (206), streamed record by record.

    With ``preview``, served inline as its type for the file page's <img>, <iframe> or text
    view (PF2): decrypted as it streams like a download, nothing written to disk, framed only
    by this site, and with no script allowed to run in it."""
    try:
        byte_range = parse_range(request.headers.get("Range"), file.size)
    except RangeNotSatisfiable:
        response: HttpResponseBase = json_response(error_body(ErrorCode.RANGE_NOT_SATISFIABLE,
                                            "The range starts past the end of the file.",
                                            "Range"), 416)
        response["Content-Range"] = f"bytes */{file.size}"
        return response
    try:
        opened = open_file(actor, file, byte_range,
                           "portal.file_previewed" if preview else "portal.file_downloaded")
    except (Tampered, KeysDestroyed) as error:  # pages and the API answer these alike
        return json_response(error_body(error.error_code, error.message), error.http_status)
    response = StreamingHttpResponse(opened.chunks, content_type="application/octet-stream",
                                     status=206 if byte_range else 200)
    response["Content-Length"] = str(opened.end - opened.start)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = content_disposition_header(not preview, file.name) or ""
    if preview:
        response["Content-Type"] = PREVIEW_TYPES[file.extension]
        response["X-Frame-Options"] = "SAMEORIGIN"
        response["X-Content-Type-Options"] = "nosniff"
        # PDF: the browser's own viewer needs to run in the frame; other kinds get a sandbox.
        response["Content-Security-Policy"] = (
            "default-src 'none'; frame-ancestors 'self'"
            + ("" if file.extension == "pdf" else "; sandbox; img-src 'self'"))
    response["ETag"] = f'"{file.sha256}"'
    if byte_range:
        response["Content-Range"] = f"bytes {opened.start}-{opened.end - 1}/{file.size}"
    else:
        digest = base64.b64encode(bytes.fromhex(file.sha256)).decode()
        response["Repr-Digest"] = f"sha-256=:{digest}:"
    return response
