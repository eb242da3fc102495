"""In-app notifications (UX4): one row per person told about something, and each person's
choice of how notifications reach their mailbox (instant, a daily digest, or not at all)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from officium.privacy.access import PurposeManager
from officium.privacy.registry import NOT_PERSONAL, exempt, personal_data

MESSAGE = "pd:Communication"


class EmailMode(models.TextChoices):
    INSTANT = "instant", "Right away, one email each"
    DIGEST = "digest", "Once a day, a digest of what I have not read"
    OFF = "off", "Never: I read them here"


DEFAULT_EMAIL_MODE = EmailMode.DIGEST


@personal_data(
    subject="recipient",
    fields={"organization": NOT_PERSONAL, "recipient": NOT_PERSONAL, "kind": NOT_PERSONAL,
            "title": MESSAGE, "url": NOT_PERSONAL, "body": MESSAGE, "created_at": NOT_PERSONAL,
            "read_at": MESSAGE, "emailed_at": NOT_PERSONAL},
    retention_anchor="created_at",
    data_type="notification",
)
class Notification(models.Model):
    """Something one person was told. ``organization`` is the tenant the event happened in
    (empty for an account-level notice); ``url`` a path inside Officium."""

    organization = models.ForeignKey("accounts.Organization", null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications")
    kind = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    url = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[PurposeManager[Notification]] = PurposeManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True),
                         name="notification_unread"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def unread(self) -> bool:
        return self.read_at is None


@exempt("A choice among three delivery modes and when the last digest went out; who chose it "
        "is an id, and the row goes with the account.")
class NotificationSetting(models.Model):
    """How one person wants notifications emailed; no row means ``DEFAULT_EMAIL_MODE``."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_setting")
    email = models.CharField(max_length=10, choices=EmailMode.choices, default=DEFAULT_EMAIL_MODE)
    last_digest_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.email
