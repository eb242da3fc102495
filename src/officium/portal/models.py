"""The client document portal: spaces, their members, folders, files, uploads and share links.

Contents never live in the database: a file's bytes are a streaming-AEAD object in storage
(``portal.storage``) under a per-file data key, wrapped by the space key, itself sealed under the
organization's vault key (``portal.keys``). The rows hold what support may see (name, extension, size, dates) and
the wrapped keys.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from officium.accounts.tenancy import TenantModel
from officium.privacy.access import PurposeManager
from officium.privacy.registry import NOT_PERSONAL, exempt, personal_data

DOCUMENT_METADATA = "pd:PersonalDocuments"


@exempt("A workspace for one client or project: a title and a wrapped key; its creator is an id.")
class Space(TenantModel):
    name = models.CharField(max_length=200)
    wrapped_key = models.BinaryField(editable=False)
    key_id = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


@exempt("Who may see a space: ids of a space and of a membership, and when it was added.")
class SpaceMember(TenantModel):
    """Deny by default: only the memberships listed here see the space, whatever their role."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="members")
    membership = models.ForeignKey("accounts.Membership", on_delete=models.CASCADE,
                                   related_name="portal_spaces")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                 related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["space", "membership"],
                                               name="portal_one_member_per_space")]


@personal_data(
    subject="created_by",
    fields={"organization": NOT_PERSONAL, "space": NOT_PERSONAL, "parent": NOT_PERSONAL,
            "name": DOCUMENT_METADATA, "created_by": NOT_PERSONAL, "created_at": NOT_PERSONAL,
            "trashed_at": NOT_PERSONAL, "trashed_by": NOT_PERSONAL, "trashed_with": NOT_PERSONAL},
    retention_anchor="created_at",
    data_type="document",
)
class Folder(TenantModel):
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="folders")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="children")
    name = models.CharField(max_length=255)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    trashed_at = models.DateTimeField(null=True, blank=True)
    trashed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    trashed_with = models.PositiveIntegerField(null=True, blank=True)
    """The folder whose trashing took this one along (None: trashed on its own, or live)."""

    objects: ClassVar[PurposeManager[Folder]] = PurposeManager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["space", "parent", "name"])]

    def __str__(self) -> str:
        return self.name


class StoredBlob(TenantModel):
    """What files and uploads share: the encrypted object, its wrapped key and its identity.

    ``blob`` names the object in storage and is bound into the AEAD's associated data and the
    key wrapping context, so an object or a wrapped key moved to another row does not open.
    """

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="+")
    folder = models.ForeignKey(Folder, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    blob = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=255)
    extension = models.CharField(max_length=32, blank=True)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    record_size = models.PositiveIntegerField()
    wrapped_key = models.BinaryField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[PurposeManager[StoredBlob]] = PurposeManager()

    class Meta:
        abstract = True

    @property
    def storage_name(self) -> str:
        return f"portal/{self.organization_id}/{self.blob}"


_BLOB_FIELDS = {
    "organization": NOT_PERSONAL, "space": NOT_PERSONAL, "folder": NOT_PERSONAL,
    "uploaded_by": NOT_PERSONAL, "blob": NOT_PERSONAL, "name": DOCUMENT_METADATA,
    "extension": DOCUMENT_METADATA, "size": NOT_PERSONAL, "sha256": DOCUMENT_METADATA,
    "record_size": NOT_PERSONAL, "wrapped_key": NOT_PERSONAL, "created_at": NOT_PERSONAL,
}


@personal_data(subject="uploaded_by",
               fields={**_BLOB_FIELDS, "completed_at": NOT_PERSONAL, "current": NOT_PERSONAL,
                       "trashed_at": NOT_PERSONAL, "trashed_by": NOT_PERSONAL,
                       "trashed_with": NOT_PERSONAL},
               retention_anchor="created_at", data_type="document")
class File(StoredBlob):
    """A finished, verified file. Its contents are read only through ``services.open_file``.

    Versions: uploading a file under the name of a live file in the same folder keeps the
    old one as a version of the new (``current`` points to the live file; None on the live
    file itself). Trash: ``trashed_at`` set; a file trashed with its folder names that folder
    in ``trashed_with``. Listings and search show live, untrashed files only.
    """

    completed_at = models.DateTimeField(default=timezone.now)
    current = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="versions")
    trashed_at = models.DateTimeField(null=True, blank=True)
    trashed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    trashed_with = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["organization", "space", "folder"]),
                   models.Index(fields=["space", "folder", "name", "id"]),
                   models.Index(fields=["space", "folder", "size", "id"]),
                   models.Index(fields=["space", "folder", "created_at", "id"]),
                   # BI1: the storage in use (a sum per organization, asked by every upload's
                   # start and chunk and every imported file) read from the index alone
                   models.Index(fields=["organization", "size"], name="portal_file_org_size")]

    def __str__(self) -> str:
        return self.name


