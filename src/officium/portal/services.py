"""Spaces, their members and folders: every operation validates, then changes and audits.

Deny by default: a space, its folders, files, uploads and shares are visible only to the
memberships listed as its members, whatever their role in the organization (an owner who
is not a member of a space gets the same 404 as an outsider). The access rules registered in
``portal.rules`` apply this to every ``for_purpose`` read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404

from officium.accounts.models import Membership
from officium.accounts.roles import Role
from officium.portal import keys
from officium.portal.models import File, Folder, Space, SpaceMember
from officium.portal.names import clean_name
from officium.privacy import audit

if TYPE_CHECKING:
    from officium.privacy.audit.models import AuditEntry

PURPOSE = "service_provision"
"""The declared purpose every portal read of documents names."""

SPACE_MANAGERS = (Role.OWNER, Role.ADMIN, Role.MANAGER)
"""Staff roles that open spaces and decide who is in them (clients and members do not)."""


def spaces_for(actor: Membership) -> list[Space]:
    return list(Space.objects.filter(organization_id=actor.organization_id,
                                     members__membership=actor))


def space_for(actor: Membership, space_id: int) -> Space:
    """The space if ``actor`` is one of its members, else 404 (as if it did not exist)."""
    space = Space.objects.filter(organization_id=actor.organization_id, pk=space_id,
                                 members__membership=actor).first()
    if space is None:
        raise Http404
    return space


def create_space(actor: Membership, name: str) -> Space:
    if actor.role not in SPACE_MANAGERS:
        raise PermissionDenied("Only owners, administrators and managers open spaces.")
    name = clean_name(name)
    with transaction.atomic():
        space = Space.objects.create(organization_id=actor.organization_id, name=name,
                                     created_by=actor.user)
        keys.seal_space_key(space)
        space.save(update_fields=["wrapped_key", "key_id"])
        SpaceMember.objects.create(organization_id=actor.organization_id, space=space,
                                   membership=actor, added_by=actor.user)
        audit.record("portal.space_created", actor=actor.user, organization=actor.organization_id,
                     target=space)
    return space


def members_of(actor: Membership, space: Space) -> list[SpaceMember]:
    return list(SpaceMember.objects.filter(organization_id=actor.organization_id, space=space)
                .select_related("membership__user").order_by("membership__user__email"))


def add_member(actor: Membership, space: Space, membership_id: int) -> SpaceMember:
    """Add a member of the organization (staff or client contact) to a space."""
    _check_manager(actor)
    member = Membership.objects.filter(organization_id=actor.organization_id,
                                       pk=membership_id).first()
    if member is None:
        raise ValidationError({"membership": "Choose a member of this organization."})
    if SpaceMember.objects.filter(space=space, membership=member).exists():
        raise ValidationError({"membership": "This person is already in the space."})
    with transaction.atomic():
        added = SpaceMember.objects.create(organization_id=actor.organization_id, space=space,
                                           membership=member, added_by=actor.user)
        audit.record("portal.space_member_added", actor=actor.user,
                     organization=actor.organization_id, subject=member.user_id, target=space,
                     details={"space_member": added.pk, "role": member.role})
    return added


def remove_member(actor: Membership, space: Space, space_member_id: int) -> None:
    _check_manager(actor)
    member = SpaceMember.objects.filter(space=space, pk=space_member_id).first()
    if member is None:
        raise Http404
    if SpaceMember.objects.filter(space=space).count() == 1:
        raise ValidationError({"membership": "A space keeps at least one member."})
    with transaction.atomic():
        member.delete()
        audit.record("portal.space_member_removed", actor=actor.user,
                     organization=actor.organization_id, subject=member.membership.user_id,
                     target=space, details={"space_member": space_member_id})


def _check_manager(actor: Membership) -> None:
    if actor.role not in SPACE_MANAGERS:
        raise PermissionDenied("Only owners, administrators and managers change who is in a space.")


def candidates_for(actor: Membership, space: Space) -> list[Membership]:
    """Organization members who are not yet in the space (for the add form)."""
    return list(Membership.objects.filter(organization_id=actor.organization_id)
                .exclude(portal_spaces__space=space).select_related("user"))


def create_folder(actor: Membership, space: Space, name: str, parent_id: int | None) -> Folder:
    name = clean_name(name)
    parent = folder_for(actor, space, parent_id) if parent_id else None
    if Folder.objects.filter(space=space, parent=parent, name=name, trashed_at__isnull=True).exists():
        raise ValidationError({"name": "A folder with this name already exists here."})
    with transaction.atomic():
        folder = Folder.objects.create(organization_id=actor.organization_id, space=space,
                                       parent=parent, name=name, created_by=actor.user)
        audit.record("portal.folder_created", actor=actor.user,
                     organization=actor.organization_id, target=folder,
                     details={"space": space.pk})
    return folder


def folder_for(actor: Membership, space: Space, folder_id: int, *,
               allow_trashed: bool = False) -> Folder:
    folder = Folder.objects.for_purpose(actor, PURPOSE).filter(space=space, pk=folder_id).first()
    if folder is None or (folder.trashed_at is not None and not allow_trashed):
        raise Http404
    return folder


def folders_in(actor: Membership, space: Space, parent: Folder | None) -> list[Folder]:
    return list(Folder.objects.for_purpose(actor, PURPOSE).filter(space=space, parent=parent,
                                                                  trashed_at__isnull=True))


def files_in(actor: Membership, space: Space, folder: Folder | None) -> list[File]:
    return list(File.objects.for_purpose(actor, PURPOSE).filter(
        space=space, folder=folder, current__isnull=True, trashed_at__isnull=True)
        .select_related("uploaded_by"))


def file_for(actor: Membership, file_id: int, space: Space | None = None) -> File:
    """A file (or an older version of one) in one of the actor's spaces (and in ``space``
    when given), not in the trash, else 404."""
    found = File.objects.for_purpose(actor, PURPOSE).filter(pk=file_id, trashed_at__isnull=True)
    if space is not None:
        found = found.filter(space=space)
    file = found.select_related("space", "uploaded_by").first()
    if file is None:
        raise Http404
    return file


def access_log(actor: Membership, file: File) -> list[AuditEntry]:
    """Who uploaded, downloaded and shared this file, and when (SE1): ids and codes only."""
    from officium.privacy.audit.models import AuditEntry

    return list(AuditEntry.objects.filter(organization_id=actor.organization_id,
                                          target_type=File._meta.label_lower,
                                          target_id=str(file.pk)).order_by("-id")[:200])
