"""The HTTP API (django-ninja): session or bearer-token authentication, OpenAPI at /api/docs.

Each app contributes one ``router`` in its own ``api.py``; handlers resolve the organization
through ``officium.accounts.scoping.membership_for``, exactly as pages do.

Errors have one way out: ``OfficiumAPI.on_exception`` sends every exception a handler raises
(domain errors, Django's ValidationError / PermissionDenied / Http404, ninja's request
validation and authentication errors, and anything unexpected) through ``error_answer``,
which makes the JSON ``{"code", "message", "field"}`` answer; the OpenAPI document describes
that answer (``Error``) on every operation. Request bodies are read by ``JsonParser``: JSON
only (415 for another media type), strict UTF-8, and no string may hold a lone surrogate or
NUL (neither can be stored), so no handler ever sees one.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from typing import Any

from django.core import signals
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    ValidationError,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Schema, Swagger
from ninja import errors as ninja_errors
from ninja.parser import Parser
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from officium.errors import (
    STATUS_MESSAGES,
    ErrorCode,
    MalformedBody,
    OfficiumError,
    UnsupportedMediaType,
    code_for_status,
    error_body,
)

logger = logging.getLogger("officium.api")

TOKEN_USE_GRANULARITY = timedelta(minutes=1)


# --- request bodies ----------------------------------------------------------------------

_SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")


def _is_json(content_type: str) -> bool:
    main = content_type.split(";", 1)[0].strip().lower()
    return main == "application/json" or (main.startswith("application/") and main.endswith("+json"))


def _bad_string(value: str) -> bool:
    if "\x00" in value:
        return True
    return any("\ud800" <= c <= "\udfff" for c in value)


def _find_bad_string(data: Any, path: tuple[str, ...] = ()) -> tuple[str, ...] | None:
    """The path of the first string (key or value) holding a lone surrogate or NUL."""
    if isinstance(data, str):
        return path if _bad_string(data) else None
    if isinstance(data, dict):
        for key, value in data.items():
            if _bad_string(key):
                return (*path, key.encode("utf-8", "replace").decode())
            found = _find_bad_string(value, (*path, key))
            if found is not None:
                return found
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found = _find_bad_string(value, (*path, str(index)))
            if found is not None:
                return found
    return None


class JsonParser(Parser):
    """JSON bodies only, strict UTF-8, no string that cannot be stored.

    ``json.loads`` on bytes decodes with ``surrogatepass`` and turns ``"\\ud800"`` into a lone
    surrogate; PostgreSQL refuses NUL. Either would fail later, deep in a service or the
    database, as a 500: here they are a 400 naming the field. Raw bytes are decoded strictly
    first; the escapes that could produce such a string are looked for in the text, and only
    when one is present is the decoded document walked to name the field.
    """

    def parse_body(self, request: HttpRequest) -> Any:
        content_type = request.META.get("CONTENT_TYPE", "")
        if content_type and not _is_json(content_type):
            raise UnsupportedMediaType()
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedBody("The body is not valid UTF-8.") from None
        try:
            data = json.loads(text)
        except ValueError as error:
            raise MalformedBody(f"The body is not valid JSON: {error}.") from None
        if _SUSPECT_ESCAPE.search(text):
            path = _find_bad_string(data)
            if path is not None:
                raise MalformedBody("The text holds a NUL or an unpaired surrogate character.",
                                    field=".".join(path) or None)
        return data


# --- errors ------------------------------------------------------------------------------

class FieldError(Schema):
    field: str | None
    message: str


class Error(Schema):
    """Every error answer of the API. ``code`` is stable (``officium.errors.ErrorCode``);
    ``field`` names the input at fault, or is null; ``errors`` lists every field at fault.
    Some answers add keys: ``offset`` (an upload's confirmed offset), ``existing`` (the open
    request a duplicate points to)."""

    code: str
    message: str
    field: str | None = None
    errors: list[FieldError] = []


def _validation_fields(error: ValidationError) -> list[tuple[str | None, str]]:
    if hasattr(error, "error_dict"):
        return [(None if name == NON_FIELD_ERRORS else name, message)
                for name, messages in error.message_dict.items() for message in messages]
    return [(None, message) for message in error.messages]


def _ninja_fields(error: ninja_errors.ValidationError) -> list[tuple[str | None, str]]:
    """ninja's ``loc`` is (source, [body parameter,] field, ...): keep the field's path."""
    fields: list[tuple[str | None, str]] = []
    for item in error.errors:
        loc = [str(part) for part in item.get("loc", ())]
        rest = loc[2:] if loc[:1] == ["body"] and len(loc) > 2 else loc[1:]
        message = str(item.get("msg", "Invalid value."))
        message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
        fields.append((".".join(rest) or (loc[0] if loc else None), message))
    return fields


def _answer(status: int, code: str, fields: list[tuple[str | None, str]],
            extra: dict[str, Any] | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any], dict[str, str]]:
    field, message = fields[0] if fields else (None, STATUS_MESSAGES.get(status, "Refused."))
    body = error_body(code, message, field, **(extra or {}))
    if len(fields) > 1 or field is not None:
        body["errors"] = [{"field": f, "message": m} for f, m in fields]
    return status, body, headers or {}


def error_answer(exc: BaseException) -> tuple[int, dict[str, Any], dict[str, str]] | None:
    """(status, JSON body, headers) for an exception; None when it is unexpected (a 500)."""
    if isinstance(exc, ninja_errors.HttpError) and isinstance(
            exc.__cause__, OfficiumError | SuspiciousOperation):
        exc = exc.__cause__  # ninja wraps what the body parser raised
    if isinstance(exc, OfficiumError):
        return _answer(exc.http_status, exc.error_code, [(exc.field, exc.message)],
                       exc.error_extra(), exc.headers)
    if isinstance(exc, ValidationError):
        extra = exc.error_extra() if hasattr(exc, "error_extra") else None
        return _answer(getattr(exc, "http_status", 400),
                       getattr(exc, "error_code", ErrorCode.INVALID), _validation_fields(exc), extra)
    if isinstance(exc, ninja_errors.ValidationError):
        return _answer(400, ErrorCode.INVALID, _ninja_fields(exc))
    if isinstance(exc, ninja_errors.Throttled):
        headers = {"Retry-After": str(exc.wait)} if exc.wait else {}
        return _answer(429, ErrorCode.THROTTLED, [], headers=headers)
    if isinstance(exc, ninja_errors.AuthenticationError):
        return _answer(401, ErrorCode.UNAUTHENTICATED, [])
    if isinstance(exc, ninja_errors.HttpError):
        return _answer(exc.status_code, code_for_status(exc.status_code), [(None, exc.message)])
    if isinstance(exc, PermissionDenied):
        return _answer(403, ErrorCode.FORBIDDEN, [(None, str(exc) or STATUS_MESSAGES[403])])
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        return _answer(404, ErrorCode.NOT_FOUND, [])  # never the exception's text
    if isinstance(exc, RequestDataTooBig):
        return _answer(413, ErrorCode.TOO_LARGE, [])
    if isinstance(exc, SuspiciousOperation):
        return _answer(400, ErrorCode.INVALID, [])
    return None


ERROR_RESPONSES = {
    "4XX": "The request was refused: the JSON names the code, the message and the field.",
    "5XX": "A failure on the server's side (JSON, without details).",
}


HOT_ROUTES = ("attendance/device/", "fieldwork/device/")
"""The API's most frequent requests (a phone's check-ins, syncs and day), resolved first."""


class OfficiumAPI(NinjaAPI):
    """NinjaAPI with Officium's one error mapping and documented error answers."""

    def on_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse:  # type: ignore[override]
        answer = error_answer(exc)
        if answer is None:
            # Logged and reported like Django reports an unhandled exception (the test client
            # re-raises it); the answer itself carries no detail.
            logger.error("Unhandled error in %s %s", request.method, request.path,
                         exc_info=(type(exc), exc, exc.__traceback__))
            signals.got_request_exception.send(sender=type(self), request=request)
            answer = (500, error_body(ErrorCode.SERVER_ERROR, STATUS_MESSAGES[500]), {})
        status, body, headers = answer
        response = self.create_response(request, body, status=status)
        for name, value in headers.items():
            response[name] = value
        return response

    def _get_urls(self) -> list[Any]:
        """Ninja's URL patterns with the phones' endpoints first: Django tries patterns in
        order, and a device's check-in or sync, the most frequent requests, would otherwise be
        matched against some fifty patterns before its own. A pattern moves only when no
        pattern before it matches its route (so no request resolves differently)."""
        patterns: list[Any] = super()._get_urls()
        hot = []
        for index, pattern in enumerate(patterns):
            route = str(pattern.pattern)
            if route.startswith(HOT_ROUTES) and not any(
                    earlier.pattern.match(route) for earlier in patterns[:index] if earlier not in hot):
                hot.append(pattern)
        return hot + [pattern for pattern in patterns if pattern not in hot]

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        error_schema = Error.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(error_schema.pop("$defs", {}))
        components["Error"] = error_schema
        reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for key, description in ERROR_RESPONSES.items():
                    responses.setdefault(key, {"description": description, "content": reference})
        return schema


