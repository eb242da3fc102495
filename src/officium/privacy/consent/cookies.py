"""Cookie consent (CO2): the choice cookie, and which categories a request may use.

The choice lives in ``ofc_consent``, a strictly necessary cookie: signed (it cannot be
forged into a consent), holding a random pseudonymous visitor id (the ledger subject of
an anonymous visitor) and the optional categories accepted. No other cookie outside
"strictly necessary" is set before consent: the middleware drops any that a response
would set without it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from officium.privacy.consent import catalogue

SALT = "officium.consent.cookie"
MAX_AGE = 60 * 60 * 24 * 180  # ask again after six months


def strictly_necessary_cookies() -> frozenset[str]:
    return frozenset({settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, "messages",
                      catalogue.CHOICE_COOKIE,
                      *getattr(settings, "OFFICIUM_STRICTLY_NECESSARY_COOKIES", ())})


def category_of_cookie(name: str) -> str | None:
    if name in strictly_necessary_cookies():
        return catalogue.STRICTLY_NECESSARY
    return next((kind for kind, cookie in catalogue.CATEGORY_COOKIES.items() if cookie == name),
                None)


@dataclass(frozen=True)
class CookieChoice:
    visitor_id: str
    allowed: frozenset[str] = field(default_factory=frozenset)


def new_visitor_id() -> str:
    return "v-" + secrets.token_urlsafe(18)


def read_choice(request: HttpRequest) -> CookieChoice | None:
    raw = request.COOKIES.get(catalogue.CHOICE_COOKIE)
    if not raw:
        return None
    try:
        data = signing.loads(raw, salt=SALT, max_age=MAX_AGE)
        visitor = str(data["v"])
        allowed = frozenset(str(k) for k in data.get("c", []))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if not visitor.startswith("v-") or len(visitor) > 64:
        return None
    return CookieChoice(visitor_id=visitor, allowed=allowed & set(catalogue.optional_cookie_kinds()))


def write_choice(response: HttpResponse, choice: CookieChoice) -> None:
    value = signing.dumps({"v": choice.visitor_id, "c": sorted(choice.allowed)}, salt=SALT,
                          compress=True)
    response.set_cookie(catalogue.CHOICE_COOKIE, value, max_age=MAX_AGE, httponly=True,
                        samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)


def sync_category_cookies(request: HttpRequest, response: HttpResponse, allowed: frozenset[str]) -> None:
    """Set the first-party cookie of each accepted category; delete those no longer accepted."""
    for kind, name in catalogue.CATEGORY_COOKIES.items():
        if kind in allowed and name not in request.COOKIES and name not in response.cookies:
            response.set_cookie(name, secrets.token_urlsafe(12), max_age=MAX_AGE,
                                samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
        elif kind not in allowed and name in request.COOKIES:
            response.delete_cookie(name, samesite="Lax")


def drop_unconsented(response: HttpResponse, allowed: frozenset[str]) -> list[str]:
    """Remove any cookie a response would set outside strictly necessary without consent."""
    dropped = []
    for name in list(response.cookies):
        morsel = response.cookies[name]
        if morsel["max-age"] == 0 or morsel.value == "" and morsel["expires"]:
            continue  # a deletion is always allowed
        kind = category_of_cookie(name)
        if kind == catalogue.STRICTLY_NECESSARY or (kind is not None and kind in allowed):
            continue
        del response.cookies[name]
        dropped.append(name)
    return dropped
