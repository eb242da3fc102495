"""Which SMTP sender carries a message: an organization's own for mail to its clients,
else the outbox's default (settings.EMAIL_*). The stored password is encrypted with a key derived
from the master key (vault primitives), bound to the organization."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import get_connection

from officium.comms.models import OrganizationMailSettings

if TYPE_CHECKING:
    from officium.privacy.vault.crypto import FieldCipher

_LABEL = "comms.OrganizationMailSettings"


def _cipher() -> FieldCipher:
    from officium.privacy.vault.crypto import FieldCipher, derive_subkey
    from officium.privacy.vault.kms import master_key_from_text

    key = master_key_from_text(settings.OFFICIUM_MASTER_KEY)
    return FieldCipher(derive_subkey(key, "comms.smtp-password"), 1)


def _aad(organization_id: int) -> bytes:
    from officium.privacy.vault.crypto import field_aad

    return field_aad(_LABEL, "password", organization_id)


def seal_password(organization_id: int, password: str) -> tuple[bytes, bool]:
    """(stored bytes, encrypted?) — plain bytes only when no master key can be read."""
    if not password:
        return b"", True
    try:
        return _cipher().encrypt(password.encode(), _aad(organization_id)), True
    except (ValueError, TypeError, ImportError):
        return base64.b64encode(password.encode()), False


def open_password(row: OrganizationMailSettings) -> str:
    token = bytes(row.password_token or b"")
    if not token:
        return ""
    if not row.password_encrypted:
        return base64.b64decode(token).decode()
    return _cipher().decrypt(token, _aad(row.organization_id)).decode()


def sender_for(organization_id: int | None) -> tuple[str, Any] | None:
    """(from address, connection) for mail on behalf of ``organization_id``; None when it has
    no sender of its own (the outbox then uses the default). Registered with the outbox."""
    if organization_id is not None:
        row = OrganizationMailSettings.objects.filter(organization_id=organization_id,
                                                      enabled=True).first()
        if row is not None:
            connection = get_connection(
                "django.core.mail.backends.smtp.EmailBackend", host=row.host, port=row.port,
                username=row.username or None, password=open_password(row) or None,
                use_tls=row.use_tls, timeout=20)
            return row.from_address, connection
    return None
