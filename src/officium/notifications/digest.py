"""The daily digest: one email per person who chose it, listing the notifications they have
neither read nor been emailed. Each person's rows are claimed by a conditional UPDATE in the
transaction that queues the email, so two workers (or a rerun) never send one twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from officium.mail.service import send_service_email
from officium.notifications.models import (
    DEFAULT_EMAIL_MODE,
    EmailMode,
    Notification,
    NotificationSetting,
)

# An unread notification older than this is left out: the digest tells what is new.
LOOKBACK = timedelta(days=7)
LISTED = 50


def digest_readers() -> Q:
    """People whose setting is the digest (or who have none while the default is the digest)."""
    chose = Exists(NotificationSetting.objects.filter(user=OuterRef("pk"), email=EmailMode.DIGEST))
    if DEFAULT_EMAIL_MODE != EmailMode.DIGEST:
        return Q(chose)
    chose_other = Exists(NotificationSetting.objects.filter(user=OuterRef("pk")).exclude(email=EmailMode.DIGEST))
    return Q(chose) | ~Q(chose_other)


def send_digests(now: datetime | None = None) -> int:
    now = now or timezone.now()
    pending = Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True,
                                          emailed_at__isnull=True, created_at__gte=now - LOOKBACK,
                                          created_at__lte=now)
    readers = (get_user_model().objects.filter(digest_readers(), is_active=True)
               .filter(Exists(pending)).values_list("pk", flat=True))
    return sum(_send_one(user_id, now) for user_id in list(readers))


def _send_one(user_id: int, now: datetime) -> int:
    user = get_user_model().objects.get(pk=user_id)
    with transaction.atomic():
        rows = list(Notification.objects.filter(
            recipient_id=user_id, read_at__isnull=True, emailed_at__isnull=True,
            created_at__gte=now - LOOKBACK, created_at__lte=now).select_related("organization")
            .order_by("-created_at", "-pk"))
        claimed = Notification.objects.filter(pk__in=[r.pk for r in rows], emailed_at__isnull=True).update(
            emailed_at=now)
        if claimed != len(rows) or not rows:
            transaction.set_rollback(True)  # another worker took some of them: it sends
            return 0
        send_service_email(user.email, "notification_digest",
                           {"notifications": rows[:LISTED], "more": max(0, len(rows) - LISTED),
                            "count": len(rows)})
        NotificationSetting.objects.filter(user_id=user_id).update(last_digest_at=now)
    return 1
