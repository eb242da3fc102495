"""HTTP shapes shared by the pages and the API: streamed downloads with Range, tus-style answers."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from officium.accounts.models import Membership
from officium.portal.downloads import RangeNotSatisfiable, Tampered, open_file, parse_range
from officium.portal.keys import KeysDestroyed
from officium.portal.models import File
from officium.portal.uploads import TooLarge, UploadConflict

DESTROYED = ("This organization's encryption key was destroyed: the file can no longer be "
             "read; nothing of it was served.")
TUS_HEADERS = {"Tus-Resumable": "1.0.0", "Cache-Control": "no-store"}


def json_response(data: Any, status: int = 200, **headers: str) -> HttpResponse:
    response = HttpResponse(json.dumps(data), status=status, content_type="application/json")
    for name, value in {**TUS_HEADERS, **headers}.items():
        response[name] = value
    return response


def transfer_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer the transfer exceptions with their status; the rest goes to the API's handlers."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except UploadConflict as error:
            return json_response({"detail": str(error), "offset": error.offset}, 409,
                                 **{"Upload-Offset": str(error.offset)})
        except TooLarge as error:
            return json_response({"detail": str(error)}, 413)
        except Tampered:
            return json_response({"detail": "The stored file failed its integrity check; "
                                            "nothing of it was served."}, 409)
        except KeysDestroyed:
            return json_response({"detail": DESTROYED}, 410)

    return wrapped


def chunk_request(request: HttpRequest) -> tuple[int, int | None]:
    """(Upload-Offset, Content-Length) of a chunk request; the body itself is not touched."""
    from django.core.exceptions import ValidationError

    raw_offset = request.headers.get("Upload-Offset", "")
    if not raw_offset.isdigit():
        raise ValidationError({"Upload-Offset": "Send the chunk's offset as a whole number."})
    raw_length = request.META.get("CONTENT_LENGTH") or ""
    return int(raw_offset), int(raw_length) if raw_length.isdigit() else None


def chunk_body(request: HttpRequest) -> Any:
    """The chunk's body as an object with ``read(n)``, never through ``request.body``.

    Under gunicorn, ``wsgi.input.read(n)`` gathers the body 1 KiB at a time (about 75 MB/s);
    its length reader underneath returns the same bytes from the same socket in large reads,
    so when nothing has been read yet the portal reads through it. Anything else (the test
    client, other servers) gets the request's own stream.
    """
    stream = request.META.get("wsgi.input")
    reader = getattr(stream, "reader", None)
    unreader = getattr(reader, "unreader", None)
    buffered = getattr(stream, "buf", None)
    if (type(stream).__module__.startswith("gunicorn.") and hasattr(reader, "length")
            and hasattr(unreader, "mxchunk") and buffered is not None and buffered.tell() == 0
            and not getattr(request, "_read_started", False)):
        unreader.mxchunk = max(unreader.mxchunk, 1 << 20)
        request._read_started = True  # type: ignore[attr-defined]
        return reader
    return request


def file_response(request: HttpRequest, actor: Membership, file: File) -> HttpResponse:
    """The file's plaintext, whole (200) or one byte range (206), streamed record by record."""
    try:
        byte_range = parse_range(request.headers.get("Range"), file.size)
    except RangeNotSatisfiable:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{file.size}"
        return response
    try:
        opened = open_file(actor, file, byte_range)
    except Tampered:
        return json_response({"detail": "The stored file failed its integrity check; nothing "
                                        "of it was served."}, 409)
    except KeysDestroyed:
        return json_response({"detail": DESTROYED}, 410)
    response = StreamingHttpResponse(opened.chunks, content_type="application/octet-stream",
                                     status=206 if byte_range else 200)
    response["Content-Length"] = str(opened.end - opened.start)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = content_disposition_header(True, file.name)
    response["ETag"] = f'"{file.sha256}"'
    if byte_range:
        response["Content-Range"] = f"bytes {opened.start}-{opened.end - 1}/{file.size}"
    else:
        digest = base64.b64encode(bytes.fromhex(file.sha256)).decode()
        response["Repr-Digest"] = f"sha-256=:{digest}:"
    return response
