"""The project's URLs plus the legal-holds pages, until privacy/urls.py includes them."""

from django.urls import include, path

from officium.urls import urlpatterns as project_urlpatterns

urlpatterns = [*project_urlpatterns, path("", include("officium.privacy.retention.urls"))]
