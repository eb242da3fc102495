"""The outbox row: one email from queueing to delivery (or giving up).

The body and headers are cleared once the email is sent: what stays until the policy's
retention deletes the row is who it went to, what kind of email it was and when.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone


class Kind(models.TextChoices):
    SERVICE = "service", "Service (account, security, legal): cannot be opted out of"
    MARKETING = "marketing", "Marketing: only with consent, one-click unsubscribe"


class Status(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed after every retry"
    CANCELLED = "cancelled", "Cancelled before sending"


FINISHED = (Status.SENT, Status.FAILED, Status.CANCELLED)


class OutboxEmail(models.Model):
    """One email on its way. Claimed for sending with a conditional UPDATE
    (pending -> sending), so two workers never send the same row."""

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SERVICE)
    category = models.CharField(max_length=64, help_text="What it is (template name): shown to staff.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+",
                             help_text="The account it concerns, if any: its data subject.")
    organization = models.ForeignKey("accounts.Organization", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     help_text="On whose behalf: its admins see failures; its sender is used.")
    to_address = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    guard = models.CharField(max_length=64, blank=True,
                             help_text="A check run again just before sending (e.g. marketing consent).")
    guard_data = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True,
                                       help_text="Sent, failed or cancelled: retention counts from here.")

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="mail_outbox_due"),
            models.Index(fields=["category", "to_address", "created_at"], name="mail_outbox_throttle"),
            models.Index(fields=["organization", "status"], name="mail_outbox_org"),
            models.Index(Upper("to_address"), name="mail_outbox_to_ci"),  # export by address
        ]

    def __str__(self) -> str:
        return f"{self.kind} email {self.pk} ({self.status})"
