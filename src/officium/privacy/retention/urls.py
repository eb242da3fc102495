from django.urls import path

from officium.privacy.retention import views

app_name = "retention"

urlpatterns = [
    path("o/<slug:org>/privacy/holds/", views.HoldsView.as_view(), name="holds"),
    path("o/<slug:org>/privacy/holds/<int:hold_id>/release/", views.ReleaseHoldView.as_view(),
         name="release_hold"),
]
