"""SE1: a signed-in person sees every read of their sensitive data: who, when, why, what."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from officium.privacy.audit.models import AuditEntry
from officium.privacy.audit_events import SENSITIVE_READ
from officium.privacy.policy import dpv

PAGE_SIZE = 50


@login_required
def my_reads(request: HttpRequest) -> HttpResponse:
    entries = (AuditEntry.objects.filter(event=SENSITIVE_READ.name, subject_id=request.user.pk)
               .only("seq", "created_at", "actor_id", "organization_id", "details")
               .order_by("-seq"))
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    actors = {u.pk: u for u in get_user_model().objects.filter(
        pk__in={e.actor_id for e in page if e.actor_id})}
    rows = [{
        "when": e.created_at,
        "who": _name(actors.get(e.actor_id), e.actor_id),
        "purpose": e.details.get("purpose", ""),
        "categories": [dpv.label(c) for c in e.details.get("categories", [])],
    } for e in page]
    return render(request, "privacy/my_reads.html", {"rows": rows, "page": page})


def _name(user: object, actor_id: int | None) -> str:
    if user is None:
        return "A deleted account" if actor_id else "The system"
    return str(user)
