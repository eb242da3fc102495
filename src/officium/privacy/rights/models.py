"""Data subject requests: the request with an explicit status, its history, and the flags
(restriction, objection) that purpose-bound access honours.

Request state lives here and nowhere else (never only in a cache or a task result): a worker
that dies mid-way leaves a row a later run can claim and finish.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone

from officium.privacy.registry import NOT_PERSONAL, personal_data

# A request records the person's exercise of their privacy choices. The country of residence
# is asked only to decide which rights apply (RI10); it is classified with the request rather
# than as pd:Country, which not every profile declares.
CHOICE = "pd:PrivacyPreference"


class RequestType(models.TextChoices):
    ACCESS = "access", "Access: a copy of my data"
    PORTABILITY = "portability", "Portability: my data in a machine-readable file"
    RECTIFICATION = "rectification", "Rectification: correct my data"
    ERASURE = "erasure", "Erasure: delete my data"
    RESTRICTION = "restriction", "Restriction: keep my data but stop processing it"
    OBJECTION = "objection", "Objection: stop a processing of my data"
    CCPA_KNOW_CATEGORIES = "ccpa_know_categories", "CCPA: know the categories of my data"
    CCPA_KNOW_PIECES = "ccpa_know_pieces", "CCPA: know the specific pieces of my data"
    CCPA_DELETE = "ccpa_delete", "CCPA: delete my data"
    CCPA_OPT_OUT_OF_SALE = "ccpa_opt_out_of_sale", "CCPA: opt out of sale or sharing"
    DO_YOU_HOLD_MY_DATA = "do_you_hold_my_data", "Do you hold any data about me?"


class Status(models.TextChoices):
    RECEIVED = "received", "Received"
    AWAITING_VERIFICATION = "awaiting_verification", "Waiting for identity verification"
    VERIFIED = "verified", "Verified, queued"
    IN_REVIEW = "in_review", "Waiting for the privacy officer's review"
    IN_PROGRESS = "in_progress", "In progress"
    FAILED = "failed", "Failed: stopped after repeated errors, waiting for an officer"
    PAUSED = "paused", "Paused: waiting for the requester"
    COMPLETED = "completed", "Completed"
    DENIED = "denied", "Denied"
    WITHDRAWN = "withdrawn", "Withdrawn"


# A failed request stays open: its deadline still runs and an officer retries or answers it.
OPEN_STATUSES = (Status.RECEIVED, Status.AWAITING_VERIFICATION, Status.VERIFIED, Status.IN_REVIEW,
                 Status.IN_PROGRESS, Status.PAUSED, Status.FAILED)
CLOSED_STATUSES = (Status.COMPLETED, Status.DENIED, Status.WITHDRAWN)


class Channel(models.TextChoices):
    PRIVACY_CENTER = "privacy_center", "Privacy center"
    PUBLIC_FORM = "public_form", "Public request form"
    API = "api", "API"
    OFFICER = "officer", "Filed by a privacy officer"


class Verification(models.TextChoices):
    NONE = "", "Not verified"
    SESSION = "session", "Signed in (no password re-entered)"
    REAUTHENTICATION = "reauthentication", "Password re-entered"
    EMAIL_CODE = "email_code", "Emailed code"
    OFFICER = "officer", "Verified by a privacy officer"


@personal_data(
    subject="subject",
    fields={
        "organization": NOT_PERSONAL, "subject": NOT_PERSONAL, "subject_ref": NOT_PERSONAL,
        "filed_by": NOT_PERSONAL, "ref": NOT_PERSONAL, "request_type": CHOICE,
        "status": NOT_PERSONAL, "email": "pd:EmailAddress", "email_hash": NOT_PERSONAL,
        "residence_country": CHOICE, "residence_region": CHOICE, "rights_group": NOT_PERSONAL,
        "details": CHOICE, "purposes": CHOICE, "channel": NOT_PERSONAL,
        "verification": NOT_PERSONAL, "verified_at": NOT_PERSONAL, "received_at": CHOICE,
        "due_on": NOT_PERSONAL, "extended_at": NOT_PERSONAL, "extension_reason": NOT_PERSONAL,
        "subject_told_of_extension_at": NOT_PERSONAL, "paused_at": NOT_PERSONAL,
        "paused_from": NOT_PERSONAL, "pause_reason": NOT_PERSONAL, "reminded_on": NOT_PERSONAL,
        "completed_at": NOT_PERSONAL, "decision_reason": NOT_PERSONAL, "answer": CHOICE,
        "progress": NOT_PERSONAL, "lease_until": NOT_PERSONAL, "attempts": NOT_PERSONAL,
        "review_draft": CHOICE, "reviewed_at": NOT_PERSONAL, "review_message": CHOICE,
    },
    retention_anchor="received_at",
    data_type="rights_request",
)
class RightsRequest(models.Model):
    organization = models.ForeignKey("accounts.Organization", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     help_text="Whose privacy officers handle it.")
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    subject_ref = models.BigIntegerField(null=True, blank=True,
                                         help_text="The subject's id; survives their erasure.")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    ref = models.CharField(max_length=32, unique=True)
    request_type = models.CharField(max_length=32, choices=RequestType.choices)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.RECEIVED)
    email = models.EmailField(blank=True)
    email_hash = models.CharField(max_length=64, blank=True, db_index=True)
    residence_country = models.CharField(max_length=2)
    residence_region = models.CharField(max_length=6, blank=True)
    rights_group = models.CharField(max_length=63)
    details = models.TextField(blank=True)
    purposes = models.JSONField(default=list, blank=True)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    verification = models.CharField(max_length=20, choices=Verification.choices, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField()
    extended_at = models.DateTimeField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    subject_told_of_extension_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_from = models.CharField(max_length=24, blank=True)
    pause_reason = models.TextField(blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    answer = models.JSONField(default=dict, blank=True)
    # PV3: the draft answer a reviewed request waits with (what would be removed and kept, and
    # why), when the officer approved it, and the message they approved (edited or not).
    review_draft = models.JSONField(default=dict, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_message = models.TextField(blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["due_on", "received_at", "id"]
        indexes = [
            models.Index(fields=["organization", "status", "due_on"]),
            models.Index(fields=["subject_ref", "request_type", "status"]),
            models.Index(fields=["status", "lease_until"]),
            models.Index(Upper("email"), name="rights_request_email_ci"),  # export by address
        ]

    def __str__(self) -> str:
        return f"{self.get_request_type_display()} ({self.ref})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def days_left(self) -> int:
        """The visible countdown: whole days until the due date (negative when overdue)."""
        return (self.due_on - timezone.localdate()).days


@personal_data(
    subject="request__subject",
    fields={"request": NOT_PERSONAL, "at": NOT_PERSONAL, "kind": NOT_PERSONAL,
            "actor": NOT_PERSONAL, "note": CHOICE, "details": NOT_PERSONAL},
    retention_anchor="at",
    data_type="rights_request",
)
class RequestEvent(models.Model):
    """The history of a request: every step, who took it and why (RI8)."""

    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"


class EmailCode(models.Model):
    """The emailed verification code of a request (RI9): only its keyed hash is stored."""

    request = models.OneToOneField(RightsRequest, on_delete=models.CASCADE, related_name="code")
    code_hash = models.CharField(max_length=64)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"code for request {self.request_id}"


class ExportKind(models.TextChoices):
    ACCESS = "access", "Access (Art. 15)"
    PORTABILITY = "portability", "Portability (Art. 20)"


class ExportFile(models.Model):
    """A finished export; its download link expires and every download is audited (RI2)."""

    request = models.OneToOneField(RightsRequest, on_delete=models.CASCADE, related_name="export")
    kind = models.CharField(max_length=16, choices=ExportKind.choices)
    name = models.CharField(max_length=200)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    downloads = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()


@personal_data(
    subject="subject",
    fields={"subject": NOT_PERSONAL, "request": NOT_PERSONAL, "created_at": CHOICE,
            "lifted_at": CHOICE},
    retention_anchor="created_at",
    data_type="privacy_choice",
)
class RestrictionFlag(models.Model):
    """RI5: while active, the subject's data is stored but processed only for legal claims."""

    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    request = models.ForeignKey(RightsRequest, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["lifted_at", "subject"])]

    def __str__(self) -> str:
        return f"restriction of subject {self.subject_id}"


class ObjectionScope(models.TextChoices):
    PURPOSE = "purpose", "One purpose based on legitimate interests"
    MARKETING = "marketing", "All direct marketing (absolute)"
    SALE = "sale", "Sale or sharing (CCPA opt-out)"


@personal_data(
    subject="subject",
    fields={"subject": NOT_PERSONAL, "request": NOT_PERSONAL, "scope": CHOICE,
            "purpose": CHOICE, "created_at": CHOICE, "withdrawn_at": CHOICE},
    retention_anchor="created_at",
    data_type="privacy_choice",
)
class Objection(models.Model):
    """RI6/RI7: an objection to one purpose, to all marketing, or an opt-out of sale/sharing."""

    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    request = models.ForeignKey(RightsRequest, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    scope = models.CharField(max_length=16, choices=ObjectionScope.choices)
    purpose = models.CharField(max_length=63, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["withdrawn_at", "scope", "purpose"])]

    def __str__(self) -> str:
        return f"{self.scope} objection of subject {self.subject_id}"
