"""Every published version stays readable (NO2); signed-in people accept or refuse one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from officium.privacy.models import PolicyVersion
from officium.privacy.notices import versions
from officium.privacy.policy import build_notice
from officium.privacy.policy.loader import active_policy


def version_list(request: HttpRequest) -> HttpResponse:
    profile = active_policy().profile
    return render(request, "privacy/versions.html", {
        "versions": PolicyVersion.objects.filter(profile=profile).order_by("-number")
        .only("id", "number", "revised", "posted_at", "effective_date", "material", "content_hash")})


def version_detail(request: HttpRequest, version_id: int) -> HttpResponse:
    version = get_object_or_404(PolicyVersion, pk=version_id)
    if request.GET.get("format") == "md":
        return HttpResponse(version.notice_markdown, content_type="text/markdown; charset=utf-8")
    try:
        notice = build_notice(versions.snapshot(version))
    except ValueError:  # written under an older schema: its Markdown is still exact
        notice = None
    return render(request, "privacy/version.html", {"version": version, "notice": notice})


@login_required
@require_POST
def decide(request: HttpRequest, version_id: int) -> HttpResponse:
    pending = versions.pending_version(request.user)
    if pending is None or pending.pk != version_id:
        raise Http404("No change is waiting for your answer.")
    try:
        versions.decide(request.user, pending, request.POST.get("decision", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("privacy:notice")
    if request.POST["decision"] == "accepted":
        messages.success(request, "Thank you: you accepted the new privacy notice.")
    else:
        messages.info(request, "You refused the new privacy notice. Your answer is recorded; "
                               "you can close your account or contact us at any time.")
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "/"
    return redirect(target or "/")
