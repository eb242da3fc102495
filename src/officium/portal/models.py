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
            "name": DOCUMENT_METADATA, "created_by": NOT_PERSONAL, "created_at": NOT_PERSONAL},
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

    objects: ClassVar[PurposeManager[Folder]] = PurposeManager()

    class Meta:
        ordering = ["name", "id"]

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


@personal_data(subject="uploaded_by", fields={**_BLOB_FIELDS, "completed_at": NOT_PERSONAL},
               retention_anchor="created_at", data_type="document")
class File(StoredBlob):
    """A finished, verified file. Its contents are read only through ``services.open_file``."""

    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["organization", "space", "folder"])]

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
            "downloads": NOT_PERSONAL, "created_at": NOT_PERSONAL, "revoked_at": NOT_PERSONAL},
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