@personal_data(
    subject="uploaded_by",
    fields={**_BLOB_FIELDS, "offset": NOT_PERSONAL, "stream_header": NOT_PERSONAL,
            "sealed_state": NOT_PERSONAL, "chunks": NOT_PERSONAL, "busy_until": NOT_PERSONAL,
            "updated_at": NOT_PERSONAL},
    retention_anchor="created_at",
    data_type="document",
)
class Upload(StoredBlob):
    """A resumable upload in progress. Deleted, with its stored bytes, when it fails or ends.

    ``offset`` is the confirmed plaintext offset; ``sealed_state`` is the encryptor's state
    (records written plus the buffered tail, the tail encrypted); ``chunks`` lists each
    confirmed chunk (offset, length, time), so a resumed upload's history is visible. ``busy_until`` is the lease
    of the request currently writing, claimed with a conditional UPDATE so two requests never
    append to the same object at once.
    """

    offset = models.BigIntegerField(default=0)
    stream_header = models.BinaryField(default=b"", editable=False)
    sealed_state = models.BinaryField(default=b"", editable=False)
    chunks = models.JSONField(default=list, blank=True)
    busy_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)


class ShareStatus(models.TextChoices):
    PENDING = "pending", "Waiting for its encrypted copy"
    ACTIVE = "active", "Active"
    REVOKED = "revoked", "Revoked"


@personal_data(
    subject="created_by",
    fields={"organization": NOT_PERSONAL, "file": NOT_PERSONAL, "created_by": NOT_PERSONAL,
            "public_id": NOT_PERSONAL, "status": NOT_PERSONAL, "ciphertext_size": NOT_PERSONAL,
            "received": NOT_PERSONAL, "expires_at": NOT_PERSONAL, "max_downloads": NOT_PERSONAL,
            "downloads": NOT_PERSONAL, "created_at": NOT_PERSONAL, "revoked_at": NOT_PERSONAL,
            "password_hash": NOT_PERSONAL, "failed_attempts": NOT_PERSONAL,
            "locked_until": NOT_PERSONAL},
    retention_anchor="created_at",
    data_type="document",
)
class Share(TenantModel):
    """A link to one file for someone without an account.

    The stored object is a copy the sharer's browser encrypted under a key that exists only in
    the link's fragment: the server holds ciphertext it cannot open.
    """

    file = models.ForeignKey(File, on_delete=models.CASCADE, related_name="shares")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    public_id = models.CharField(max_length=43, unique=True)
    status = models.CharField(max_length=10, choices=ShareStatus.choices,
                              default=ShareStatus.PENDING)
    ciphertext_size = models.BigIntegerField()
    received = models.BigIntegerField(default=0)
    expires_at = models.DateTimeField()
    max_downloads = models.PositiveIntegerField()
    downloads = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    password_hash = models.CharField(max_length=200, blank=True, editable=False)
    """An argon2 hash of the link's password ("" for none); the password itself is never kept."""
    failed_attempts = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[PurposeManager[Share]] = PurposeManager()

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def storage_name(self) -> str:
        return f"portal/{self.organization_id}/shares/{self.public_id}"

    @property
    def is_open(self) -> bool:
        return (self.status == ShareStatus.ACTIVE and self.expires_at > timezone.now()
                and self.downloads < self.max_downloads)


@exempt("An organization's portal settings: how many days the trash keeps files.")
class PortalSettings(TenantModel):
    trash_days = models.PositiveIntegerField(default=30)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"],
                                               name="portal_one_settings_per_org")]


class SpaceRequestStatus(models.TextChoices):
    OPEN = "open", "Waiting for staff"
    DONE = "done", "Space opened"
    DECLINED = "declined", "Declined"


