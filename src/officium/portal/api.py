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

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from ninja import Router, Schema, Status

from officium.accounts.scoping import membership_for
from officium.portal import services, sharing, uploads
from officium.portal.http import (
    chunk_body,
    chunk_request,
    file_response,
    json_response,
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


class UploadIn(Schema):
    name: SafeName
    size: int
    sha256: str
    folder_id: int | None = None


class ShareIn(Schema):
    expires_in_hours: int = 72
    max_downloads: int = 5


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
def get_space(request: HttpRequest, org: str, space_id: int,
              folder: int | None = None) -> SpaceDetail:
    actor = membership_for(request, org)
    space = services.space_for(actor, space_id)
    parent = services.folder_for(actor, space, folder) if folder else None
    return SpaceDetail(
        id=space.pk, name=space.name, created_at=space.created_at,
        folders=[FolderOut(id=f.pk, name=f.name, parent_id=f.parent_id)
                 for f in services.folders_in(actor, space, parent)],
        files=[_file_out(f) for f in services.files_in(actor, space, parent)],
        members=[m.membership_id for m in services.members_of(actor, space)])


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
                                  folder_id=payload.folder_id)
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
            "link_path": f"/s/{share.public_id}/"}


@router.post("/orgs/{slug:org}/files/{int:file_id}/shares")
def create_share(request: HttpRequest, org: str, file_id: int, payload: ShareIn) -> HttpResponse:
    actor = membership_for(request, org)
    share = sharing.create_share(actor, services.file_for(actor, file_id),
                                 expires_in_hours=payload.expires_in_hours,
                                 max_downloads=payload.max_downloads)
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
