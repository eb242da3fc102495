"""The HTTP API (django-ninja): session or bearer-token authentication, OpenAPI at /api/docs.

Each app contributes one ``router`` in its own ``api.py``; handlers resolve the organization
through ``officium.accounts.scoping.membership_for``, exactly as pages do.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.security import APIKeyCookie, HttpBearer, django_auth


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from officium.accounts.models import ApiToken

        found = ApiToken.objects.select_related("user").filter(
            token_hash=ApiToken.hash(token), revoked_at=None, user__is_active=True).first()
        if found is None:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


def _auth() -> list[Any]:
    session: APIKeyCookie = django_auth
    return [TokenAuth(), session]


api = NinjaAPI(title="Officium API", version="1", auth=_auth(), urls_namespace="api")


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
    for module in ("privacy.api", "attendance.api", "portal.api", "comms.api", "fieldwork.api"):
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
