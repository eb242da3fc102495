from django.urls import path

from officium.portal import views

app_name = "portal"

_space = "o/<slug:org>/portal/spaces/<int:space_id>/"
_file = _space + "files/<int:file_id>/"

urlpatterns = [
    path("o/<slug:org>/portal/", views.SpacesView.as_view(), name="spaces"),
    path(_space, views.SpaceView.as_view(), name="space"),
    path(_space + "folders/<int:folder_id>/", views.SpaceView.as_view(), name="folder"),
    path(_space + "members/", views.SpaceMembersView.as_view(), name="add_member"),
    path(_space + "members/<int:space_member_id>/remove/", views.RemoveSpaceMemberView.as_view(),
         name="remove_member"),
    path(_space + "upload/", views.UploadView.as_view(), name="upload"),
    path(_file, views.FileView.as_view(), name="file"),
    path(_file + "download/", views.FileDownloadView.as_view(), name="download"),
    path(_file + "shares/<int:share_pk>/revoke/", views.RevokeShareView.as_view(),
         name="revoke_share"),
    path("s/<str:share_id>/", views.share_page, name="share"),
    path("s/<str:share_id>/data", views.share_data, name="share_data"),
    path("support/portal/files/", views.support_files, name="support_files"),
]
