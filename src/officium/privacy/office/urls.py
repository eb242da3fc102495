"""The privacy office's pages (namespace ``privacy``, included by ``privacy/views/urls.py``)."""

from django.urls import path

from officium.privacy.office import views

urlpatterns = [
    path("o/<slug:org>/privacy/audit/", views.AuditLogView.as_view(), name="audit_log"),
    path("o/<slug:org>/privacy/audit.csv", views.AuditExportView.as_view(), name="audit_export"),
]
