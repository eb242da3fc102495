"""The one seam where the portal gets its keys; the vault's per-organization keys replace it.

Hierarchy: the KMS (master key outside the database) wraps each space key with the
organization and space as context; the space key wraps each file's data key with the file's
identity as associated data. Nothing here is stored unwrapped, and no key reaches a log.
When the vault provides organization or subject keys, only this module changes.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings

from officium.privacy.vault.crypto import FieldCipher, generate_data_key, pack_parts
from officium.privacy.vault.kms import KeyManagementService, LocalKMS, master_key_from_text

if TYPE_CHECKING:
    from officium.portal.models import Space, StoredBlob

_FILE_KEY_VERSION = 1


@lru_cache(maxsize=4)
def _local_kms(master_key_text: str) -> LocalKMS:
    return LocalKMS(master_key_from_text(master_key_text))


def kms() -> KeyManagementService:
    return _local_kms(settings.OFFICIUM_MASTER_KEY)


def _space_context(organization_id: int, space_id: int) -> bytes:
    return pack_parts("officium/portal/space", organization_id, space_id)


def seal_space_key(space: Space) -> None:
    """Give a saved space a fresh key, wrapped by the KMS (call before its first save is done)."""
    service = kms()
    space.wrapped_key = service.wrap(generate_data_key(),
                                     _space_context(space.organization_id, space.pk))
    space.key_id = service.key_id


def space_key(space: Space) -> bytes:
    return kms().unwrap(bytes(space.wrapped_key), _space_context(space.organization_id, space.pk))


def blob_aad(blob: StoredBlob) -> bytes:
    """Associated data of a file's records: its organization and storage identity."""
    return pack_parts("officium/portal/file", blob.organization_id, str(blob.blob))


def new_file_key(space: Space, blob: StoredBlob) -> bytes:
    """A fresh data key for ``blob``; sets ``blob.wrapped_key`` and returns the key."""
    key = generate_data_key()
    blob.wrapped_key = FieldCipher(space_key(space), _FILE_KEY_VERSION).encrypt(key, blob_aad(blob))
    return key


def file_key(space: Space, blob: StoredBlob) -> bytes:
    cipher = FieldCipher(space_key(space), _FILE_KEY_VERSION)
    return cipher.decrypt(bytes(blob.wrapped_key), blob_aad(blob))
