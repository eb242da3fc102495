"""Cookie consent and privacy signals on every request (CO2, CO3).

Request: reads the choice cookie, the GPC/DNT headers and, for a signed-in person carrying
an honoured GPC signal, saves the opt-out to the ledger (only when it changes something).
Response: drops any cookie outside "strictly necessary" the person has not accepted, and
sets or clears the first-party cookies of the categories they did accept.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from officium.privacy.consent import cookies, signals

logger = logging.getLogger(__name__)


def allowed_categories(request: HttpRequest) -> frozenset[str]:
    """The optional cookie categories this request may use."""
    override = getattr(request, "cookie_consent_override", None)
    if override is not None:
        return frozenset(override)
    if getattr(request, "privacy_signal", None):
        return frozenset()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from officium.privacy.consent.ledger import Subject
        from officium.privacy.consent.services import cookie_choices

        choices = cookie_choices(Subject.of(user))
        if choices is not None:
            return frozenset(k for k, v in choices.items() if v)
    choice = getattr(request, "cookie_choice", None)
    return choice.allowed if choice is not None else frozenset()


def needs_cookie_banner(request: HttpRequest) -> bool:
    if getattr(request, "cookie_choice", None) is not None:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from officium.privacy.consent.ledger import Subject
        from officium.privacy.consent.services import cookie_choices

        return cookie_choices(Subject.of(user)) is None
    return True


class ConsentSignalsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.cookie_choice = cookies.read_choice(request)  # type: ignore[attr-defined]
        signal = signals.opt_out_signal(request)
        request.privacy_signal = signal  # type: ignore[attr-defined]
        user: Any = getattr(request, "user", None)
        if signal == "gpc" and user is not None and user.is_authenticated:
            from officium.privacy.consent.services import apply_gpc

            apply_gpc(user)
        response = self.get_response(request)
        allowed = allowed_categories(request)
        dropped = cookies.drop_unconsented(response, allowed)
        if dropped:
            logger.warning("cookies dropped for lack of consent: %s", ", ".join(dropped))
        cookies.sync_category_cookies(request, response, allowed)
        return response
