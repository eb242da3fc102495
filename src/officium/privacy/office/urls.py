"""The privacy office's pages (namespace ``privacy``, included by ``privacy/views/urls.py``)."""

from django.urls import path

from officium.privacy.office import views

urlpatterns = [
    path("o/<slug:org>/privacy/audit/", views.AuditLogView.as_view(), name="audit_log"),
    path("o/<slug:org>/privacy/audit.csv", views.AuditExportView.as_view(), name="audit_export"),
    path("o/<slug:org>/privacy/breaches/", views.BreachesView.as_view(), name="breaches"),
    path("o/<slug:org>/privacy/breaches/<int:breach_id>/", views.BreachView.as_view(),
         name="breach"),
    path("o/<slug:org>/privacy/controller/", views.ControllerContactView.as_view(),
         name="controller_contact"),
    path("o/<slug:org>/privacy/ropa.json", views.OrganizationRopaView.as_view(), name="org_ropa"),
    path("o/<slug:org>/privacy/data-map/", views.DataMapView.as_view(), name="data_map"),
    path("o/<slug:org>/privacy/releases/", views.ReleasesView.as_view(), name="releases"),
    path("privacy/statistics/", views.public_releases, name="public_releases"),
]
