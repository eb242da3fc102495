"""``/healthz``, ``/readyz`` and ``/metrics``: answers for load balancers and Prometheus.

They carry no session, no person and no id. ``/metrics`` exists only when
``OFFICIUM_METRICS_TOKEN`` is set (else 404) and answers only a request bearing that token;
bind it to an internal address in front of the server as well if you can.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST

from officium.ops import health, metrics


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Nothing else is touched, so a slow database never makes
    an orchestrator restart a healthy process."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: each dependency named with ``ok`` or its failure; 503 when one fails."""
    results = health.readiness()
    ready = all(result.ok for result in results)
    body = {"status": "ok" if ready else "unavailable",
            "checks": {r.name: ({"ok": True} if r.ok else {"ok": False, "error": r.error})
                       for r in results}}
    return JsonResponse(body, status=200 if ready else 503)


@never_cache
@require_safe
def prometheus(request: HttpRequest) -> HttpResponse:
    token = settings.OFFICIUM_METRICS_TOKEN
    if not token:
        raise Http404("metrics are off")
    offered = request.headers.get("Authorization", "")
    scheme, _, value = offered.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), token.encode()):
        response = HttpResponse("a bearer token is required\n", status=401,
                                content_type="text/plain; charset=utf-8")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)
