"""The HTTP API (django-ninja): session or bearer-token authentication, OpenAPI at /api/docs.

Each app contributes one ``router`` in its own ``api.py``; handlers resolve the organization
through ``officium.accounts.scoping.membership_for``, exactly as pages do.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

TOKEN_USE_GRANULARITY = timedelta(minutes=1)


def _tenant_gate(request: HttpRequest, user: Any) -> Any:
    """Refuse, before any input is parsed, a route whose ``org`` the user is not a member of.

    The answer is the same 404 as for an organization that does not exist.
    """
    match = getattr(request, "resolver_match", None)
    org = match.kwargs.get("org") if match is not None else None
    if user is not None and org is not None:
        from officium.accounts.scoping import resolve_membership

        if resolve_membership(request, user, org) is None:  # the handler reuses it
            raise Http404
    return user


class SessionAuth(NinjaSessionAuth):
    """Django's session (CSRF-checked by ninja), plus the tenant gate."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return _tenant_gate(request, user) if user else None


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from officium.accounts.models import ApiToken

        found = ApiToken.objects.select_related("user").filter(
            token_hash=ApiToken.hash(token), revoked_at=None, user__is_active=True).first()
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > TOKEN_USE_GRANULARITY:
            # "Last used" to the minute: a client streaming an upload must not write per request.
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return _tenant_gate(request, found.user)


api = NinjaAPI(title="Officium API", version="1", auth=[TokenAuth(), SessionAuth()],
               urls_namespace="api")


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": detail}, status=400)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Not allowed."}, status=403)


def _mount() -> None:
    from officium.accounts.api import router as accounts_router

    api.add_router("/", accounts_router)
    for module in ("privacy.api", "attendance.api", "workforce.api", "portal.api", "comms.api", "fieldwork.api"):
        _mount_optional(module)


def _mount_optional(module: str) -> None:
    """Apps built later add their router by defining ``router`` in their api module."""
    import importlib

    try:
        imported = importlib.import_module(f"officium.{module}")
    except ModuleNotFoundError as error:
        if error.name != f"officium.{module}":
            raise
        return
    prefix = "/" + module.split(".")[0] + "/"
    api.add_router(prefix, imported.router)


_mount()
