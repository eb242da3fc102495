"""The portal over the API (mounted at /api/portal/): spaces, chunked uploads, downloads, shares.

Uploads follow tus 1.0 semantics on a small JSON surface: POST declares name, size and
SHA-256 and answers the upload's id; HEAD (or GET) answers the confirmed ``Upload-Offset``;
PATCH (or PUT) sends the bytes at ``Upload-Offset`` (409 for any other offset, 413 past the
declared size); the request that reaches the declared size completes and verifies the file.
Chunk bodies are read from the request stream in pieces, never through ``request.body``.
"""

# No ``from __future__ import annotations``: ninja reads these annotations at run time.
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from ninja import Router, Schema, Status

from officium.accounts.localtime import as_zone, format_datetime
from officium.accounts.scoping import membership_for
from officium.portal import clients, files, imports, services, sharing, uploads
from officium.portal.http import (
    chunk_body,
    chunk_request,
    file_response,
    json_response,
    preview_kind,
)
from officium.portal.models import File, Share
from officium.text import SafeName

router = Router(tags=["portal"])


class SpaceIn(Schema):
    name: SafeName


class SpaceOut(Schema):
    id: int
    name: str
    created_at: datetime


class MemberIn(Schema):
    membership_id: int


class FolderIn(Schema):
    name: SafeName
    parent_id: int | None = None


class FolderOut(Schema):
    id: int
    name: str
    parent_id: int | None


class FileOut(Schema):
    id: int
    name: str
    extension: str
    size: int
    sha256: str
    folder_id: int | None
    uploaded_by: int | None
    created_at: datetime


class SpaceDetail(SpaceOut):
    folders: list[FolderOut]
    files: list[FileOut]
    members: list[int]
    sort: str
    next: str | None = None


class RenameMoveIn(Schema):
    name: str | None = None
    folder_id: int | None = None
    to_top: bool = False


class TrashOut(Schema):
    kind: str
    id: int
    name: str
    size: int
    trashed_at: datetime
    purge_at: datetime


class HitOut(Schema):
    kind: str
    id: int
    name: str
    space_id: int
    folder_id: int | None
    size: int


class TrashSettingsIn(Schema):
    trash_days: int


class SpaceRequestIn(Schema):
    name: str
    note: str = ""


class SpaceRequestOut(Schema):
    id: int
    name: str
    status: str
    space_id: int | None


class SpaceRequestAnswerIn(Schema):
    decision: str


class SourceIn(Schema):
    label: str
    base_url: str
    username: str
    password: str


class SourceOut(Schema):
    id: int
    kind: str
    label: str
    base_url: str
    username: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ImportIn(Schema):
    source_id: int
    space_id: int
    folder_id: int | None = None
    paths: list[str]


class ImportOut(Schema):
    id: int
    status: str
    space_id: int
    files_done: int
    files_failed: int
    bytes_done: int
    error: str


class UploadIn(Schema):
    name: SafeName
    size: int
    sha256: str
    folder_id: int | None = None
    folder_path: list[str] | None = None


class ShareIn(Schema):
    expires_in_hours: int = 72
    max_downloads: int = 5
    password: str = ""


class AccessOut(Schema):
    event: str
    actor: int | None
    at: datetime
    details: dict[str, Any]


def _file_out(f: File) -> FileOut:
    return FileOut(id=f.pk, name=f.name, extension=f.extension, size=f.size, sha256=f.sha256,
                   folder_id=f.folder_id, uploaded_by=f.uploaded_by_id, created_at=f.created_at)


@router.get("/orgs/{slug:org}/spaces", response=list[SpaceOut])
def list_spaces(request: HttpRequest, org: str) -> list[SpaceOut]:
    actor = membership_for(request, org)
    return [SpaceOut(id=s.pk, name=s.name, created_at=s.created_at)
            for s in services.spaces_for(actor)]


@router.post("/orgs/{slug:org}/spaces", response={201: SpaceOut})
def create_space(request: HttpRequest, org: str, payload: SpaceIn) -> Status[SpaceOut]:
    space = services.create_space(membership_for(request, org), payload.name)
    return Status(201, SpaceOut(id=space.pk, name=space.name, created_at=space.created_at))


