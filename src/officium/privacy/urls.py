from django.urls import include, path

urlpatterns = [
    path("", include("officium.privacy.consent.urls")),
    path("", include("officium.privacy.views.urls")),  # notice, versions, ROPA, SE1, PU4, NO4
    path("", include("officium.privacy.rights.urls")),  # privacy center, requests, officer queue
    path("", include("officium.privacy.retention.urls")),  # legal holds
]
