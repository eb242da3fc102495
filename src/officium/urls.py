"""The URL conf. Every pattern here is requested by the cross-tenant test (tests/test_tenancy.py)."""

from django.urls import include, path

from officium.api import api

urlpatterns = [
    path("api/", api.urls),
    path("", include("officium.ops.urls")),
    path("", include("officium.accounts.urls")),
]

# Apps built later add pages by defining ``urlpatterns`` in their urls module.
for _module in ("privacy.urls", "attendance.urls", "workforce.urls", "portal.urls", "comms.urls",
                "fieldwork.urls", "mail.urls", "notifications.urls", "billing.urls", "operator.urls",
                "onboarding.urls"):
    try:
        urlpatterns.append(path("", include(f"officium.{_module}")))
    except ModuleNotFoundError as _error:
        if _error.name != f"officium.{_module}":
            raise
