"""PF5: members are told when files land in their space, once per batch.

``file_arrived`` runs in the transaction that creates the file: one ``Arrival`` row per other
member of the space. The periodic ``send_digests`` gathers each person's arrivals once the
newest is ``QUIET`` old (a batch of uploads or an import makes one notice, not one per file)
and tells them through ``officium.notifications``: in the app, and by email as each person
chose there (at once, in the daily digest, or not at all). The rows are deleted as they are
told; files trashed meanwhile, or spaces the person left, are not mentioned.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from officium.notifications.services import notify
from officium.portal.models import Arrival, File, SpaceMember

QUIET = timedelta(minutes=2)
"""How long after a person's last arrival the notice waits for more of the batch."""
KIND = "portal.files_arrived"


def file_arrived(file: File) -> None:
    recipients = (SpaceMember.objects.filter(space_id=file.space_id)
                  .exclude(membership__user=file.uploaded_by_id)
                  .values_list("membership__user_id", flat=True))
    Arrival.objects.bulk_create([Arrival(organization_id=file.organization_id, recipient_id=user_id,
                                         file=file) for user_id in recipients])


def send_digests(now: datetime | None = None) -> int:
    """Tell each person whose arrivals are quiet; returns how many were told."""
    from officium.accounts.models import Organization, User

    now = now or timezone.now()
    due = (Arrival.objects.values("recipient_id", "organization_id")
           .annotate(last=Max("created_at")).filter(last__lte=now - QUIET))
    told = 0
    for group in due:
        with transaction.atomic():
            rows = list(Arrival.objects.select_for_update().filter(
                recipient_id=group["recipient_id"], organization_id=group["organization_id"],
                created_at__lte=now).select_related("file__space").order_by("created_at"))
            if not rows:
                continue
            Arrival.objects.filter(pk__in=[r.pk for r in rows]).delete()
            user = User.objects.filter(pk=group["recipient_id"], is_active=True).first()
            member_of = set(SpaceMember.objects.filter(
                membership__user_id=group["recipient_id"],
                space_id__in={r.file.space_id for r in rows}).values_list("space_id", flat=True))
            files = [r.file for r in rows if r.file.space_id in member_of
                     and r.file.trashed_at is None]
            if user is None or not files:
                continue
            organization = Organization.objects.get(pk=group["organization_id"])
            # several versions of one file in the batch are one line, "3 versions", not three
            versions: dict[tuple[int, int | None, str], list[File]] = {}
            for f in files:
                versions.setdefault((f.space_id, f.folder_id, f.name), []).append(f)
            latest = [group_[-1] for group_ in versions.values()]
            spaces = sorted({f.space.name for f in latest})
            where = spaces[0] if len(spaces) == 1 else f"{len(spaces)} spaces"
            if len(latest) == 1:
                title = (f"New file in {where}: {latest[0].name}" if len(files) == 1 else
                         f"New versions in {where}: {latest[0].name}")
                url = reverse("portal:file", kwargs={"org": organization.slug,
                                                     "space_id": latest[0].space_id,
                                                     "file_id": latest[0].pk})
            else:
                title = f"{len(latest)} new files in {where}"
                url = reverse("portal:space", kwargs={"org": organization.slug,
                                                      "space_id": latest[-1].space_id})
            lines = [f"{group_[-1].name} ({group_[-1].space.name})"
                     + (f", {len(group_)} versions" if len(group_) > 1 else "")
                     for group_ in versions.values()]
            body = "\n".join(lines[:20])
            if len(lines) > 20:
                body += f"\n… and {len(lines) - 20} more"
            notify(user, organization, KIND, title, url=url, body=body)
            told += 1
    return told
