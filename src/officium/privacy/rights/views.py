"""The privacy center (signed-in people) and the public request form (everyone else)."""

from __future__ import annotations

import json
import re
from datetime import UTC
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from officium.forms import apply_form_errors
from officium.privacy.rights import decisions, intake, rectification
from officium.privacy.rights.downloads import serve_export
from officium.privacy.rights.forms import (
    COUNTRIES,
    AccountRequestForm,
    CodeForm,
    PasswordForm,
    ProfileCorrectionForm,
    PublicRequestForm,
)
from officium.privacy.rights.models import ExportFile, RightsRequest
from officium.privacy.rights.records import record_types, rows
from officium.privacy.rights.verification import TooManyAttempts, recently_reauthenticated

VERIFIED_REFS = "officium.rights.verified_refs"
PAGE_ROWS = 50


def _own(request: HttpRequest, rights_request_id: int) -> RightsRequest:
    return get_object_or_404(RightsRequest, pk=rights_request_id, subject_ref=request.user.pk)


def _error_status(error: ValidationError) -> int:
    if isinstance(error, TooManyAttempts):
        return 429
    return 409 if isinstance(error, intake.DuplicateRequest) else 400


def _where(request: HttpRequest) -> tuple[str, str]:
    """The country (and region) whose rights the center offers: the one asked for, else the
    one the person gave last, else their organization's."""
    from officium.privacy.policy.geography import ISO_3166_1, is_place

    country = (request.POST.get("residence_country") or request.GET.get("country") or "").upper()
    region = (request.POST.get("residence_region") or request.GET.get("region") or "").upper()
    if country in ISO_3166_1:
        return country, (region if is_place(region) and region.startswith(f"{country}-") else "")
    last = (RightsRequest.objects.filter(subject_ref=request.user.pk).exclude(residence_country="")
            .order_by("-received_at").values_list("residence_country", "residence_region").first())
    if last is not None:
        return last[0], last[1]
    from officium.privacy import staff

    countries = [c for _, _, c in staff.organizations_of(request.user.pk or 0) if c in ISO_3166_1]
    return (countries[0], "") if countries else ("", "")


@login_required
def center(request: HttpRequest) -> HttpResponse:
    from officium.privacy.policy.loader import active_policy
    from officium.privacy.rights.cards import cards, place

    country, region = _where(request)
    offered = cards(active_policy(), country, region) if country else []
    chosen = request.GET.get("type", "")
    form = AccountRequestForm(request.POST or None, initial={
        "residence_country": country, "residence_region": region,
        "request_type": chosen if chosen in {c.request_type for c in offered} else ""})
    if request.method != "POST" and offered:
        # PV4: the form offers only what the policy gives this person (a POST keeps every type,
        # so a type not offered is answered with why, naming who the policy offers it to).
        form.fields["request_type"].choices = [  # type: ignore[attr-defined]  # ChoiceField
            (c.request_type, c.title) for c in offered]
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                filed = intake.file_for_account(
                    request.user, request_type=data["request_type"],
                    country=data["residence_country"], region=data["residence_region"],
                    details=data["details"], purposes=data["purposes"],
                    password=data["password"], session=request.session, request=request)
            except ValidationError as error:
                apply_form_errors(form, error)
                status = _error_status(error)
                if isinstance(error, intake.DuplicateRequest):
                    return redirect_with(request, error.existing, str(error.messages[0]), status)
            else:
                messages.success(request, f"Request {filed.ref} received.")
                return redirect("rights:center_request", rights_request_id=filed.pk)
        else:
            status = 400
    mine = RightsRequest.objects.filter(subject_ref=request.user.pk).order_by("-received_at")
    return render(request, "rights/center.html", {
        "form": form, "requests": mine, "reauthenticated": recently_reauthenticated(request.session),
        "controllers": _controllers(request.user.pk or 0), "cards": offered, "country": country,
        "region": region, "place": place(country, region), "countries": COUNTRIES[1:],
    }, status=status)


