"""The portal as a file manager (PF1): rename, move, trash and restore, versions, search, paging.

Every operation takes the acting membership, checks that the objects are in one of its spaces
(404 otherwise), validates, then changes and audits in one transaction. Any member of a space
may organise its files.

Trash: trashing a file (with its older versions) or a folder (with everything under it) sets
``trashed_at``; listings, search and downloads ignore trashed rows. The trash keeps them for
the organization's period (``PortalSettings.trash_days``, bounded by the policy's retention
rule for documents), then ``empty_trash`` deletes them with their stored objects, except what
a legal hold keeps.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from officium.accounts import limits
from officium.accounts.models import Membership
from officium.portal.models import File, Folder, PortalSettings, Space
from officium.portal.names import clean_name, extension_of
from officium.portal.services import PURPOSE, SPACE_MANAGERS, folder_for, spaces_for
from officium.privacy import audit

DEFAULT_TRASH_DAYS = 30
TRASH_MIN_DAYS = 1
TRASH_MAX_DAYS = 90
"""The trash's bounds when the policy's document rule sets none tighter."""
PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
SORTS = {"name": ("name",), "-name": ("name",), "size": ("size",), "-size": ("size",),
         "date": ("created_at",), "-date": ("created_at",)}


def live_files(queryset: QuerySet[File]) -> QuerySet[File]:
    return queryset.filter(current__isnull=True, trashed_at__isnull=True)


def live_file_for(actor: Membership, file_id: int, space: Space | None = None) -> File:
    found = live_files(File.objects.for_purpose(actor, PURPOSE)).filter(pk=file_id)
    if space is not None:
        found = found.filter(space=space)
    file = found.select_related("space").first()
    if file is None:
        raise Http404
    return file


def live_folder_for(actor: Membership, space: Space, folder_id: int) -> Folder:
    folder = folder_for(actor, space, folder_id)
    if folder.trashed_at is not None:
        raise Http404
    return folder


def _target_folder(actor: Membership, space: Space, folder_id: object) -> Folder | None:
    if folder_id in (None, "", 0):
        return None
    if isinstance(folder_id, bool) or not isinstance(folder_id, int):
        raise ValidationError({"folder_id": "Choose a folder of this space."})
    folder = Folder.objects.for_purpose(actor, PURPOSE).filter(
        space=space, pk=folder_id, trashed_at__isnull=True).first()
    if folder is None:
        raise ValidationError({"folder_id": "Choose a folder of this space."})
    return folder


def _file_name_taken(space: Space, folder: Folder | None, name: str, exclude: int | None) -> bool:
    return live_files(File.objects.filter(space=space, folder=folder, name=name)).exclude(
        pk=exclude or 0).exists()


def _folder_name_taken(space: Space, parent: Folder | None, name: str, exclude: int | None) -> bool:
    return Folder.objects.filter(space=space, parent=parent, name=name,
                                 trashed_at__isnull=True).exclude(pk=exclude or 0).exists()


# --- rename and move ----------------------------------------------------------------------

def rename_file(actor: Membership, file: File, name: object) -> File:
    new = clean_name(name)
    if new == file.name:
        return file
    if _file_name_taken(file.space, file.folder, new, file.pk):
        raise ValidationError({"name": "A file with this name already exists here."})
    with transaction.atomic():
        File.objects.filter(Q(pk=file.pk) | Q(current=file)).update(
            name=new, extension=extension_of(new))
        audit.record("portal.file_renamed", actor=actor.user, organization=file.organization_id,
                     subject=file.uploaded_by_id, target=file, details={"space": file.space_id})
    file.name, file.extension = new, extension_of(new)
    return file


def rename_folder(actor: Membership, folder: Folder, name: object) -> Folder:
    new = clean_name(name)
    if new == folder.name:
        return folder
    if _folder_name_taken(folder.space, folder.parent, new, folder.pk):
        raise ValidationError({"name": "A folder with this name already exists here."})
    with transaction.atomic():
        Folder.objects.filter(pk=folder.pk).update(name=new)
        audit.record("portal.folder_renamed", actor=actor.user, organization=folder.organization_id,
                     target=folder, details={"space": folder.space_id})
    folder.name = new
    return folder


def move_file(actor: Membership, file: File, folder_id: object) -> File:
    target = _target_folder(actor, file.space, folder_id)
    if target == file.folder:
        return file
    if _file_name_taken(file.space, target, file.name, file.pk):
        raise ValidationError({"folder_id": "A file with this name already exists there."})
    with transaction.atomic():
        File.objects.filter(Q(pk=file.pk) | Q(current=file)).update(folder=target)
        audit.record("portal.file_moved", actor=actor.user, organization=file.organization_id,
                     subject=file.uploaded_by_id, target=file,
                     details={"space": file.space_id, "from": file.folder_id,
                              "to": target.pk if target else None})
    file.folder = target
    return file


def descendant_ids(folder: Folder) -> set[int]:
    """The ids of every folder under ``folder`` (not itself), one query per level."""
    found: set[int] = set()
    level = [folder.pk]
    while level:
        level = list(Folder.objects.filter(space_id=folder.space_id, parent_id__in=level)
                     .exclude(pk__in=found).values_list("pk", flat=True))
        found.update(level)
    return found


def move_folder(actor: Membership, folder: Folder, parent_id: object) -> Folder:
    target = _target_folder(actor, folder.space, parent_id)
    if target is not None and (target.pk == folder.pk or target.pk in descendant_ids(folder)):
        raise ValidationError({"folder_id": "A folder cannot move into itself or one of its "
                                            "own folders."})
    if target == folder.parent:
        return folder
    if _folder_name_taken(folder.space, target, folder.name, folder.pk):
        raise ValidationError({"folder_id": "A folder with this name already exists there."})
    with transaction.atomic():
        Folder.objects.filter(pk=folder.pk).update(parent=target)
        audit.record("portal.folder_moved", actor=actor.user, organization=folder.organization_id,
                     target=folder, details={"space": folder.space_id, "from": folder.parent_id,
                                             "to": target.pk if target else None})
    folder.parent = target
    return folder


def ensure_folder_path(actor: Membership, space: Space, parent: Folder | None,
                       segments: object) -> Folder | None:
    """The folder at ``parent/segments...``, creating what is missing (folder uploads)."""
    if segments in (None, []):
        return parent
    if not isinstance(segments, list) or len(segments) > 32:
        raise ValidationError({"folder_path": "Give the folder path as a list of at most 32 names."})
    names = [clean_name(s, "folder_path") for s in segments]
    current = parent
    for name in names:
        found = Folder.objects.filter(space=space, parent=current, name=name,
                                      trashed_at__isnull=True).first()
        if found is None:
            with transaction.atomic():
                found = Folder.objects.create(organization_id=space.organization_id, space=space,
                                              parent=current, name=name, created_by=actor.user)
                audit.record("portal.folder_created", actor=actor.user,
                             organization=actor.organization_id, target=found,
                             details={"space": space.pk})
        current = found
    return current


# --- versions -----------------------------------------------------------------------------

def versions_of(actor: Membership, file: File) -> list[File]:
    """Older versions of a live file, newest first."""
    return list(File.objects.for_purpose(actor, PURPOSE).filter(current=file, trashed_at__isnull=True)
                .select_related("uploaded_by").order_by("-created_at", "-id"))


def supersede(new: File) -> File | None:
    """Called in the transaction that creates ``new``: a live file of the same name in the
    same folder becomes its older version (with the versions it had). Returns it."""
    old = live_files(File.objects.filter(space_id=new.space_id, folder=new.folder_id,
                                         name=new.name)).exclude(pk=new.pk).first()
    if old is None:
        return None
    File.objects.filter(Q(pk=old.pk) | Q(current=old)).update(current=new)
    return old


def unsupersede(new: File) -> None:
    """Undo ``supersede`` before ``new`` is deleted: its newest older version is live again."""
    previous = File.objects.filter(current=new).order_by("-created_at", "-id").first()
    if previous is None:
        return
    File.objects.filter(current=new).exclude(pk=previous.pk).update(current=previous)
    File.objects.filter(pk=previous.pk).update(current=None)


# --- trash --------------------------------------------------------------------------------

def trash_file(actor: Membership, file: File) -> None:
    now = timezone.now()
    with transaction.atomic():
        File.objects.filter(Q(pk=file.pk) | Q(current=file)).update(
            trashed_at=now, trashed_by=actor.user, trashed_with=None)
        audit.record("portal.file_trashed", actor=actor.user, organization=file.organization_id,
                     subject=file.uploaded_by_id, target=file, details={"space": file.space_id})


def trash_folder(actor: Membership, folder: Folder) -> None:
    now = timezone.now()
    below = descendant_ids(folder)
    with transaction.atomic():
        Folder.objects.filter(pk=folder.pk).update(trashed_at=now, trashed_by=actor.user,
                                                   trashed_with=None)
        Folder.objects.filter(pk__in=below, trashed_at__isnull=True).update(
            trashed_at=now, trashed_by=actor.user, trashed_with=folder.pk)
        files = File.objects.filter(folder_id__in=[folder.pk, *below], trashed_at__isnull=True)
        count = files.update(trashed_at=now, trashed_by=actor.user, trashed_with=folder.pk)
        audit.record("portal.folder_trashed", actor=actor.user, organization=folder.organization_id,
                     target=folder, details={"space": folder.space_id, "files": count,
                                             "folders": len(below)})


@dataclass
class TrashEntry:
    kind: str  # "file" or "folder"
    pk: int
    name: str
    trashed_at: datetime
    purge_at: datetime
    size: int = 0
    held: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def trash_of(actor: Membership, space: Space) -> list[TrashEntry]:
    """What was trashed on its own (a folder stands for what went with it), newest first."""
    days = trash_days(actor.organization_id)
    entries = [TrashEntry("folder", f.pk, f.name, f.trashed_at, f.trashed_at + timedelta(days=days))
               for f in Folder.objects.for_purpose(actor, PURPOSE).filter(
                   space=space, trashed_at__isnull=False, trashed_with__isnull=True)
               if f.trashed_at is not None]
    entries += [TrashEntry("file", f.pk, f.name, f.trashed_at, f.trashed_at + timedelta(days=days),
                           size=f.size)
                for f in File.objects.for_purpose(actor, PURPOSE).filter(
                    space=space, trashed_at__isnull=False, trashed_with__isnull=True,
                    current__isnull=True)
                if f.trashed_at is not None]
    return sorted(entries, key=lambda e: e.trashed_at, reverse=True)


def restore_file(actor: Membership, space: Space, file_id: int) -> File:
    file = File.objects.for_purpose(actor, PURPOSE).filter(
        space=space, pk=file_id, trashed_at__isnull=False, trashed_with__isnull=True,
        current__isnull=True).select_related("folder").first()
    if file is None:
        raise Http404
    folder = file.folder if file.folder is not None and file.folder.trashed_at is None else None
    name = _free_name(file.name, lambda n: _file_name_taken(space, folder, n, file.pk))
    with transaction.atomic():
        File.objects.filter(Q(pk=file.pk) | Q(current=file)).update(
            trashed_at=None, trashed_by=None, trashed_with=None, folder=folder, name=name,
            extension=extension_of(name))
        audit.record("portal.file_restored", actor=actor.user, organization=file.organization_id,
                     subject=file.uploaded_by_id, target=file, details={"space": space.pk})
    file.refresh_from_db()
    return file


def restore_folder(actor: Membership, space: Space, folder_id: int) -> Folder:
    folder = Folder.objects.for_purpose(actor, PURPOSE).filter(
        space=space, pk=folder_id, trashed_at__isnull=False, trashed_with__isnull=True
    ).select_related("parent").first()
    if folder is None:
        raise Http404
    parent = folder.parent if folder.parent is not None and folder.parent.trashed_at is None else None
    name = _free_name(folder.name, lambda n: _folder_name_taken(space, parent, n, folder.pk))
    with transaction.atomic():
        Folder.objects.filter(pk=folder.pk).update(trashed_at=None, trashed_by=None,
                                                   parent=parent, name=name)
        Folder.objects.filter(trashed_with=folder.pk, space=space).update(
            trashed_at=None, trashed_by=None, trashed_with=None)
        File.objects.filter(trashed_with=folder.pk, space=space).update(
            trashed_at=None, trashed_by=None, trashed_with=None)
        audit.record("portal.folder_restored", actor=actor.user,
                     organization=folder.organization_id, target=folder,
                     details={"space": space.pk})
    folder.refresh_from_db()
    return folder


def _free_name(name: str, taken: Any) -> str:
    if not taken(name):
        return name
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        stem, suffix = name, ""
    for n in range(1, 100):
        candidate = f"{stem} (restored{'' if n == 1 else f' {n}'}){'.' + suffix if suffix else ''}"
        if not taken(candidate):
            return candidate
    raise ValidationError({"name": "Rename the file in its place first; every restored name is taken."})


def trash_bounds() -> tuple[int, int]:
    """(min, max) days an organization may keep its trash: the portal's bounds, tightened by
    the active policy's retention rule for documents when it has one."""
    from officium.privacy.registry import registration_for
    from officium.privacy.retention import rules

    low, high = TRASH_MIN_DAYS, TRASH_MAX_DAYS
    registration = registration_for(File)
    rule = rules.rule_for(registration) if registration is not None else None
    if rule is not None and rule.trigger == "created":
        if rule.max_days is not None:
            high = min(high, rule.max_days)
        high = min(high, rules.days_for(rule, None, None))
    return low, max(low, high)