@personal_data(
    subject="requested_by",
    fields={"organization": NOT_PERSONAL, "requested_by": NOT_PERSONAL, "name": DOCUMENT_METADATA,
            "note": DOCUMENT_METADATA, "status": NOT_PERSONAL, "space": NOT_PERSONAL,
            "handled_by": NOT_PERSONAL, "created_at": NOT_PERSONAL, "handled_at": NOT_PERSONAL},
    retention_anchor="created_at",
    data_type="document",
)
class SpaceRequest(TenantModel):
    """A client contact asks staff for a new space."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    name = models.CharField(max_length=200)
    note = models.CharField(max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=SpaceRequestStatus.choices,
                              default=SpaceRequestStatus.OPEN)
    space = models.ForeignKey(Space, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[PurposeManager[SpaceRequest]] = PurposeManager()

    class Meta:
        ordering = ["-created_at", "-id"]


@exempt("Ids of a file that arrived and of a member to tell, until the digest goes out.")
class Arrival(TenantModel):
    """One file to mention in a member's next digest (PF5); deleted once it is sent."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="+")
    file = models.ForeignKey(File, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["recipient", "created_at"])]


class ImportKind(models.TextChoices):
    WEBDAV = "webdav", "WebDAV / Nextcloud"


@personal_data(
    subject="owner",
    fields={"organization": NOT_PERSONAL, "owner": NOT_PERSONAL, "kind": NOT_PERSONAL,
            "label": DOCUMENT_METADATA, "base_url": DOCUMENT_METADATA,
            "username": DOCUMENT_METADATA, "sealed_secret": "pd:Password",
            "created_at": NOT_PERSONAL, "last_used_at": NOT_PERSONAL, "revoked_at": NOT_PERSONAL},
    retention_anchor="created_at",
    data_type="document",
)
class ImportSource(TenantModel):
    """A person's authorization to read their files at another provider (DO3).

    The secret (a WebDAV app password today; an OAuth refresh token for other kinds) is sealed
    under the organization's vault key with the source's identity as associated data, opened
    only by the import worker for an import its owner started, and destroyed on revocation.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="+")
    kind = models.CharField(max_length=16, choices=ImportKind.choices, default=ImportKind.WEBDAV)
    label = models.CharField(max_length=200)
    base_url = models.CharField(max_length=500)
    username = models.CharField(max_length=200)
    sealed_secret = models.BinaryField(editable=False, default=b"")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[PurposeManager[ImportSource]] = PurposeManager()

    class Meta:
        ordering = ["-created_at", "-id"]


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting"
    RUNNING = "running", "Importing"
    DONE = "done", "Finished"
    FAILED = "failed", "Failed"


@personal_data(
    subject="started_by",
    fields={"organization": NOT_PERSONAL, "source": NOT_PERSONAL, "space": NOT_PERSONAL,
            "folder": NOT_PERSONAL, "started_by": NOT_PERSONAL, "paths": DOCUMENT_METADATA,
            "status": NOT_PERSONAL, "files_done": NOT_PERSONAL, "files_failed": NOT_PERSONAL,
            "bytes_done": NOT_PERSONAL, "error": NOT_PERSONAL, "created_at": NOT_PERSONAL,
            "finished_at": NOT_PERSONAL},
    retention_anchor="created_at",
    data_type="document",
)
class ImportJob(TenantModel):
    source = models.ForeignKey(ImportSource, null=True, on_delete=models.SET_NULL,
                               related_name="jobs")
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="+")
    folder = models.ForeignKey(Folder, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    paths = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=ImportStatus.choices,
                              default=ImportStatus.QUEUED)
    files_done = models.PositiveIntegerField(default=0)
    files_failed = models.PositiveIntegerField(default=0)
    bytes_done = models.BigIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


@personal_data(
    subject="job__started_by",
    fields={"organization": NOT_PERSONAL, "job": NOT_PERSONAL, "remote_path": DOCUMENT_METADATA,
            "size": NOT_PERSONAL, "etag": NOT_PERSONAL, "status": NOT_PERSONAL,
            "file": NOT_PERSONAL, "upload_id": NOT_PERSONAL, "error": NOT_PERSONAL},
)
class ImportItem(TenantModel):
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="items")
    remote_path = models.CharField(max_length=1000)
    size = models.BigIntegerField(default=0)
    etag = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, default="queued")
    file = models.ForeignKey(File, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    upload_id = models.BigIntegerField(null=True, blank=True)
    """The upload receiving this file, so a restarted worker resumes it."""
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "remote_path"],
                                               name="portal_import_item_once")]