@router.get("/orgs/{slug:org}/spaces/{int:space_id}", response=SpaceDetail)
def get_space(request: HttpRequest, org: str, space_id: int, folder: int | None = None,
              sort: str = "name", after: str = "", limit: int = files.PAGE_SIZE) -> SpaceDetail:
    """A folder's entries (folders on the first page), sorted and paged by keyset: pass the
    answer's ``next`` as ``after`` for the following page."""
    actor = membership_for(request, org)
    space = services.space_for(actor, space_id)
    parent = services.folder_for(actor, space, folder) if folder else None
    page = files.page_of(actor, space, parent, sort=sort, after=after, limit=limit)
    return SpaceDetail(
        id=space.pk, name=space.name, created_at=space.created_at,
        folders=[FolderOut(id=f.pk, name=f.name, parent_id=f.parent_id) for f in page.folders],
        files=[_file_out(f) for f in page.files],
        members=[m.membership_id for m in services.members_of(actor, space)],
        sort=page.sort, next=page.next_cursor)


@router.patch("/orgs/{slug:org}/spaces/{int:space_id}/folders/{int:folder_id}", response=FolderOut)
def change_folder(request: HttpRequest, org: str, space_id: int, folder_id: int,
                  payload: RenameMoveIn) -> FolderOut:
    """Rename (``name``) and/or move (``folder_id``, or ``to_top``) a folder."""
    actor = membership_for(request, org)
    space = services.space_for(actor, space_id)
    folder = services.folder_for(actor, space, folder_id)
    if payload.name is None and payload.folder_id is None and not payload.to_top:
        raise ValidationError({"name": "Give a new name, a folder to move to, or to_top."})
    if payload.folder_id is not None or payload.to_top:
        files.move_folder(actor, folder, None if payload.to_top else payload.folder_id)
    if payload.name is not None:
        files.rename_folder(actor, folder, payload.name)
    return FolderOut(id=folder.pk, name=folder.name, parent_id=folder.parent_id)


@router.delete("/orgs/{slug:org}/spaces/{int:space_id}/folders/{int:folder_id}", response={204: None})
def trash_folder(request: HttpRequest, org: str, space_id: int, folder_id: int) -> Status[None]:
    actor = membership_for(request, org)
    space = services.space_for(actor, space_id)
    files.trash_folder(actor, services.folder_for(actor, space, folder_id))
    return Status(204, None)


@router.get("/orgs/{slug:org}/spaces/{int:space_id}/trash", response=list[TrashOut])
def list_trash(request: HttpRequest, org: str, space_id: int) -> list[TrashOut]:
    actor = membership_for(request, org)
    return [TrashOut(kind=e.kind, id=e.pk, name=e.name, size=e.size, trashed_at=e.trashed_at,
                     purge_at=e.purge_at)
            for e in files.trash_of(actor, services.space_for(actor, space_id))]


@router.post("/orgs/{slug:org}/spaces/{int:space_id}/trash/files/{int:trashed_file_id}/restore",
             response=FileOut)
def restore_file(request: HttpRequest, org: str, space_id: int, trashed_file_id: int) -> FileOut:
    actor = membership_for(request, org)
    return _file_out(files.restore_file(actor, services.space_for(actor, space_id),
                                        trashed_file_id))


@router.post("/orgs/{slug:org}/spaces/{int:space_id}/trash/folders/{int:trashed_folder_id}/restore",
             response=FolderOut)
def restore_folder(request: HttpRequest, org: str, space_id: int,
                   trashed_folder_id: int) -> FolderOut:
    actor = membership_for(request, org)
    folder = files.restore_folder(actor, services.space_for(actor, space_id), trashed_folder_id)
    return FolderOut(id=folder.pk, name=folder.name, parent_id=folder.parent_id)


@router.get("/orgs/{slug:org}/search", response=list[HitOut])
def search(request: HttpRequest, org: str, q: str = "") -> list[HitOut]:
    """Files and folders whose name contains ``q``, across the spaces you are in."""
    actor = membership_for(request, org)
    return [HitOut(kind=h.kind, id=h.pk, name=h.name, space_id=h.space.pk, folder_id=h.folder_id,
                   size=h.size) for h in files.search(actor, q)]


