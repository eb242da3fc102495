"""The privacy engine's own pages (namespace ``privacy``)."""

from django.urls import path

from officium.privacy.office import urls as office_urls
from officium.privacy.office import views as office_views
from officium.privacy.views import child_reports, disclosures, notice, versions

app_name = "privacy"

urlpatterns = [
    path("privacy/", notice.notice, name="notice"),
    path("privacy/notice.md", notice.notice_markdown, name="notice_markdown"),
    path("privacy/notice.json", notice.notice_json, name="notice_json"),
    path("privacy/ropa.csv", notice.ropa, {"fmt": "csv"}, name="ropa_csv"),
    path("privacy/ropa.json", notice.ropa, {"fmt": "json"}, name="ropa_json"),
    path("privacy/versions/", versions.version_list, name="versions"),
    path("privacy/versions/<int:version_id>/", versions.version_detail, name="version"),
    path("privacy/versions/<int:version_id>/decide/", versions.decide, name="decide"),
    path("privacy/my-reads/", office_views.my_reads, name="my_reads"),
    path("privacy/report-child/", child_reports.report_child, name="report_child"),
    path("o/<slug:org>/privacy/disclosures/", disclosures.DisclosuresView.as_view(),
         name="disclosures"),
    path("o/<slug:org>/privacy/child-reports/", child_reports.ChildReportsView.as_view(),
         name="child_reports"),
    path("o/<slug:org>/privacy/child-reports/<int:report_id>/",
         child_reports.ChildReportDecisionView.as_view(), name="child_report"),
    *office_urls.urlpatterns,
]
