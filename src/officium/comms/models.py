"""Communications: organization SMTP senders, newsletter subscriptions, contact and support
messages, complaints and site announcements. Email itself waits in the one outbox
(``officium.mail``).

Each form stores only what it asks for, for its declared purpose (contact and support:
customer_support; newsletter: marketing, only the email address).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from officium.accounts.tenancy import TenantModel
from officium.privacy.registry import NOT_PERSONAL, exempt, personal_data


class OrganizationMailSettings(TenantModel):
    """An organization's own SMTP sender for mail to its clients (WorkOptima's outbound email).

    The password is encrypted with a key derived from the master key (vault primitives);
    ``password_encrypted`` is False only for rows written when no master key was available.
    """

    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=587)
    username = models.CharField(max_length=255, blank=True)
    password_token = models.BinaryField(blank=True, default=b"")
    password_encrypted = models.BooleanField(default=True)
    use_tls = models.BooleanField(default=True)
    from_address = models.EmailField()
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="one_mail_sender_per_org")]

    def __str__(self) -> str:
        return f"mail sender of organization {self.organization_id}"


class NewsletterSubscription(models.Model):
    """Double opt-in (AC4): only the email address is stored; confirmed by the emailed link.
    Consent lives in the ledger under ``subject_id`` (a pseudonymous id)."""

    email = models.EmailField(unique=True)
    subject_id = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"newsletter subscription {self.pk}"


class ContactMessage(models.Model):
    """The contact form: a name, an address to answer and the message (customer_support)."""

    submission_id = models.UUIDField(unique=True)
    name = models.CharField(max_length=150)
    email = models.EmailField()
    message = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"contact message {self.pk}"


@personal_data(
    subject="user",
    fields={"submission_id": NOT_PERSONAL, "user": NOT_PERSONAL, "topic": "pd:Communication",
            "message": "pd:Communication", "created_at": NOT_PERSONAL, "closed_at": NOT_PERSONAL},
    retention_anchor="created_at",
    data_type="support_request",
)
class SupportRequest(models.Model):
    """The support form of a signed-in person: the account answers, so only topic and text."""

    submission_id = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    topic = models.CharField(max_length=200)
    message = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"support request {self.pk}"


class ComplaintStatus(models.TextChoices):
    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"
    CLOSED = "closed", "Closed"


@personal_data(
    subject="user",
    fields={"reference": NOT_PERSONAL, "submission_id": NOT_PERSONAL, "user": NOT_PERSONAL,
            "topic": "pd:Communication", "message": "pd:Communication", "status": NOT_PERSONAL,
            "answer": "pd:Communication", "answered_by": NOT_PERSONAL, "answered_at": NOT_PERSONAL,
            "created_at": NOT_PERSONAL, "closed_at": NOT_PERSONAL},
    retention_anchor="created_at",
    data_type="complaint",
)
class Complaint(models.Model):
    """A privacy complaint, tracked until it is answered and closed (NO5)."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    submission_id = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    topic = models.CharField(max_length=200)
    message = models.TextField(max_length=5000)
    status = models.CharField(max_length=10, choices=ComplaintStatus.choices,
                              default=ComplaintStatus.OPEN)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"complaint {self.reference}"


@exempt("A site-wide notice; who posted it is an id.")
class Announcement(models.Model):
    """A notice every user sees as a banner until they dismiss it (NO3: change of ownership)."""

    kind = models.CharField(max_length=30, default="ownership_transfer")
    title = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


@exempt("Which announcement a user dismissed: two ids and a time.")
class AnnouncementDismissal(models.Model):
    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="dismissals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    dismissed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["announcement", "user"],
                                               name="one_dismissal_per_user")]

    def __str__(self) -> str:
        return f"dismissal of {self.announcement_id} by {self.user_id}"
