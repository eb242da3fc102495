from django.urls import path

from officium.attendance import views

app_name = "attendance"

urlpatterns = [
    path("o/<slug:org>/attendance/", views.RecordsView.as_view(), name="records"),
    path("o/<slug:org>/attendance/export/", views.ExportView.as_view(), name="export"),
    path("o/<slug:org>/attendance/board/", views.BoardView.as_view(), name="board"),
    path("o/<slug:org>/attendance/map/", views.MapView.as_view(), name="map"),
    path("o/<slug:org>/attendance/check-in/", views.CheckInView.as_view(), name="check_in"),
    path("o/<slug:org>/attendance/sites/", views.SitesView.as_view(), name="sites"),
    path("o/<slug:org>/attendance/sites/new/", views.SiteEditView.as_view(), name="site_new"),
    path("o/<slug:org>/attendance/sites/<int:site_id>/", views.SiteEditView.as_view(), name="site"),
    path("o/<slug:org>/attendance/sites/<int:site_id>/archive/", views.SiteArchiveView.as_view(),
         name="site_archive"),
    path("o/<slug:org>/attendance/devices/", views.DevicesView.as_view(), name="devices"),
    path("o/<slug:org>/attendance/devices/<int:device_id>/revoke/", views.DeviceRevokeView.as_view(),
         name="device_revoke"),
    path("o/<slug:org>/attendance/members/<int:member_id>/device-profile/",
         views.DeviceProfileView.as_view(), name="device_profile"),
    path("o/<slug:org>/attendance/members/<int:member_id>/locate/", views.LocationRequestView.as_view(),
         name="locate"),
    path("o/<slug:org>/attendance/privacy-mode/", views.PrivacyModeView.as_view(), name="privacy_mode"),
    path("o/<slug:org>/attendance/notifications/", views.NotificationsView.as_view(), name="notifications"),
    path("o/<slug:org>/attendance/location-reads/", views.LocationReadsView.as_view(), name="location_reads"),
    path("o/<slug:org>/attendance/review/", views.ReviewQueueView.as_view(), name="review"),
    path("o/<slug:org>/attendance/review/<int:record_id>/", views.ReviewDecisionView.as_view(),
         name="review_decide"),
    path("o/<slug:org>/attendance/settings/", views.SettingsView.as_view(), name="settings"),
]
