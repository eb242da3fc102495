"""Files sealed at rest in their own row (photos, FW4; task attachments, FW1): a data key per
file, wrapped by its owner's subject key (erasing the owner shreds it), the bytes sealed with
the vault's streaming AEAD under an ``aad`` that names the row."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied

from officium.privacy.vault import keys as vault_keys
from officium.privacy.vault import stream
from officium.privacy.vault.crypto import generate_data_key


def seal(row: Any, owner_user_id: int, body: bytes, aad: bytes) -> None:
    """Seal ``body`` into ``row`` (saved already: its id is in ``aad``), inside the caller's
    transaction: ``wrapped_key`` and ``content`` set on the instance and stored."""
    subject = vault_keys.subject_key(owner_user_id)
    if subject is None:  # pragma: no cover  (create=True always returns keys)
        raise PermissionDenied
    data_key = generate_data_key()
    sealer = stream.StreamEncryptor(data_key, aad)
    row.wrapped_key = subject.encrypt(data_key, aad)
    row.content = sealer.header() + sealer.update(body) + sealer.finalize()
    type(row).objects.filter(pk=row.pk).update(wrapped_key=row.wrapped_key, content=row.content)


def opened(row: Any, owner_user_id: int, aad: bytes) -> Iterator[bytes] | None:
    """The plaintext of ``row``, record by record; None when its owner's key was erased."""
    subject = vault_keys.subject_key(owner_user_id, create=False)
    if subject is None:
        return None
    data_key = subject.decrypt(bytes(row.wrapped_key), aad)
    return stream.decrypt_all(data_key, aad, stream.read_at_from_file(io.BytesIO(bytes(row.content))))
