"""Friendly pages for two refusals Django answers bare (UX3): a form whose CSRF check failed
(an old tab, cookies blocked) and a page asked with a method it does not take (405)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

API_PREFIX = "/api/"


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: what happened and what to do, never Django's debug text."""
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = ""
    return render(request, "403_csrf.html", {"back": back}, status=403)


class FriendlyMethodNotAllowed:
    """A page's bare 405 (``require_POST`` and the like) becomes a page that says what to do;
    the ``Allow`` header stays. /api/ answers are left to ``ApiErrorsAsJson``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (response.status_code != 405 or request.path.startswith(API_PREFIX)
                or request.method == "HEAD" or getattr(response, "streaming", False)
                or len(response.content) > 0):  # type: ignore[attr-defined]  # not streaming: has content
            return response
        page = render(request, "405.html", {"allowed": response.get("Allow", "")}, status=405)
        if "Allow" in response:
            page["Allow"] = response["Allow"]
        return page
