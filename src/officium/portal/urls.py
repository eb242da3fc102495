from django.urls import path

from officium.portal import views

app_name = "portal"

_portal = "o/<slug:org>/portal/"
_space = _portal + "spaces/<int:space_id>/"
_file = _space + "files/<int:file_id>/"

urlpatterns = [
    path(_portal, views.SpacesView.as_view(), name="spaces"),
    path(_portal + "search/", views.SearchView.as_view(), name="search"),
    path(_portal + "settings/", views.TrashSettingsView.as_view(), name="settings"),
    path(_portal + "requests/", views.SpaceRequestView.as_view(), name="request_space"),
    path(_portal + "requests/<int:request_id>/answer/", views.AnswerSpaceRequestView.as_view(),
         name="answer_request"),
    path(_portal + "imports/", views.ImportsView.as_view(), name="imports"),
    path(_portal + "imports/start/", views.StartImportView.as_view(), name="start_import"),
    path(_portal + "imports/sources/<int:source_id>/revoke/", views.RevokeSourceView.as_view(),
         name="revoke_source"),
    path(_space, views.SpaceView.as_view(), name="space"),
    path(_space + "folders/<int:folder_id>/", views.SpaceView.as_view(), name="folder"),
    *[path(_space + f"folders/<int:folder_id>/{action}/", views.FolderActionView.as_view(),
           {"action": action}, name=f"folder_{action}") for action in ("rename", "move", "trash")],
    path(_space + "members/", views.SpaceMembersView.as_view(), name="add_member"),
    path(_space + "members/<int:space_member_id>/remove/", views.RemoveSpaceMemberView.as_view(),
         name="remove_member"),
    path(_space + "upload/", views.UploadView.as_view(), name="upload"),
    path(_space + "trash/", views.TrashView.as_view(), name="trash"),
    path(_space + "trash/files/<int:trashed_file_id>/restore/", views.RestoreView.as_view(),
         {"kind": "file"}, name="restore_file"),
    path(_space + "trash/folders/<int:trashed_folder_id>/restore/", views.RestoreView.as_view(),
         {"kind": "folder"}, name="restore_folder"),
    path(_file, views.FileView.as_view(), name="file"),
    path(_file + "download/", views.FileDownloadView.as_view(), name="download"),
    path(_file + "preview/", views.FilePreviewView.as_view(), name="preview"),
    path(_file + "shares/<int:share_pk>/revoke/", views.RevokeShareView.as_view(),
         name="revoke_share"),
    *[path(_file + f"{action}/", views.FileActionView.as_view(), {"action": action},
           name=f"file_{action}") for action in ("rename", "move", "trash")],
    path("s/<str:share_id>/", views.share_page, name="share"),
    path("s/<str:share_id>/data", views.share_data, name="share_data"),
    path("support/portal/files/", views.support_files, name="support_files"),
]
