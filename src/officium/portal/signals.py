"""Stored objects follow their rows: when a file, an upload or a share row is deleted (by a
service, a cascade, erasure or retention), its ciphertext is deleted once the deletion commits.
The wrapped key goes with the row, so even a backup of the object is unreadable.

DO3: a withdrawal of the consent to imports (``content_import``, under policies that ask it)
recorded in the engine's ledger, from the consent page or by the privacy officer, revokes every
import source the person authorized, in the same transaction."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

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


def _consent_recorded(sender: Any, instance: Any, created: bool = False, raw: bool = False,
                      **kwargs: Any) -> None:
    from officium.portal import imports
    from officium.privacy.consent.models import State

    if (created and not raw and instance.subject_user_id is not None
            and instance.purpose == imports.CONSENT_PURPOSE and not instance.scope
            and instance.state == State.WITHDRAWN):
        imports.consent_withdrawn(instance.subject_user_id)


def connect() -> None:
    from officium.portal.models import File, Share, Upload
    from officium.privacy.consent.models import ConsentRecord

    for model in (File, Upload, Share):
        post_delete.connect(_delete_object, sender=model, dispatch_uid=f"portal-{model.__name__}")
    post_save.connect(_consent_recorded, sender=ConsentRecord, dispatch_uid="portal-consent")
