"""The operator's side (OP1-OP4): staff accounts, support grants and their accesses, and the
public community forum with removal requests."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from officium.accounts.models import User
from officium.accounts.tenancy import TenantModel
from officium.privacy.access import PurposeManager
from officium.privacy.registry import NOT_PERSONAL, exempt, personal_data

TEXT = "pd:Communication"


@exempt("Marks a platform staff account made by `officium staff create`: ids and a time.")
class StaffAccount(models.Model):
    """OP3: made by the command; such an account does nothing before enrolling two-step sign-in."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="staff_account")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"staff account {self.user_id}"


class Access(models.TextChoices):
    READ = "read", "Read only"
    WRITE = "write", "Read and change"


class Area(models.TextChoices):
    MEMBERS = "members", "Members and roles"
    SETTINGS = "settings", "Organization settings"
    BILLING = "billing", "Plan and invoices"


@personal_data(
    subject="staff",
    fields={"organization": NOT_PERSONAL, "staff": NOT_PERSONAL, "granted_by": NOT_PERSONAL,
            "areas": NOT_PERSONAL, "access": NOT_PERSONAL, "reason": TEXT, "starts_at": NOT_PERSONAL,
            "expires_at": NOT_PERSONAL, "revoked_at": NOT_PERSONAL, "revoked_by": NOT_PERSONAL,
            "created_at": NOT_PERSONAL},
    retention_anchor="created_at",
    data_type="support_grant",
)
class SupportGrant(TenantModel):
    """OP2/PU6: an organization admin lets one named staff member into some areas, read or
    write, from ``starts_at`` to ``expires_at``, for a reason; revoked at once when asked."""

    staff = models.ForeignKey(User, on_delete=models.CASCADE, related_name="support_grants")
    granted_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    areas = models.JSONField(default=list)
    access = models.CharField(max_length=10, choices=Access.choices, default=Access.READ)
    reason = models.CharField(max_length=300)
    starts_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[PurposeManager[SupportGrant]] = PurposeManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["staff", "expires_at"])]

    def is_live(self, now: object = None) -> bool:
        moment = now or timezone.now()
        return self.revoked_at is None and self.starts_at <= moment < self.expires_at  # type: ignore[operator]

    @property
    def area_labels(self) -> str:
        return ", ".join(Area(a).label for a in self.areas if a in Area.values)


@exempt("One access by staff under a grant: ids, area, method and time (PU6 evidence).")
class SupportAccess(TenantModel):
    grant = models.ForeignKey(SupportGrant, on_delete=models.CASCADE, related_name="accesses")
    staff = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    area = models.CharField(max_length=20)
    method = models.CharField(max_length=10)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]


@personal_data(
    subject="author",
    fields={"author": NOT_PERSONAL, "title": TEXT, "created_at": NOT_PERSONAL, "removed_at": NOT_PERSONAL},
    retention_anchor="created_at",
    data_type="forum_post",
)
class ForumTopic(models.Model):
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=140)
    created_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[PurposeManager[ForumTopic]] = PurposeManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["author"])]

    def __str__(self) -> str:
        return self.title


@personal_data(
    subject="author",
    fields={"topic": NOT_PERSONAL, "author": NOT_PERSONAL, "body": TEXT, "created_at": NOT_PERSONAL,
            "redacted_at": NOT_PERSONAL, "removed_at": NOT_PERSONAL},
    retention_anchor="created_at",
    data_type="forum_post",
)
class ForumPost(models.Model):
    """A post (the first of a topic, or a reply). A removal leaves the post in place, its
    text replaced by a note of when and why it was removed (evidence, RI11)."""

    topic = models.ForeignKey(ForumTopic, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    redacted_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[PurposeManager[ForumPost]] = PurposeManager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["author"])]

    def __str__(self) -> str:
        return f"post {self.pk}"


class RemovalStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a moderator"
    HONOURED = "honoured", "Honoured"
    REFUSED = "refused", "Refused"


class Outcome(models.TextChoices):
    REDACT = "redact", "The text was replaced"
    REMOVE = "remove", "The post was removed"


@personal_data(
    subject="requester",
    fields={"post": NOT_PERSONAL, "requester": NOT_PERSONAL, "details": TEXT, "status": NOT_PERSONAL,
            "outcome": NOT_PERSONAL, "decision_reason": NOT_PERSONAL, "decided_by": NOT_PERSONAL,
            "decided_at": NOT_PERSONAL, "created_at": NOT_PERSONAL},
    retention_anchor="created_at",
    data_type="forum_removal",
)
class RemovalRequest(models.Model):
    """RI11: a person asks for their personal information to be removed from their post;
    staff honour it (redact or remove) or refuse with a reason the person sees."""

    post = models.ForeignKey(ForumPost, on_delete=models.CASCADE, related_name="removal_requests")
    requester = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    details = models.CharField(max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=RemovalStatus.choices, default=RemovalStatus.PENDING)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[PurposeManager[RemovalRequest]] = PurposeManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requester"])]

    def __str__(self) -> str:
        return f"removal request {self.pk}"