@router.put("/orgs/{slug:org}/portal-settings", response=TrashSettingsIn)
def portal_settings(request: HttpRequest, org: str, payload: TrashSettingsIn) -> TrashSettingsIn:
    actor = membership_for(request, org)
    return TrashSettingsIn(trash_days=files.set_trash_days(actor, payload.trash_days))


@router.post("/orgs/{slug:org}/space-requests", response={201: SpaceRequestOut})
def request_space(request: HttpRequest, org: str, payload: SpaceRequestIn) -> Status[SpaceRequestOut]:
    actor = membership_for(request, org)
    made = clients.request_space(actor, payload.name, payload.note)
    return Status(201, SpaceRequestOut(id=made.pk, name=made.name, status=made.status,
                                       space_id=made.space_id))


@router.post("/orgs/{slug:org}/space-requests/{int:request_id}/answer", response=SpaceRequestOut)
def answer_space_request(request: HttpRequest, org: str, request_id: int,
                         payload: SpaceRequestAnswerIn) -> SpaceRequestOut:
    actor = membership_for(request, org)
    made = clients.answer_request(actor, request_id, payload.decision)
    return SpaceRequestOut(id=made.pk, name=made.name, status=made.status, space_id=made.space_id)


def _source_out(s: Any) -> SourceOut:
    return SourceOut(id=s.pk, kind=s.kind, label=s.label, base_url=s.base_url, username=s.username,
                     created_at=s.created_at, last_used_at=s.last_used_at, revoked_at=s.revoked_at)


@router.get("/orgs/{slug:org}/import-sources", response=list[SourceOut])
def list_sources(request: HttpRequest, org: str) -> list[SourceOut]:
    return [_source_out(s) for s in imports.sources_for(membership_for(request, org))]


@router.post("/orgs/{slug:org}/import-sources", response={201: SourceOut})
def authorize_source(request: HttpRequest, org: str, payload: SourceIn) -> Status[SourceOut]:
    """Authorize a WebDAV source; the password is sealed at once and never returned."""
    source = imports.authorize_source(membership_for(request, org), label=payload.label,
                                      base_url=payload.base_url, username=payload.username,
                                      password=payload.password)
    return Status(201, _source_out(source))


@router.delete("/orgs/{slug:org}/import-sources/{int:source_id}", response={204: None})
def revoke_source(request: HttpRequest, org: str, source_id: int) -> Status[None]:
    actor = membership_for(request, org)
    imports.revoke_source(actor, imports.source_for(actor, source_id))
    return Status(204, None)


def _job_out(j: Any) -> ImportOut:
    return ImportOut(id=j.pk, status=j.status, space_id=j.space_id, files_done=j.files_done,
                     files_failed=j.files_failed, bytes_done=j.bytes_done, error=j.error)


@router.post("/orgs/{slug:org}/imports", response={201: ImportOut})
def start_import(request: HttpRequest, org: str, payload: ImportIn) -> Status[ImportOut]:
    actor = membership_for(request, org)
    job = imports.start_import(actor, source_id=payload.source_id,
                               space=services.space_for(actor, payload.space_id),
                               folder_id=payload.folder_id, paths=payload.paths)
    job.refresh_from_db()
    return Status(201, _job_out(job))


@router.get("/orgs/{slug:org}/imports/{int:job_id}", response=ImportOut)
def get_import(request: HttpRequest, org: str, job_id: int) -> ImportOut:
    return _job_out(imports.job_for(membership_for(request, org), job_id))


@router.post("/orgs/{slug:org}/spaces/{int:space_id}/members", response={201: dict})
def add_member(request: HttpRequest, org: str, space_id: int, payload: MemberIn) -> Status[dict[str, Any]]:
    actor = membership_for(request, org)
    added = services.add_member(actor, services.space_for(actor, space_id), payload.membership_id)
    return Status(201, {"id": added.pk, "membership_id": added.membership_id})


