"""Alice's portal objects for the cross-tenant test: a space with bob in it, a folder, a
finished file, an upload in progress and a share link."""

import hashlib
import io

from tests.role_groups import ADMINS, EDITORS, MEMBERS, NOBODY

from officium.portal import clients, files, imports, services, sharing, uploads
from officium.portal.models import ImportJob


def build(w):
    w.space = services.create_space(w.alice_membership, "Client Alpha project")
    w.space_member = services.add_member(w.alice_membership, w.space, w.bob_membership.pk)
    w.folder = services.create_folder(w.alice_membership, w.space, "Contracts", None)
    data = b"alpha contract text " * 100
    upload = uploads.start_upload(w.alice_membership, w.space, name="contract.txt", size=len(data),
                                  sha256=hashlib.sha256(data).hexdigest())
    w.file = uploads.receive_chunk(w.alice_membership, upload, 0, io.BytesIO(data), len(data)).file
    w.upload = uploads.start_upload(w.alice_membership, w.space, name="draft.txt", size=10,
                                    sha256="0" * 64)
    w.share = sharing.create_share(w.alice_membership, w.file, expires_in_hours=24,
                                   max_downloads=3)
    w.trashed_folder = services.create_folder(w.alice_membership, w.space, "Old", None)
    files.trash_folder(w.alice_membership, w.trashed_folder)
    old = b"old notes"
    upload = uploads.start_upload(w.alice_membership, w.space, name="old.txt", size=len(old),
                                  sha256=hashlib.sha256(old).hexdigest())
    w.trashed_file = uploads.receive_chunk(w.alice_membership, upload, 0, io.BytesIO(old),
                                           len(old)).file
    files.trash_file(w.alice_membership, w.trashed_file)
    w.space_request = clients.request_space(w.alice_membership, "Alpha 2027")
    w.source = imports.authorize_source(w.alice_membership, label="Alpha cloud",
                                        base_url="https://dav.alpha.example/files/",
                                        username="alice", password="app-password-1")
    w.job = ImportJob.objects.create(organization_id=w.space.organization_id, source=w.source,
                                     space=w.space, started_by=w.alice_membership.user,
                                     paths=["Documents"])


SAMPLES = {
    "space_id": lambda w: w.space.pk,
    "space_member_id": lambda w: w.space_member.pk,
    "folder_id": lambda w: w.folder.pk,
    "file_id": lambda w: w.file.pk,
    "upload_id": lambda w: w.upload.pk,
    "share_pk": lambda w: w.share.pk,
    "trashed_file_id": lambda w: w.trashed_file.pk,
    "trashed_folder_id": lambda w: w.trashed_folder.pk,
    "request_id": lambda w: w.space_request.pk,
    "source_id": lambda w: w.source.pk,
    "job_id": lambda w: w.job.pk,
}

# The recipient page's id is a capability, not an object id: an outsider gets a made-up one.
SECRETS = {
    "share_id": lambda w: "made-up-share-link",
}

BODY_FIELDS = {
    "membership_id": "member_id",
    "parent_id": "folder_id",
    "folder_id": "folder_id",
    "source_id": "source_id",
    "space_id": "space_id",
}