# --- authentication ----------------------------------------------------------------------

def _tenant_gate(request: HttpRequest, user: Any) -> Any:
    """Refuse, before any input is parsed, a route whose ``org`` the user is not a member of.

    The answer is the same 404 as for an organization that does not exist.
    """
    match = getattr(request, "resolver_match", None)
    org = match.kwargs.get("org") if match is not None else None
    if user is not None and org is not None:
        from officium.accounts.scoping import resolve_membership

        if resolve_membership(request, user, org) is None:  # the handler reuses it
            raise Http404
    return user


class SessionAuth(NinjaSessionAuth):
    """Django's session (CSRF-checked by ninja), plus the tenant gate."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return _tenant_gate(request, user) if user else None


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from officium.accounts.models import ApiToken

        found = ApiToken.objects.select_related("user").filter(
            token_hash=ApiToken.hash(token), revoked_at=None, user__is_active=True).first()
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > TOKEN_USE_GRANULARITY:
            # "Last used" to the minute: a client streaming an upload must not write per request.
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return _tenant_gate(request, found.user)


# The docs page loads Swagger UI from ninja's own static files ("ninja" is an installed app):
# the CSP allows scripts from 'self' only, and no request leaves for another origin.
api = OfficiumAPI(title="Officium API", version="1", auth=[TokenAuth(), SessionAuth()],
                  urls_namespace="api", parser=JsonParser(),
                  docs=Swagger(settings={"validatorUrl": None}))


def _mount() -> None:
    from officium.accounts.api import router as accounts_router

    api.add_router("/", accounts_router)
    for module in ("privacy.api", "attendance.api", "workforce.api", "portal.api", "comms.api", "fieldwork.api",
                   "notifications.api", "billing.api"):
        _mount_optional(module)


def _mount_optional(module: str) -> None:
    """Apps built later add their router by defining ``router`` in their api module."""
    import importlib

    try:
        imported = importlib.import_module(f"officium.{module}")
    except ModuleNotFoundError as error:
        if error.name != f"officium.{module}":
            raise
        return
    prefix = "/" + module.split(".")[0] + "/"
    api.add_router(prefix, imported.router)


_mount()