def _controllers(user_id: int) -> list[tuple[str, Any]]:
    """PV2: whom to write to: each organization the person belongs to (the controller for its
    members), with the contacts the policy or the organization gives."""
    from officium.privacy import staff
    from officium.privacy.office import controller
    from officium.privacy.policy.loader import active_policy

    policy = active_policy()
    found = [(name, controller.contacts(policy, org_id))
             for org_id, name, _ in staff.organizations_of(user_id)]
    return found or [("", controller.contacts(policy, None))]


def redirect_with(request: HttpRequest, existing: RightsRequest, text: str, status: int) -> HttpResponse:
    return render(request, "rights/duplicate.html", {"existing": existing, "text": text}, status=status)


@login_required
def center_request(request: HttpRequest, rights_request_id: int) -> HttpResponse:
    rights_request = _own(request, rights_request_id)
    form = PasswordForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            intake.verify_with_password(rights_request, request.user, form.cleaned_data["password"],
                                        request.session, web_request=request)
        except ValidationError as error:
            apply_form_errors(form, error)
            status = _error_status(error)
        else:
            return redirect("rights:center_request", rights_request_id=rights_request.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "rights/request.html", _detail_context(rights_request, form) | {
        "download_url": "rights:center_download", "public": False}, status=status)


def _detail_context(rights_request: RightsRequest, form: Any = None) -> dict[str, Any]:
    rights_request.refresh_from_db()
    return {"rights_request": rights_request, "form": form,
            "events": rights_request.events.select_related("actor"),
            "export": ExportFile.objects.filter(request=rights_request).first(),
            "data": _data_page(rights_request)}


_STAMP = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d")
_LABEL = re.compile(r"^[a-z_]+\.[A-Z]\w+$")


def _key(key: str) -> str:
    """A dict key in words; a model label ("attendance.LocationEvent") as its record type."""
    if _LABEL.match(key):
        from django.apps import apps

        try:
            return str(apps.get_model(key)._meta.verbose_name_plural).capitalize()
        except LookupError:
            return key
    return key.replace("_", " ")


def _zone(rights_request: RightsRequest) -> Any:
    from zoneinfo import ZoneInfo

    from officium.privacy import staff

    if rights_request.organization_id is None:
        return ZoneInfo("UTC")
    zones = staff.organization_zones({rights_request.organization_id})
    return zones.get(rights_request.organization_id, ZoneInfo("UTC"))


def _data_page(rights_request: RightsRequest) -> list[dict[str, Any]]:
    """RI1's page: the first rows of each record type (the file holds them all)."""
    from officium.privacy.rights.answers import subject_of

    if rights_request.request_type not in ("access", "ccpa_know_pieces") or \
            rights_request.status != "completed" or rights_request.subject_ref is None:
        return []
    subject = subject_of(rights_request)
    zone = _zone(rights_request)
    found = []
    for record_type in record_types():
        got = rows(record_type, subject)
        if got:
            found.append({"label": record_type.title, "columns": record_type.headings,
                          "rows": [[plain(v, zone) for v in row] for row in got[:PAGE_ROWS]],
                          "total": len(got)})
    return found


def plain(value: Any, zone: Any) -> str:
    """PV4: a stored value as a person reads it: no None, no True/False, no dict or list
    syntax, times in local time with their zone."""
    from datetime import date, datetime

    from officium.privacy.policy import dpv

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        local = value.astimezone(zone)
        return f"{local:%d %b %Y %H:%M} {local.tzname()}"
    if isinstance(value, date):
        return f"{value:%d %b %Y}"
    if isinstance(value, str) and value[:1] in "{[" and value[-1:] in "}]":
        try:
            return plain(json.loads(value), zone)  # a JSON column read as its text
        except ValueError:
            return value
    if isinstance(value, str) and _STAMP.match(value):
        try:
            parsed = datetime.fromisoformat(value.replace(" ", "T", 1))
        except ValueError:
            return value
        return plain(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC), zone)
    if isinstance(value, dict):
        return "; ".join(f"{_key(str(k))}: {plain(v, zone)}" for k, v in value.items()) or "—"
    if isinstance(value, (list, tuple)):
        return ", ".join(plain(v, zone) for v in value) or "—"
    if isinstance(value, str) and _LABEL.match(value):
        return _key(value)
    if isinstance(value, str) and value.startswith("pd:") and dpv.is_term(value):
        return dpv.label(value)
    return str(value)


