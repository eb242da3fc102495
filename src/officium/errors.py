"""Domain errors that reach a person: each carries an HTTP status and a stable code.

This module sits below the engine and the apps (it imports only Django), so any layer can
raise an ``OfficiumError`` and know how it will be answered: the API turns every exception
into JSON ``{"code", "message", "field"}`` in one place (``officium.api.error_answer``), and a
page shows the message on its form. The codes are part of the API's contract (Saleor's
``ErrorCode`` idea): clients branch on ``code``, never on the wording of ``message``.

A ``ValidationError`` subclass that needs another status or code than 400 ``invalid``
(a duplicate request, too many attempts) sets the same two class attributes,
``http_status`` and ``error_code``, and may define ``error_extra()``; pages keep catching it
as the ``ValidationError`` it is.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar


class ErrorCode(StrEnum):
    """Every ``code`` an /api/ error answer may carry."""

    INVALID = "invalid"
    MALFORMED_BODY = "malformed_body"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    TOO_LARGE = "too_large"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    CONFLICT = "conflict"
    DUPLICATE_REQUEST = "duplicate_request"
    UPLOAD_OFFSET_MISMATCH = "upload_offset_mismatch"
    INTEGRITY_FAILED = "integrity_failed"
    KEYS_DESTROYED = "keys_destroyed"
    RANGE_NOT_SATISFIABLE = "range_not_satisfiable"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    THROTTLED = "throttled"
    PAYMENT_REFUSED = "payment_refused"
    SERVER_ERROR = "server_error"


# The code a bare HTTP status stands for, when nothing more specific is known.
STATUS_CODES: dict[int, ErrorCode] = {
    400: ErrorCode.INVALID, 401: ErrorCode.UNAUTHENTICATED, 403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND, 405: ErrorCode.METHOD_NOT_ALLOWED, 409: ErrorCode.CONFLICT,
    410: ErrorCode.KEYS_DESTROYED, 413: ErrorCode.TOO_LARGE,
    415: ErrorCode.UNSUPPORTED_MEDIA_TYPE, 416: ErrorCode.RANGE_NOT_SATISFIABLE,
    402: ErrorCode.PAYMENT_REFUSED, 429: ErrorCode.THROTTLED,
}

STATUS_MESSAGES: dict[int, str] = {
    400: "The request is not valid.",
    401: "Sign in or send a valid token.",
    403: "You are not allowed to do this.",
    404: "Not found.",
    405: "This method is not allowed here.",
    413: "The request body is too large.",
    415: "Send the body as application/json.",
    429: "Too many requests; try again later.",
    500: "Something went wrong on our side; nothing was changed by the failed step.",
}


def code_for_status(status: int) -> ErrorCode:
    if status >= 500:
        return ErrorCode.SERVER_ERROR
    return STATUS_CODES.get(status, ErrorCode.INVALID)


def error_body(code: str, message: str, field: str | None = None,
               **extra: Any) -> dict[str, Any]:
    """The one shape of an error answer."""
    return {"code": str(code), "message": message, "field": field, **extra}


class OfficiumError(Exception):
    """A refusal a person should see: ``http_status`` and ``error_code`` say how it is answered.

    ``field`` names the input at fault (``None`` when it is the request as a whole);
    ``extra`` adds keys to the answer (``offset`` of an upload, ``existing`` request);
    ``headers`` are sent with it (``Upload-Offset``, ``Content-Range``).
    """

    http_status: ClassVar[int] = 400
    error_code: ClassVar[str] = ErrorCode.INVALID
    default_message: ClassVar[str] = "The request is not valid."

    def __init__(self, message: str = "", *, field: str | None = None,
                 extra: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> None:
        self.message = message or self.default_message
        self.field = field
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})
        super().__init__(self.message)

    def error_extra(self) -> dict[str, Any]:
        return self.extra


class MalformedBody(OfficiumError):
    """The body cannot be read as the JSON it claims to be (bad UTF-8, a lone surrogate)."""

    error_code = ErrorCode.MALFORMED_BODY
    default_message = "The body is not valid JSON."


class UnsupportedMediaType(OfficiumError):
    http_status = 415
    error_code = ErrorCode.UNSUPPORTED_MEDIA_TYPE
    default_message = "Send the body as application/json."