@router.delete("/orgs/{slug:org}/spaces/{int:space_id}/members/{int:space_member_id}",
               response={204: None})
def remove_member(request: HttpRequest, org: str, space_id: int,
                  space_member_id: int) -> Status[None]:
    actor = membership_for(request, org)
    services.remove_member(actor, services.space_for(actor, space_id), space_member_id)
    return Status(204, None)


@router.post("/orgs/{slug:org}/spaces/{int:space_id}/folders", response={201: FolderOut})
def create_folder(request: HttpRequest, org: str, space_id: int,
                  payload: FolderIn) -> Status[FolderOut]:
    actor = membership_for(request, org)
    folder = services.create_folder(actor, services.space_for(actor, space_id), payload.name,
                                    payload.parent_id)
    return Status(201, FolderOut(id=folder.pk, name=folder.name, parent_id=folder.parent_id))


@router.post("/orgs/{slug:org}/spaces/{int:space_id}/uploads")
def start_upload(request: HttpRequest, org: str, space_id: int, payload: UploadIn) -> HttpResponse:
    actor = membership_for(request, org)
    upload = uploads.start_upload(actor, services.space_for(actor, space_id), name=payload.name,
                                  size=payload.size, sha256=payload.sha256,
                                  folder_id=payload.folder_id, folder_path=payload.folder_path)
    location = f"/api/portal/orgs/{org}/uploads/{upload.pk}"
    return json_response({"id": upload.pk, "offset": 0, "size": upload.size,
                          "location": location}, 201, Location=location,
                         **{"Upload-Offset": "0", "Upload-Length": str(upload.size)})


@router.api_operation(["HEAD", "GET"], "/orgs/{slug:org}/uploads/{int:upload_id}")
def upload_offset(request: HttpRequest, org: str, upload_id: int) -> HttpResponse:
    upload = uploads.upload_for(membership_for(request, org), upload_id)
    response = json_response({"id": upload.pk, "offset": upload.offset, "size": upload.size}, 200,
                             **{"Upload-Offset": str(upload.offset),
                                "Upload-Length": str(upload.size)})
    return response  # a HEAD answer loses its body in officium.middleware.HeadWithoutBody


@router.api_operation(["PATCH", "PUT"], "/orgs/{slug:org}/uploads/{int:upload_id}")
def upload_chunk(request: HttpRequest, org: str, upload_id: int) -> HttpResponse:
    actor = membership_for(request, org)
    upload = uploads.upload_for(actor, upload_id)
    offset, length = chunk_request(request)
    result = uploads.receive_chunk(actor, upload, offset, chunk_body(request), length)
    data: dict[str, object] = {"offset": result.offset, "size": result.size,
                               "complete": result.file is not None}
    if result.file is not None:
        data.update(file_id=result.file.pk, sha256=result.file.sha256,
                    url=f"/o/{org}/portal/spaces/{result.file.space_id}/files/{result.file.pk}/")
    return json_response(data, 200, **{"Upload-Offset": str(result.offset)})


@router.delete("/orgs/{slug:org}/uploads/{int:upload_id}", response={204: None})
def cancel_upload(request: HttpRequest, org: str, upload_id: int) -> Status[None]:
    actor = membership_for(request, org)
    uploads.cancel_upload(actor, uploads.upload_for(actor, upload_id))
    return Status(204, None)


@router.get("/orgs/{slug:org}/files/{int:file_id}", response=FileOut)
def get_file(request: HttpRequest, org: str, file_id: int) -> FileOut:
    return _file_out(services.file_for(membership_for(request, org), file_id))


@router.patch("/orgs/{slug:org}/files/{int:file_id}", response=FileOut)
def change_file(request: HttpRequest, org: str, file_id: int, payload: RenameMoveIn) -> FileOut:
    """Rename (``name``) and/or move (``folder_id``, or ``to_top``) a file with its versions."""
    actor = membership_for(request, org)
    file = files.live_file_for(actor, file_id)
    if payload.name is None and payload.folder_id is None and not payload.to_top:
        raise ValidationError({"name": "Give a new name, a folder to move to, or to_top."})
    if payload.folder_id is not None or payload.to_top:
        files.move_file(actor, file, None if payload.to_top else payload.folder_id)
    if payload.name is not None:
        files.rename_file(actor, file, payload.name)
    return _file_out(file)