def trash_days(organization_id: int) -> int:
    low, high = trash_bounds()
    chosen = (PortalSettings.objects.filter(organization_id=organization_id)
              .values_list("trash_days", flat=True).first())
    return min(max(chosen if chosen is not None else DEFAULT_TRASH_DAYS, low), high)


def set_trash_days(actor: Membership, days: object) -> int:
    if actor.role not in SPACE_MANAGERS[:2]:
        raise PermissionDenied("Only owners and administrators set the trash period.")
    low, high = trash_bounds()
    if isinstance(days, bool) or not isinstance(days, int) or not low <= days <= high:
        raise ValidationError({"trash_days": f"Choose {low} to {high} days."})
    stored = (PortalSettings.objects.filter(organization_id=actor.organization_id)
              .values_list("trash_days", flat=True).first())
    if days not in (DEFAULT_TRASH_DAYS, stored):  # BI1: a period of its own is the plan's to allow
        limits.check(actor.organization_id, "retention_choices", 1, field="trash_days")
    with transaction.atomic():
        PortalSettings.objects.update_or_create(organization_id=actor.organization_id,
                                                defaults={"trash_days": days,
                                                          "updated_at": timezone.now()})
        audit.record("portal.trash_period_changed", actor=actor.user,
                     organization=actor.organization_id, details={"days": days})
    return days


