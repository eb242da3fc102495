"""The platform staff's view of the outbox: every failed or waiting email, metadata only.
Anyone else gets the 404 a missing page gets. Organization administrators see their own
organization's deliveries on their mail sender page (comms)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from officium.mail import watch


def outbox(request: HttpRequest) -> HttpResponse:
    if not (request.user.is_authenticated and request.user.is_staff):
        raise Http404
    return render(request, "mail/outbox.html", {
        "failed": watch.failed(), "waiting": watch.waiting(), "counts": watch.counts()})
