"""The members' phone app (FW8): an installable PWA served by Officium at /app/.

The shell (page, script, manifest, icons) is cached by the service worker, so the app opens
offline; the day (tasks, forms, offers) is cached in IndexedDB; actions queue there with client
ids and replay through attendance's batch endpoint (``/api/attendance/device/events``) when the
connection returns. The phone authenticates with the device token a manager's connection code
pairs it with; no session cookie is used.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

SHELL_VERSION = "fw8-4"


@require_GET
def app(request: HttpRequest) -> HttpResponse:
    return render(request, "fieldwork/app.html", {"shell_version": SHELL_VERSION})


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    data = {
        "name": "Officium field app", "short_name": "Officium", "start_url": "/app/", "scope": "/app/",
        "display": "standalone", "background_color": "#ffffff", "theme_color": "#1f4e79",
        "description": "Your day: tasks, check-in, forms and job offers, also offline.",
        "icons": [{"src": static("fieldwork/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                  {"src": static("fieldwork/icon-512.png"), "sizes": "512x512", "type": "image/png",
                   "purpose": "any maskable"}],
    }
    return HttpResponse(json.dumps(data), content_type="application/manifest+json")


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    shell = ["/app/", static("fieldwork/app.js"), static("fieldwork/app.css"), "/app/manifest.webmanifest",
             static("fieldwork/icon-192.png")]
    body = render(request, "fieldwork/sw.js", {"shell": json.dumps(shell), "version": SHELL_VERSION}).content
    answer = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    answer["Cache-Control"] = "no-cache"
    answer["Service-Worker-Allowed"] = "/app/"
    return answer
