"""The one seam where the portal gets its keys.

Hierarchy: the vault's organization key (``organization_key(org_id)``, itself wrapped by the
KMS) seals each space key with the organization and space as associated data; the space key
wraps each file's data key with the file's identity as associated data. Destroying the
organization's key (termination, purge) therefore makes every document of the organization
unreadable, in the live database and in backups. Nothing here is stored unwrapped, and no key
reaches a log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from officium.errors import ErrorCode, OfficiumError
from officium.privacy.vault import keys as vault_keys
from officium.privacy.vault.crypto import FieldCipher, generate_data_key, pack_parts

if TYPE_CHECKING:
    from officium.portal.models import Space, StoredBlob

_FILE_KEY_VERSION = 1
KEY_ID_PREFIX = "vault-org:v"
"""``Space.key_id`` of a space key sealed under the organization key (and its version)."""


class KeysDestroyed(OfficiumError):
    """The organization's key is gone: its spaces' files can no longer be opened (410).

    The argument is for logs; the answer says only that the key was destroyed."""

    http_status = 410
    error_code = ErrorCode.KEYS_DESTROYED
    default_message = ("This organization's encryption key was destroyed: the file can no "
                       "longer be read; nothing of it was served.")

    def __init__(self, detail: str = "") -> None:
        super().__init__()
        self.detail = detail


def space_aad(organization_id: int, space_id: int) -> bytes:
    return pack_parts("officium/portal/space", organization_id, space_id)


def seal_space_key(space: Space) -> None:
    """Give a saved space a fresh key, sealed under its organization's vault key."""
    organization = vault_keys.organization_key(space.organization_id)
    if organization is None:  # pragma: no cover  (create=True always returns keys)
        raise KeysDestroyed(f"organization {space.organization_id} has no key")
    space.wrapped_key = organization.encrypt(generate_data_key(),
                                             space_aad(space.organization_id, space.pk))
    space.key_id = f"{KEY_ID_PREFIX}{organization.current_version}"


def space_key(space: Space) -> bytes:
    """The space's key; ``KeysDestroyed`` once the organization's key was destroyed."""
    organization = vault_keys.organization_key(space.organization_id, create=False)
    if organization is None or not space.key_id.startswith(KEY_ID_PREFIX):
        raise KeysDestroyed(f"organization {space.organization_id}: no key opens space {space.pk}")
    return organization.decrypt(bytes(space.wrapped_key), space_aad(space.organization_id, space.pk))


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
