"""Consent pages: cookie choices (with and without JavaScript), the preferences page, receipts,
and /.well-known/gpc.json. Each parses, calls a service, answers."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from officium.privacy.consent import catalogue, cookies, ledger, services, signals
from officium.privacy.consent.ledger import Subject
from officium.privacy.consent.middleware import allowed_categories
from officium.privacy.consent.models import Method, State


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return default


def _error(request: HttpRequest, error: ValidationError, back: str) -> HttpResponse:
    detail = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    if _wants_json(request):
        return JsonResponse({"detail": detail}, status=400)
    return render(request, "consent/error.html", {"detail": detail, "back": back}, status=400)


@require_http_methods(["GET", "POST"])
def cookie_preferences(request: HttpRequest) -> HttpResponse:
    """GET: the categories and the current choice. POST: the banner or this page answers."""
    optional = [c for c in catalogue.cookie_categories() if c.kind != catalogue.STRICTLY_NECESSARY]
    if request.method == "GET":
        allowed = allowed_categories(request)
        return render(request, "consent/cookies.html", {
            "categories": catalogue.cookie_categories(), "optional": optional, "allowed": allowed,
            "signal": getattr(request, "privacy_signal", None), "next": _next(request, "/")})
    choice = request.POST.get("choice", "")
    kinds: list[str] = [c.kind for c in optional]
    if choice == "reject":
        accepted: list[str] = []
    elif choice == "accept_all":
        accepted = kinds
    elif choice.startswith("accept_"):
        accepted = [choice.removeprefix("accept_")]
    elif choice == "save":
        accepted = request.POST.getlist("category")
    else:
        return _error(request, ValidationError({"choice": "Choose reject, accept_all, "
                                                           "accept_<category> or save."}), "/privacy/cookies/")
    if getattr(request, "privacy_signal", None):
        accepted = []  # an honoured GPC/DNT signal keeps non-essential cookies off
    previous = getattr(request, "cookie_choice", None)
    visitor = previous.visitor_id if previous else cookies.new_visitor_id()
    subject = Subject.of(request.user) if request.user.is_authenticated else Subject(visitor_id=visitor)
    method = Method.PREFERENCE_PAGE if request.POST.get("source") == "page" else Method.BANNER
    try:
        written = services.set_cookie_choice(subject, accepted, method)
    except ValidationError as error:
        return _error(request, error, "/privacy/cookies/")
    choice_made = cookies.CookieChoice(visitor_id=visitor, allowed=frozenset(accepted))
    request.cookie_consent_override = choice_made.allowed  # type: ignore[attr-defined]
    if _wants_json(request):
        response: HttpResponse = JsonResponse({"accepted": sorted(accepted),
                                               "recorded": len(written)})
    else:
        messages.success(request, "Your cookie choice is saved.")
        response = HttpResponseRedirect(_next(request, "/"))
    cookies.write_choice(response, choice_made)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """Everything a person consented to, each withdrawable in one click from here (CO1)."""
    user = request.user
    if request.method == "POST":
        try:
            _apply(request, user)
        except ValidationError as error:
            return _error(request, error, ledger.PREFERENCES_PATH)
        if _wants_json(request):
            return JsonResponse({"ok": True})
        messages.success(request, "Your choice is saved.")
        return HttpResponseRedirect(_next(request, ledger.PREFERENCES_PATH))
    return render(request, "consent/preferences.html", _preferences_context(request, user))


def _apply(request: HttpRequest, user: Any) -> None:
    kind = request.POST.get("kind", "")
    action = request.POST.get("action", "")
    if kind == "sharing":
        if action != "opt_out":
            raise ValidationError({"action": "Only opt_out applies to sharing."})
        services.opt_out_of_sharing(Subject.of(user))
        return
    if kind == "new_purposes":
        services.give_purposes(user, request.POST.getlist("purpose"), Method.BANNER)
        return
    if action not in ("give", "withdraw", "opt_out", "opt_in"):
        raise ValidationError({"action": "Choose give or withdraw."})
    give = action in ("give", "opt_in")
    if kind == "purpose":
        services.set_purpose(user, request.POST.get("purpose", ""), give)
    elif kind == "channel":
        services.set_channel(Subject.of(user), request.POST.get("channel", ""), give)
    elif kind == "recipient":
        services.set_recipient(user, request.POST.get("recipient", ""), opt_out=not give)
    else:
        raise ValidationError({"kind": "Choose purpose, channel, recipient, sharing or new_purposes."})


def _preferences_context(request: HttpRequest, user: Any) -> dict[str, Any]:
    subject = Subject.of(user)
    states = ledger.current(subject)
    marketing = catalogue.marketing_purpose_id()
    cookie_purposes = {c.purpose for c in catalogue.cookie_categories() if c.purpose}
    purposes = [{"spec": p, "record": states.get((p.id, "")),
                 "given": getattr(states.get((p.id, "")), "state", None) == State.GIVEN}
                for p in catalogue.consent_purposes() if p.id not in cookie_purposes]
    channels = [{"id": c, "record": states.get((marketing, f"channel:{c}")),
                 "given": getattr(states.get((marketing, f"channel:{c}")), "state", None) == State.GIVEN}
                for c in catalogue.CHANNELS] if marketing else []
    opted_out = services.opted_out_recipients(subject)
    recipients = [{"spec": r, "opted_out": r.id in opted_out} for r in catalogue.opt_out_recipients()]
    return {
        "purposes": purposes, "channels": channels, "recipients": recipients,
        "sharing_on": services.sharing_on(subject) and not getattr(request, "privacy_signal", None),
        "signal": getattr(request, "privacy_signal", None),
        "gpc_honoured": signals.gpc_honoured(),
        "cookie_allowed": sorted(allowed_categories(request)),
        "new_purposes": services.purposes_to_ask(user),
        "history": list(subject.records().order_by("-pk")[:50]),
        "photo_purpose": catalogue.photo_purpose_id(),
    }


@require_GET
def receipts(request: HttpRequest) -> HttpResponse:
    """Each person's consent receipts as a JSON download (signed-in, or the cookie's visitor)."""
    if request.user.is_authenticated:
        subject = Subject.of(request.user)
    elif getattr(request, "cookie_choice", None) is not None:
        subject = Subject(visitor_id=request.cookie_choice.visitor_id)  # type: ignore[attr-defined]
    else:
        raise Http404("No consent records are linked to this browser.")
    response = HttpResponse(json.dumps(ledger.receipts(subject), indent=2),
                            content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="consent-receipts.json"'
    return response


@require_GET
def gpc_json(request: HttpRequest) -> HttpResponse:
    return JsonResponse(signals.gpc_document())
