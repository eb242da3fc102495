"""The portal's stored objects in a backup archive (SC4, ``privacy.vault.archive``).

Files are required (a file row without its object is a broken backup); shares and unfinished
uploads are taken when their object is there (a pending share or an upload in progress on S3
is still in segments: its client starts again after a restore). Local storage: the archive
holds the ciphertext. S3: the archive holds each object's version id; the bucket must keep
versions (versioning on, and a lifecycle rule that keeps noncurrent versions at least as long
as backups are kept), and a restore makes those versions current again.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from typing import IO, Any

from officium.portal.storage import LocalBlobStore, S3BlobStore, blob_store
from officium.privacy.vault.archive import ObjectSource, ObjectStore, register_objects


class LocalObjects:
    kind = "files"

    def __init__(self, store: LocalBlobStore) -> None:
        self.store = store

    def open(self, name: str) -> tuple[IO[bytes], int] | None:
        try:
            handle = open(self.store.storage.path(name), "rb")  # noqa: SIM115 (closed by the archive)
        except FileNotFoundError:
            return None
        return handle, os.fstat(handle.fileno()).st_size

    def version(self, name: str) -> str | None:
        raise NotImplementedError

    def put(self, name: str, data: IO[bytes]) -> None:
        path = self.store.storage.path(name)
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        partial = f"{path}.restoring"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            while chunk := data.read(1 << 20):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)

    def make_current(self, name: str, version: str) -> bool:
        raise NotImplementedError


class S3Objects:
    kind = "s3"

    def __init__(self, store: S3BlobStore) -> None:
        self.store = store
        self.bucket = store.storage.bucket_name
        self.client = store.client

    def open(self, name: str) -> tuple[IO[bytes], int] | None:
        raise NotImplementedError

    def _versions(self, name: str) -> list[dict[str, Any]]:
        """The object's versions and deletions, newest first."""
        key = self.store._key(name)
        found: list[dict[str, Any]] = []
        for page in self.client.get_paginator("list_object_versions").paginate(Bucket=self.bucket, Prefix=key):
            for kind in ("Versions", "DeleteMarkers"):
                found += [{**item, "deleted": kind == "DeleteMarkers"} for item in page.get(kind, [])
                          if item["Key"] == key]
        return sorted(found, key=lambda item: item["LastModified"], reverse=True)

    def version(self, name: str) -> str | None:
        # Stored objects are written once: the newest version that is not a deletion is the
        # one the snapshot's row names, even when the row's deletion has removed it since.
        versions = self._versions(name)
        if versions and versions[0]["VersionId"] in (None, "null"):
            raise RuntimeError(f"the portal's S3 bucket {self.bucket} does not keep versions: turn versioning "
                               "on, or a backup cannot bring back a deleted file")
        return next((str(v["VersionId"]) for v in versions if not v["deleted"]), None)

    def put(self, name: str, data: IO[bytes]) -> None:
        raise NotImplementedError

    def make_current(self, name: str, version: str) -> bool:
        versions = self._versions(name)
        if versions and not versions[0]["deleted"] and versions[0]["VersionId"] == version:
            return False
        key = self.store._key(name)
        self.client.copy_object(Bucket=self.bucket, Key=key,
                                CopySource={"Bucket": self.bucket, "Key": key, "VersionId": version})
        return True


def objects() -> ObjectStore:
    store = blob_store()
    if isinstance(store, S3BlobStore):
        return S3Objects(store)
    if isinstance(store, LocalBlobStore):
        return LocalObjects(store)
    raise TypeError(f"no backup for {type(store)!r}")


def _blob_name(row: Sequence[Any]) -> str:
    return f"portal/{row[0]}/{uuid.UUID(str(row[1]))}"


def register() -> None:
    register_objects(ObjectSource("portal-files", objects, "SELECT organization_id, blob FROM portal_file",
                                  _blob_name))
    register_objects(ObjectSource("portal-uploads", objects, "SELECT organization_id, blob FROM portal_upload",
                                  _blob_name, required=False))
    register_objects(ObjectSource("portal-shares", objects, "SELECT organization_id, public_id FROM portal_share",
                                  lambda row: f"portal/{row[0]}/shares/{row[1]}", required=False))