def empty_trash(now: datetime | None = None) -> int:
    """Delete what stayed in the trash past its organization's period, unless a legal hold
    keeps it; returns the number of files deleted. Stored objects go on commit (signals)."""
    from officium.privacy.registry import registration_for
    from officium.privacy.retention.holds import active_holds, held_q

    now = now or timezone.now()
    registration = registration_for(File)
    holds = active_holds()
    held = held_q(registration, holds) if registration is not None else None
    deleted = 0
    org_ids = set(File.objects.filter(trashed_at__isnull=False).values_list(
        "organization_id", flat=True).distinct())
    org_ids |= set(Folder.objects.filter(trashed_at__isnull=False).values_list(
        "organization_id", flat=True).distinct())
    for org_id in org_ids:
        cutoff = now - timedelta(days=trash_days(org_id))
        due = File.objects.filter(organization_id=org_id, trashed_at__lt=cutoff)
        if held is not None:
            due = due.exclude(held)
        with transaction.atomic():
            ids = list(due.values_list("pk", flat=True))
            if ids:
                # older versions first: they point at their live file
                File.objects.filter(pk__in=ids, current__isnull=False).delete()
                File.objects.filter(pk__in=ids).delete()
                deleted += len(ids)
            folders = Folder.objects.filter(organization_id=org_id, trashed_at__lt=cutoff)
            keep = set(File.objects.filter(organization_id=org_id, folder__isnull=False)
                       .values_list("folder_id", flat=True))
            removable = [f for f in folders.values_list("pk", flat=True) if f not in keep]
            # a folder goes only when nothing (held files, live subfolders) is under it
            parents_in_use = set(Folder.objects.filter(parent_id__in=removable).exclude(
                pk__in=removable).values_list("parent_id", flat=True))
            removable = [f for f in removable if f not in parents_in_use]
            if removable:
                Folder.objects.filter(pk__in=removable).delete()
            if ids or removable:
                audit.record("portal.trash_emptied", organization=org_id,
                             details={"files": len(ids), "folders": len(removable)})
    return deleted


