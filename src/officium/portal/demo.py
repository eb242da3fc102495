"""Demo data for the portal (UX1): a client space with folders, files in several versions and a
share link. Idempotent: a second run finds the space and changes nothing."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from officium.accounts.models import Membership
from officium.accounts.roles import Role

SPACE = "Acme client files"


def _store(member: Membership, space: object, folder: object, name: str, data: bytes) -> object:
    from officium.portal import uploads

    upload = uploads.start_upload(member, space, name=name, size=len(data),  # type: ignore[arg-type]
                                  sha256=hashlib.sha256(data).hexdigest(), folder=folder)  # type: ignore[arg-type]
    return uploads.receive_chunk(member, upload, 0, io.BytesIO(data), len(data)).file


def seed_portal(slug: str = "acme") -> None:
    from officium.portal import services, sharing
    from officium.portal.models import Arrival, Share, Space

    owner = Membership.objects.filter(organization__slug=slug, role=Role.OWNER).select_related(
        "organization", "user").first()
    if owner is None or Space.objects.filter(organization=owner.organization, name=SPACE).exists():
        return
    space = services.create_space(owner, SPACE)
    # The manager, the client contact and one member work in the space (UX1: each role reaches it).
    for member in Membership.objects.filter(
            Q(role__in=[Role.MANAGER, Role.CLIENT]) | Q(user__email="member1@acme.example"),
            organization=owner.organization):
        services.add_member(owner, space, member.pk)
    contracts = services.create_folder(owner, space, "Contracts", None)
    reports = services.create_folder(owner, space, "Reports", None)
    services.create_folder(owner, space, "2026", reports.pk)
    for version in (1, 2, 3):
        _store(owner, space, contracts, "Service agreement.txt",
               f"Service agreement between Acme Field Services and the client.\n"
               f"Version {version}: {'draft' if version < 3 else 'signed'}.\n".encode() * 20)
    report = _store(owner, space, reports, "Quarterly report.txt",
                    b"Q3: 42 visits, 97% on time, 3 follow-ups.\n" * 50)
    _store(owner, space, None, "Welcome.txt",
           b"Welcome to your client space. Drop files here; they are encrypted as they arrive.\n")
    share = sharing.create_share(owner, report, expires_in_hours=72,  # type: ignore[arg-type]
                                 max_downloads=5, password="demo-link-2026")  # noqa: S106 (demo)
    # What the sharer's browser does: encrypt a copy under a key only the link holds (here the
    # key is dropped: the demo shows the link's controls and log, not its contents).
    from officium.privacy.vault.crypto import generate_data_key, pack_parts
    from officium.privacy.vault.stream import StreamEncryptor

    plain = b"Q3: 42 visits, 97% on time, 3 follow-ups.\n" * 50
    encryptor = StreamEncryptor(generate_data_key(), pack_parts("officium/portal/share",
                                                                share.public_id))
    copy = encryptor.header() + encryptor.update(plain) + encryptor.finalize()
    sharing.receive_share_data(owner, share, 0, io.BytesIO(copy), len(copy))
    Share.objects.filter(pk=share.pk).update(created_at=timezone.now() - timedelta(hours=1))
    Arrival.objects.filter(file__space=space).update(created_at=timezone.now() - timedelta(hours=1))
