"""Telling people things (UX4). ``notify`` is the one call every feature makes: it writes the
notification in the caller's transaction and, for a person who wants each one emailed, queues
the email in the same transaction through the one outbox (a rolled-back change tells nobody).

Other features call it as::

    from officium.notifications.services import notify
    notify(manager.user, organization, "leave.requested", "Bob asked for leave",
           url=reverse("workforce:timesheets", kwargs={"org": organization.slug}))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from officium.mail.service import send_service_email
from officium.notifications.audit_events import EMAIL_SETTING_CHANGED
from officium.notifications.models import (
    DEFAULT_EMAIL_MODE,
    EmailMode,
    Notification,
    NotificationSetting,
)
from officium.privacy import audit

if TYPE_CHECKING:
    from officium.accounts.models import Organization, User

TITLE_LENGTH = Notification._meta.get_field("title").max_length or 200
KIND_LENGTH = Notification._meta.get_field("kind").max_length or 64


def notify(recipient_user: User, organization: Organization | None, kind: str, title: str,
           url: str = "", body: str = "") -> Notification:
    """Tell ``recipient_user`` about ``title`` (with a link to ``url``, a path inside Officium).

    ``kind`` is a stable dotted code (``leave.approved``, ``rights.due``): readers filter by it,
    never by the title. Call it inside the transaction that makes the change.
    """
    if url and (not url.startswith("/") or url.startswith("//")):
        raise ValueError("A notification links to a path inside Officium.")
    title = " ".join(title.split())
    if len(title) > TITLE_LENGTH:
        title = title[: TITLE_LENGTH - 1] + "…"
    row = Notification.objects.create(
        recipient=recipient_user, organization=organization, kind=kind[:KIND_LENGTH], title=title,
        url=url, body=body)
    if email_mode(recipient_user) == EmailMode.INSTANT and recipient_user.is_active:
        send_service_email(recipient_user.email, "notification",
                           {"notification": row, "organization": organization},
                           organization_id=organization.pk if organization else None)
        Notification.objects.filter(pk=row.pk).update(emailed_at=row.created_at)
    return row


def inbox(user: User) -> QuerySet[Notification]:
    """The person's own notifications, newest first (the only way pages and the API read them)."""
    return Notification.objects.filter(recipient=user).select_related("organization")


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user: User, notification_ids: list[int] | None = None) -> int:
    """Mark the person's notifications read (all unread ones when ``notification_ids`` is None);
    returns how many changed. Someone else's ids change nothing."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        rows = rows.filter(pk__in=notification_ids)
    return rows.update(read_at=timezone.now())


def email_mode(user: User) -> str:
    found: str | None = (NotificationSetting.objects.filter(user=user)
                         .values_list("email", flat=True).first())
    return found or DEFAULT_EMAIL_MODE


def set_email_mode(user: User, mode: Any) -> NotificationSetting:
    """Choose how notifications are emailed: instant, daily digest, or off."""
    if mode not in EmailMode.values:
        raise ValidationError({"email": f"Choose one of: {', '.join(EmailMode.values)}."})
    with transaction.atomic():
        setting, _ = NotificationSetting.objects.select_for_update().get_or_create(user=user)
        setting.email = mode
        setting.updated_at = timezone.now()
        setting.save(update_fields=["email", "updated_at"])
        audit.record(EMAIL_SETTING_CHANGED, actor=user.pk, subject=user.pk, target=setting,
                     details={"email": mode})
    return setting
