"""The public privacy notice (NO1) in HTML, Markdown and JSON, and the record of processing.

Everything is rendered from the active policy; nothing here needs an account. The record of
processing (ROPA) is public too: it lists categories, purposes and code fields, never a
person's data, and publishing it is part of showing the notice promises only what runs.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from officium.privacy.notices import versions
from officium.privacy.notices.registry_rows import registry_rows
from officium.privacy.policy import build_notice, render_markdown, ropa_csv, ropa_json
from officium.privacy.policy.loader import active_policy


def notice(request: HttpRequest) -> HttpResponse:
    policy = active_policy()
    return render(request, "privacy/notice.html", {
        "notice": build_notice(policy), "version": versions.current_version(),
        "age": policy.age})


def notice_markdown(request: HttpRequest) -> HttpResponse:
    return HttpResponse(render_markdown(active_policy()), content_type="text/markdown; charset=utf-8")


def notice_json(request: HttpRequest) -> HttpResponse:
    return JsonResponse(build_notice(active_policy()), json_dumps_params={"ensure_ascii": False})


def ropa(request: HttpRequest, fmt: str) -> HttpResponse:
    policy = active_policy()
    rows = registry_rows(policy)
    if fmt == "json":
        return HttpResponse(ropa_json(policy, rows), content_type="application/json")
    response = HttpResponse(ropa_csv(policy, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ropa-{policy.profile}.csv"'
    return response
