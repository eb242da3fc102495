"""Two answers fixed for every route, whoever produced them.

``HeadWithoutBody``: a HEAD answer carries headers only. gunicorn sends whatever body a
response has, even to HEAD, and a keep-alive client then reads those bytes as the start of its
next answer; Django's own test client and development server hide this by stripping the body
themselves. The headers (``Content-Length`` included) stay those the GET would have. On /api/
a HEAD is routed as the GET it mirrors (ninja routes by declared method only).

``ApiErrorsAsJson``: every /api/ answer is JSON. The API's handlers already answer errors
through ``officium.api.error_answer``; what reaches here non-JSON comes from outside them (an
unknown /api/ path's 404 from the URL resolver, ninja's 405 for a method a path lacks, a bare
416, Django's own 400/413/500 pages) and is given the same ``{"code", "message", "field"}``
body, keyed on its status.

``ReadWholeRequest``: a request's body is read before its answer goes out, whether or not the
view read it (an answer refused before the body mattered: a wrong token, a 405). gunicorn's
threaded worker otherwise reads the rest only when it next sees the connection readable, and
takes it for the start of the next request: if the body arrived after the answer (a client
sends the headers and the body in two writes), the thread then waits on that connection until
the client sends again, and a few such idle clients leave no thread for anyone else. Bodies up
to ``DRAIN_LIMIT`` are read (the API's own bounds are far below); a larger one is left to
gunicorn, as before.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from officium.errors import STATUS_MESSAGES, code_for_status, error_body

API_PREFIX = "/api/"
_KEPT_HEADERS = ("Allow", "Retry-After", "Content-Range", "WWW-Authenticate", "Upload-Offset")


class HeadWithoutBody:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method == "HEAD" and request.path.startswith(API_PREFIX):
            # ninja routes by declared method only: HEAD is answered as the GET it stands for
            # (RFC 9110 9.3.2), as Django's class-based pages already do.
            request.method = "GET"
            try:
                response = self.get_response(request)
            finally:
                request.method = "HEAD"
        else:
            response = self.get_response(request)
        if request.method == "HEAD":
            if response.streaming:
                # The old iterator's close() is already registered with the response, so a
                # file or stream it holds is still released when the server closes it.
                response.streaming_content = []  # type: ignore[attr-defined]
            else:
                length = response.get("Content-Length")
                response.content = b""  # type: ignore[attr-defined]
                if length is not None:
                    response["Content-Length"] = length
        return response


def _is_json(response: HttpResponseBase) -> bool:
    content_type = (response.get("Content-Type") or "").split(";", 1)[0].strip().lower()
    return content_type == "application/json" or content_type.endswith("+json")


class ApiErrorsAsJson:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (response.status_code < 400 or not request.path.startswith(API_PREFIX)
                or _is_json(response)):
            return response
        status = response.status_code
        message = STATUS_MESSAGES.get(status) or STATUS_MESSAGES[500 if status >= 500 else 400]
        answer = HttpResponse(json.dumps(error_body(code_for_status(status), message)),
                              status=status, content_type="application/json")
        for name in _KEPT_HEADERS:
            if name in response:
                answer[name] = response[name]
        # Not response.close(): that signals the end of the request (Django then closes the
        # database connection); the replaced answer holds no resource of its own.
        return answer


DRAIN_LIMIT = 1 << 20
"""Bytes of an unread request body read before the answer (a larger rest is left to gunicorn)."""
_DRAIN_CHUNK = 64 << 10


class ReadWholeRequest:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        meta = request.META
        stream: Any = meta.get("wsgi.input")
        if (type(stream).__module__.startswith("gunicorn.")
                and (meta.get("CONTENT_LENGTH") not in (None, "", "0") or "HTTP_TRANSFER_ENCODING" in meta)):
            # gunicorn's own body stream: it counts what is left, whoever read it (Django's
            # stream, or the portal reading the socket itself), and gives b"" at the end.
            left = DRAIN_LIMIT
            while left > 0:
                piece = stream.read(min(_DRAIN_CHUNK, left))
                if not piece:
                    break
                left -= len(piece)
        return response
