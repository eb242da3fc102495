"""Alice's portal objects for the cross-tenant test: a space with bob in it, a folder, a
finished file, an upload in progress and a share link."""

import hashlib
import io

from officium.portal import services, sharing, uploads


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


SAMPLES = {
    "space_id": lambda w: w.space.pk,
    "space_member_id": lambda w: w.space_member.pk,
    "folder_id": lambda w: w.folder.pk,
    "file_id": lambda w: w.file.pk,
    "upload_id": lambda w: w.upload.pk,
    "share_pk": lambda w: w.share.pk,
}

# The recipient page's id is a capability, not an object id: an outsider gets a made-up one.
SECRETS = {
    "share_id": lambda w: "made-up-share-link",
}

BODY_FIELDS = {
    "membership_id": "member_id",
    "parent_id": "folder_id",
    "folder_id": "folder_id",
}