# Who gets through each route (SE2, tests/test_roles.py); the roles not listed are refused
# (401/403/404, or sent to sign in). A page's POST is sent empty, an API call with a body its
# schema accepts: a role gets through once the route takes up its input (a 400 naming the
# fields counts). Every route of the app is listed; a new one fails the test until it is.
ROLES = {
    "GET /api/portal/orgs/<slug:org>/spaces": MEMBERS,
    "POST /api/portal/orgs/<slug:org>/spaces": EDITORS,
    "GET /api/portal/orgs/<slug:org>/spaces/<int:space_id>": ("owner", "member"),
    "POST /api/portal/orgs/<slug:org>/spaces/<int:space_id>/members": ("owner",),
    "DELETE /api/portal/orgs/<slug:org>/spaces/<int:space_id>/members/<int:space_member_id>": ("owner",),
    "POST /api/portal/orgs/<slug:org>/spaces/<int:space_id>/folders": ("owner", "member"),
    "POST /api/portal/orgs/<slug:org>/spaces/<int:space_id>/uploads": ("owner", "member"),
    "GET /api/portal/orgs/<slug:org>/uploads/<int:upload_id>": ("owner",),
    "PUT /api/portal/orgs/<slug:org>/uploads/<int:upload_id>": ("owner",),
    "PATCH /api/portal/orgs/<slug:org>/uploads/<int:upload_id>": ("owner",),
    "DELETE /api/portal/orgs/<slug:org>/uploads/<int:upload_id>": ("owner",),
    "GET /api/portal/orgs/<slug:org>/files/<int:file_id>": ("owner", "member"),
    "GET /api/portal/orgs/<slug:org>/files/<int:file_id>/content": ("owner", "member"),
    "GET /api/portal/orgs/<slug:org>/files/<int:file_id>/access": ("owner", "member"),
    "POST /api/portal/orgs/<slug:org>/files/<int:file_id>/shares": ("owner", "member"),
    "PATCH /api/portal/orgs/<slug:org>/shares/<int:share_pk>/data": ("owner", "member"),
    "DELETE /api/portal/orgs/<slug:org>/shares/<int:share_pk>": ("owner",),
    "GET /o/<slug:org>/portal/": MEMBERS,
    "POST /o/<slug:org>/portal/": EDITORS,
    "GET /o/<slug:org>/portal/spaces/<int:space_id>/": ("owner", "member"),
    "POST /o/<slug:org>/portal/spaces/<int:space_id>/": ("owner", "member"),
    "GET /o/<slug:org>/portal/spaces/<int:space_id>/folders/<int:folder_id>/": ("owner", "member"),
    "POST /o/<slug:org>/portal/spaces/<int:space_id>/folders/<int:folder_id>/": ("owner", "member"),
    "POST /o/<slug:org>/portal/spaces/<int:space_id>/members/": ("owner",),
    "POST /o/<slug:org>/portal/spaces/<int:space_id>/members/<int:space_member_id>/remove/": ("owner",),
    "GET /o/<slug:org>/portal/spaces/<int:space_id>/upload/": ("owner", "member"),
    "GET /o/<slug:org>/portal/spaces/<int:space_id>/files/<int:file_id>/": ("owner", "member"),
    "GET /o/<slug:org>/portal/spaces/<int:space_id>/files/<int:file_id>/download/": ("owner", "member"),
    "POST /o/<slug:org>/portal/spaces/<int:space_id>/files/<int:file_id>/shares/<int:share_pk>/revoke/": ("owner",),
    "GET /s/<str:share_id>/": NOBODY,
    "POST /s/<str:share_id>/": NOBODY,
    "GET /s/<str:share_id>/data": NOBODY,
    "POST /s/<str:share_id>/data": NOBODY,
    "PATCH /api/portal/orgs/<slug:org>/spaces/<int:space_id>/folders/<int:folder_id>": ("owner", "member"),
    "DELETE /api/portal/orgs/<slug:org>/spaces/<int:space_id>/folders/<int:folder_id>": ("owner", "member"),
    "GET /api/portal/orgs/<slug:org>/spaces/<int:space_id>/trash": ("owner", "member"),
    "POST /api/portal/orgs/<slug:org>/spaces/<int:space_id>/trash/files/<int:trashed_file_id>/restore": ("owner", "member"),
    "POST /api/portal/orgs/<slug:org>/spaces/<int:space_id>/trash/folders/<int:trashed_folder_id>/restore": ("owner", "member"),
    "GET /api/portal/orgs/<slug:org>/search": MEMBERS,
    "PUT /api/portal/orgs/<slug:org>/portal-settings": ADMINS,
    "POST /api/portal/orgs/<slug:org>/space-requests": MEMBERS,
    "POST /api/portal/orgs/<slug:org>/space-requests/<int:request_id>/answer": EDITORS,
    "GET /api/portal/orgs/<slug:org>/import-sources": MEMBERS,
    "POST /api/portal/orgs/<slug:org>/import-sources": MEMBERS,
    "DELETE /api/portal/orgs/<slug:org>/import-sources/<int:source_id>": ("owner",),
    "POST /api/portal/orgs/<slug:org>/imports": ("owner",),
    "GET /api/portal/orgs/<slug:org>/imports/<int:job_id>": ("owner",),
    "PATCH /api/portal/orgs/<slug:org>/files/<int:file_id>": ("owner", "member"),
    "DELETE /api/portal/orgs/<slug:org>/files/<int:file_id>": ("owner", "member"),
    "GET /api/portal/orgs/<slug:org>/files/<int:file_id>/versions": ("owner", "member"),
    "GET /api/portal/orgs/<slug:org>/files/<int:file_id>/preview": ("owner", "member"),
    "GET /o/<slug:org>/portal/search/": MEMBERS,
    "POST /o/<slug:org>/portal/settings/": ADMINS,
    "POST /o/<slug:org>/portal/requests/": MEMBERS,
    "POST /o/<slug:org>/portal/requests/<int:request_id>/answer/": EDITORS,
    "GET /o/<slug:org>/portal/imports/": MEMBERS,
    "POST /o/<slug:org>/portal/imports/": MEMBERS,
    "POST /o/<slug:org>/portal/imports/start/": MEMBERS,
    "POST /o/<slug:org>/portal/imports/sources/<int:source_id>/revoke/": ("owner",),
    "POST /o/<slug:org>/portal/spaces/<int:space_id>/folders/<int:folder_id>/rename/": ("owner", "member"),
    "POST /o/<slug:org>/portal/spaces/<int:space_id>/folders/<int:folder_id>/move/": ("owner", "member"),
    "POST /o/<slug:org>/portal/spaces/<int:space_id>/folders/<int:folder_id>/trash/": ("owner", "member"),
    "GET /o/<slug:org>/portal/spaces/<int:space_id>/trash/": ("owner", "member"),
    "POST /o/<slug:org>/portal/spaces/<int:space_id>/trash/files/<int:trashed_file_id>/restore/": ("owner", "member"),
    "POST /o/<slug:org>/portal/spaces/<int:space_id>/trash/folders/<int:trashed_folder_id>/restore/": ("owner", "member"),
    "GET /o/<slug:org>/portal/spaces/<int:space_id>/files/<int:file_id>/preview/": ("owner", "member"),
    "POST /o/<slug:org>/portal/spaces/<int:space_id>/files/<int:file_id>/rename/": ("owner", "member"),
    "POST /o/<slug:org>/portal/spaces/<int:space_id>/files/<int:file_id>/move/": ("owner", "member"),
    "POST /o/<slug:org>/portal/spaces/<int:space_id>/files/<int:file_id>/trash/": ("owner", "member"),
    "GET /support/portal/files/": NOBODY,
    "POST /support/portal/files/": NOBODY,
}
