"""PF5: members are told when a file lands in their space, by email as a digest.

``file_arrived`` runs in the transaction that creates the file: one ``Arrival`` row per other
member of the space. The periodic ``send_digests`` gathers each person's arrivals once the
newest is ``QUIET`` old (so a batch of uploads makes one email, not one per file), queues one
email through the outbox, and deletes the rows. In-app notifications go out at once through
``officium.notifications`` when that app is installed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from officium.portal.models import Arrival, File, SpaceMember

QUIET = timedelta(minutes=2)
"""How long after a person's last arrival their digest waits for more of the batch."""


def _notify() -> Any:
    try:
        from officium.notifications import notify  # type: ignore[attr-defined]
    except ImportError:
        return None
    return notify


def file_url(file: File) -> str:
    from django.urls import reverse

    from officium.accounts.models import Organization

    slug = Organization.objects.filter(pk=file.organization_id).values_list("slug", flat=True).first()
    return reverse("portal:file", kwargs={"org": slug, "space_id": file.space_id, "file_id": file.pk})


def file_arrived(file: File) -> None:
    members = (SpaceMember.objects.filter(space_id=file.space_id)
               .exclude(membership__user_id=file.uploaded_by_id)
               .select_related("membership__user", "membership__organization"))
    notify = _notify()
    for member in members:
        user = member.membership.user
        Arrival.objects.create(organization_id=file.organization_id, recipient=user, file=file)
        if notify is not None:
            url = file_url(file)
            organization = member.membership.organization
            transaction.on_commit(lambda u=user, o=organization, link=url, name=file.name: notify(
                u, o, "portal.file_arrived", f"New file: {name}", url=link))


def send_digests(now: datetime | None = None) -> int:
    """Queue one email per person whose arrivals are quiet; returns the emails queued."""
    from officium.accounts.emails import send_service_email
    from officium.accounts.models import Organization, User

    now = now or timezone.now()
    due = (Arrival.objects.values("recipient_id", "organization_id")
           .annotate(last=Max("created_at")).filter(last__lte=now - QUIET))
    sent = 0
    for group in due:
        with transaction.atomic():
            rows = list(Arrival.objects.select_for_update().filter(
                recipient_id=group["recipient_id"], organization_id=group["organization_id"])
                .select_related("file__space", "file__uploaded_by").order_by("created_at"))
            if not rows:
                continue
            user = User.objects.filter(pk=group["recipient_id"], is_active=True).first()
            organization = Organization.objects.get(pk=group["organization_id"])
            # only files still live in a space the person is still in
            still_member = set(SpaceMember.objects.filter(
                membership__user_id=group["recipient_id"],
                space_id__in=[r.file.space_id for r in rows]).values_list("space_id", flat=True))
            arrivals = [r for r in rows if r.file.space_id in still_member
                        and r.file.trashed_at is None]
            Arrival.objects.filter(pk__in=[r.pk for r in rows]).delete()
            if user is None or not arrivals:
                continue
            items: dict[str, Any] = defaultdict(list)
            for r in arrivals:
                items["arrivals"].append({
                    "name": r.file.name, "size": r.file.size, "space": r.file.space.name,
                    "by": str(r.file.uploaded_by) if r.file.uploaded_by else "a former member",
                    "url": file_url(r.file)})
            spaces = sorted({r.file.space.name for r in arrivals})
            send_service_email(user.email, "portal_digest",
                               {"arrivals": items["arrivals"], "count": len(arrivals),
                                "spaces": spaces, "organization": organization.name},
                               organization_id=organization.pk)
            sent += 1
    return sent
