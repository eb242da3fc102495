from django.urls import path

from officium.privacy.rights import officer, views

app_name = "rights"

urlpatterns = [
    path("privacy/center/", views.center, name="center"),
    path("privacy/center/correct/", views.correct_profile, name="correct_profile"),
    path("privacy/center/requests/<int:rights_request_id>/", views.center_request,
         name="center_request"),
    path("privacy/center/requests/<int:rights_request_id>/status.json", views.center_status,
         name="center_status"),
    path("privacy/center/requests/<int:rights_request_id>/download/", views.center_download,
         name="center_download"),
    path("privacy/center/requests/<int:rights_request_id>/withdraw/", views.center_withdraw,
         name="center_withdraw"),
    path("privacy/request/", views.public_form, name="public_form"),
    path("privacy/request/<str:rights_ref>/", views.public_request, name="public_request"),
    path("privacy/request/<str:rights_ref>/download/", views.public_download,
         name="public_download"),
    path("privacy/platform/requests/", officer.PlatformQueueView.as_view(), name="platform_queue"),
    path("o/<slug:org>/privacy/requests/", officer.QueueView.as_view(), name="queue"),
    path("o/<slug:org>/privacy/requests/new/", officer.FileForMemberView.as_view(),
         name="officer_new"),
    path("o/<slug:org>/privacy/requests/<int:rights_request_id>/", officer.RequestView.as_view(),
         name="officer_request"),
]