@login_required
def center_status(request: HttpRequest, rights_request_id: int) -> HttpResponse:
    rights_request = _own(request, rights_request_id)
    return JsonResponse({"status": rights_request.status, "progress": rights_request.progress})


@login_required
def center_download(request: HttpRequest, rights_request_id: int) -> HttpResponseBase:
    return serve_export(_own(request, rights_request_id), request.user.pk)


@login_required
@require_POST
def center_withdraw(request: HttpRequest, rights_request_id: int) -> HttpResponse:
    rights_request = _own(request, rights_request_id)
    try:
        decisions.withdraw(request.user, rights_request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("rights:center_request", rights_request_id=rights_request.pk)


@login_required
def correct_profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {f: getattr(user, f) for f in rectification.SELF_SERVICE_FIELDS}
    form = ProfileCorrectionForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                done = rectification.correct_own_profile(
                    user, {f: data[f] for f in rectification.SELF_SERVICE_FIELDS},
                    password=data["password"], session=request.session,
                    country=data["residence_country"], request=request)
            except ValidationError as error:
                apply_form_errors(form, error)
                status = _error_status(error)
            else:
                messages.success(request, "Your profile is corrected." if done else "Nothing changed.")
                return redirect("rights:center")
        else:
            status = 400
    return render(request, "rights/correct.html", {"form": form}, status=status)


def public_form(request: HttpRequest) -> HttpResponse:
    form = PublicRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                filed = intake.file_public(
                    email=data["email"], request_type=data["request_type"],
                    country=data["residence_country"], region=data["residence_region"],
                    details=data["details"], purposes=data["purposes"])
            except ValidationError as error:
                apply_form_errors(form, error)
                status = _error_status(error)
            else:
                messages.success(request, "We emailed you a code: enter it to confirm the request.")
                return redirect("rights:public_request", rights_ref=filed.ref)
        else:
            status = 400
    return render(request, "rights/public_form.html", {"form": form}, status=status)


def _public(rights_ref: str) -> RightsRequest:
    found = RightsRequest.objects.filter(ref=rights_ref).first()
    if found is None or len(rights_ref) != 16:
        raise Http404
    return found


def public_request(request: HttpRequest, rights_ref: str) -> HttpResponse:
    """Enter the emailed code; once verified in this browser, see the answer."""
    rights_request = _public(rights_ref)
    verified = rights_ref in request.session.get(VERIFIED_REFS, [])
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "resend":
            try:
                intake.resend_code(rights_request)
                messages.success(request, "We emailed you a new code.")
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            return redirect("rights:public_request", rights_ref=rights_ref)
        if form.is_valid():
            try:
                intake.verify_with_code(rights_request, form.cleaned_data["code"])
            except ValidationError as error:
                apply_form_errors(form, error)
                status = _error_status(error)
            else:
                request.session[VERIFIED_REFS] = [*request.session.get(VERIFIED_REFS, []), rights_ref]
                return redirect("rights:public_request", rights_ref=rights_ref)
        else:
            status = 400
    context = _detail_context(rights_request, form) if verified else {
        "rights_request": rights_request, "form": form}
    return render(request, "rights/public_request.html", context | {"verified": verified},
                  status=status)


def public_download(request: HttpRequest, rights_ref: str) -> HttpResponseBase:
    rights_request = _public(rights_ref)
    if rights_ref not in request.session.get(VERIFIED_REFS, []):
        raise Http404
    return serve_export(rights_request, None)
