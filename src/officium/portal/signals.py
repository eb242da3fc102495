"""Stored objects follow their rows: when a file, an upload or a share row is deleted (by a
service, a cascade, erasure or retention), its ciphertext is deleted once the deletion commits.
The wrapped key goes with the row, so even a backup of the object is unreadable."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete

logger = logging.getLogger(__name__)


def _delete_object(sender: Any, instance: Any, **kwargs: Any) -> None:
    name = instance.storage_name

    def delete() -> None:
        from officium.portal.models import File, Upload
        from officium.portal.storage import blob_store

        if isinstance(instance, Upload) and File.objects.filter(blob=instance.blob).exists():
            return  # a finished upload: its object is the file's now

        try:
            blob_store().delete(name)
        except Exception:  # the row is gone; a leftover ciphertext is unreadable, log it
            logger.exception("portal: could not delete stored object %s", name)

    transaction.on_commit(delete)


def connect() -> None:
    from officium.portal.models import File, Share, Upload

    for model in (File, Upload, Share):
        post_delete.connect(_delete_object, sender=model, dispatch_uid=f"portal-{model.__name__}")