# --- listing, sorting, paging and search ----------------------------------------------------

@dataclass
class Page:
    folders: list[Folder]
    files: list[File]
    next_cursor: str | None
    sort: str


def _encode(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _decode(cursor: str) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationError({"after": "This page link is not valid; start from the first page."}) from None
    if not isinstance(values, list) or len(values) != 2 or not isinstance(values[1], int):
        raise ValidationError({"after": "This page link is not valid; start from the first page."})
    return values


def page_of(actor: Membership, space: Space, folder: Folder | None, *, sort: str = "name",
            after: str = "", limit: int = PAGE_SIZE) -> Page:
    """One page of a folder: its folders (first page only, by name) then its files, ordered by
    ``sort`` and paged by keyset (``after`` = the previous page's cursor): the cost of a page
    does not grow with how far into the folder it is."""
    if sort not in SORTS:
        raise ValidationError({"sort": f"Sort by one of {', '.join(SORTS)}."})
    if isinstance(limit, bool) or not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationError({"limit": f"Ask for 1 to {MAX_PAGE_SIZE} entries."})
    column = SORTS[sort][0]
    descending = sort.startswith("-")
    files = live_files(File.objects.for_purpose(actor, PURPOSE)).filter(space=space, folder=folder)
    if after:
        value, last_id = _decode(after)
        if column == "created_at":
            value = parse_datetime(str(value))
            if value is None:
                raise ValidationError({"after": "This page link is not valid; start from the first page."})
        elif column == "size" and not isinstance(value, int):
            raise ValidationError({"after": "This page link is not valid; start from the first page."})
        elif column == "name" and not isinstance(value, str):
            raise ValidationError({"after": "This page link is not valid; start from the first page."})
        op = "lt" if descending else "gt"
        files = files.filter(Q(**{f"{column}__{op}": value})
                             | Q(**{column: value, f"pk__{op}": last_id}))
    order = [f"-{column}", "-pk"] if descending else [column, "pk"]
    rows = list(files.select_related("uploaded_by").order_by(*order)[:limit + 1])
    cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        key = getattr(last, column)
        cursor = _encode([key.isoformat() if isinstance(key, datetime) else key, last.pk])
    folders = [] if after else list(
        Folder.objects.for_purpose(actor, PURPOSE).filter(space=space, parent=folder,
                                                          trashed_at__isnull=True).order_by("name", "pk"))
    return Page(folders=folders, files=rows, next_cursor=cursor, sort=sort)


@dataclass
class Hit:
    kind: str
    pk: int
    name: str
    space: Space
    folder_id: int | None
    size: int = 0


def search(actor: Membership, query: object, limit: int = 50) -> list[Hit]:
    """Files and folders whose name contains ``query``, in every space the actor is in."""
    if not isinstance(query, str) or not query.strip():
        raise ValidationError({"q": "Type part of a name to search for."})
    query = query.strip()
    if len(query) > 200:
        raise ValidationError({"q": "Search for at most 200 characters."})
    spaces = {s.pk: s for s in spaces_for(actor)}
    hidden: set[int] = set(Folder.objects.filter(space_id__in=spaces, trashed_at__isnull=False)
                           .values_list("pk", flat=True))
    hits = [Hit("folder", f.pk, f.name, spaces[f.space_id], f.parent_id)
            for f in Folder.objects.for_purpose(actor, PURPOSE).filter(
                space_id__in=spaces, name__icontains=query, trashed_at__isnull=True)
            .order_by("name", "pk")[:limit]]
    hits += [Hit("file", f.pk, f.name, spaces[f.space_id], f.folder_id, f.size)
             for f in live_files(File.objects.for_purpose(actor, PURPOSE)).filter(
                 space_id__in=spaces, name__icontains=query).order_by("name", "pk")[:limit]
             if f.folder_id not in hidden]
    return hits[:limit]


def breadcrumbs(folder: Folder | None) -> list[Folder]:
    """The folders from the space's root down to ``folder``."""
    trail: list[Folder] = []
    seen: set[int] = set()
    while folder is not None and folder.pk not in seen:
        trail.append(folder)
        seen.add(folder.pk)
        folder = folder.parent
    return list(reversed(trail))


def all_folders(actor: Membership, space: Space) -> list[tuple[Folder, str]]:
    """Every live folder of a space with its path, for the move dialog."""
    folders = {f.pk: f for f in Folder.objects.for_purpose(actor, PURPOSE).filter(
        space=space, trashed_at__isnull=True)}

    def path(f: Folder) -> str:
        parts, seen = [], set()
        node: Folder | None = f
        while node is not None and node.pk not in seen:
            parts.append(node.name)
            seen.add(node.pk)
            node = folders.get(node.parent_id) if node.parent_id else None
        return "/".join(reversed(parts))

    return sorted(((f, path(f)) for f in folders.values()), key=lambda item: item[1].lower())