@router.delete("/orgs/{slug:org}/files/{int:file_id}", response={204: None})
def trash_file(request: HttpRequest, org: str, file_id: int) -> Status[None]:
    """Move a file (with its older versions) to the space's trash."""
    actor = membership_for(request, org)
    files.trash_file(actor, files.live_file_for(actor, file_id))
    return Status(204, None)


@router.get("/orgs/{slug:org}/files/{int:file_id}/versions", response=list[FileOut])
def file_versions(request: HttpRequest, org: str, file_id: int) -> list[FileOut]:
    actor = membership_for(request, org)
    return [_file_out(v) for v in files.versions_of(actor, files.live_file_for(actor, file_id))]


@router.get("/orgs/{slug:org}/files/{int:file_id}/preview")
def preview_file(request: HttpRequest, org: str, file_id: int) -> HttpResponseBase:
    """The file inline as its type (images, PDF, text), with Range; 404 for other kinds."""
    actor = membership_for(request, org)
    file = services.file_for(actor, file_id)
    if not preview_kind(file):
        raise Http404
    return file_response(request, actor, file, preview=True)


@router.get("/orgs/{slug:org}/files/{int:file_id}/content")
def download_file(request: HttpRequest, org: str, file_id: int) -> HttpResponseBase:
    actor = membership_for(request, org)
    return file_response(request, actor, services.file_for(actor, file_id))


@router.get("/orgs/{slug:org}/files/{int:file_id}/access", response=list[AccessOut])
def file_access(request: HttpRequest, org: str, file_id: int) -> list[AccessOut]:
    actor = membership_for(request, org)
    file = services.file_for(actor, file_id)
    return [AccessOut(event=e.event, actor=e.actor_id, at=e.created_at, details=e.details)
            for e in services.access_log(actor, file)]


def _share_out(share: Share, org: str) -> dict[str, object]:
    return {"id": share.pk, "public_id": share.public_id, "status": share.status,
            "ciphertext_size": share.ciphertext_size, "record_size": sharing.SHARE_RECORD_SIZE,
            "received": share.received, "expires_at": share.expires_at.isoformat(),
            "max_downloads": share.max_downloads, "downloads": share.downloads,
            "data_url": f"/api/portal/orgs/{org}/shares/{share.pk}/data",
            "link_path": f"/s/{share.public_id}/", "has_password": bool(share.password_hash),
            "created_label": format_datetime(share.created_at, as_zone(share.organization)),
            "expires_label": format_datetime(share.expires_at, as_zone(share.organization)),
            "revoke_path": reverse("portal:revoke_share", kwargs={
                "org": org, "space_id": share.file.space_id, "file_id": share.file_id,
                "share_pk": share.pk})}


@router.post("/orgs/{slug:org}/files/{int:file_id}/shares")
def create_share(request: HttpRequest, org: str, file_id: int, payload: ShareIn) -> HttpResponse:
    actor = membership_for(request, org)
    share = sharing.create_share(actor, files.live_file_for(actor, file_id),
                                 expires_in_hours=payload.expires_in_hours,
                                 max_downloads=payload.max_downloads, password=payload.password)
    return json_response(_share_out(share, org), 201)


@router.patch("/orgs/{slug:org}/shares/{int:share_pk}/data")
def share_data(request: HttpRequest, org: str, share_pk: int) -> HttpResponse:
    actor = membership_for(request, org)
    share = sharing.share_for(actor, share_pk)
    offset, length = chunk_request(request)
    share = sharing.receive_share_data(actor, share, offset, chunk_body(request), length)
    return json_response(_share_out(share, org), 200, **{"Upload-Offset": str(share.received)})


@router.delete("/orgs/{slug:org}/shares/{int:share_pk}", response={204: None})
def revoke_share(request: HttpRequest, org: str, share_pk: int) -> Status[None]:
    actor = membership_for(request, org)
    sharing.revoke_share(actor, sharing.share_for(actor, share_pk))
    return Status(204, None)
