"""What the privacy engine keeps besides the audit log: published policy versions and who
accepted them (NO2), reports of children's accounts (NO4) and disclosures to authorities (PU4).

Organizations and users are referenced by model name, never imported: the engine sits below
the accounts app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from officium.privacy.registry import NOT_PERSONAL, exempt, personal_data


class PolicyVersion(models.Model):
    """One published policy: the exact content people were shown, and when it applies."""

    profile = models.CharField(max_length=63)
    number = models.PositiveIntegerField(help_text="1, 2, 3... per profile, in posting order.")
    content_hash = models.CharField(max_length=64)
    revised = models.DateField()
    posted_at = models.DateTimeField(default=timezone.now)
    effective_date = models.DateField()
    material = models.BooleanField(default=False)
    changes = models.JSONField(default=list, blank=True,
                               help_text="Why the version is material, one line per reason.")
    policy = models.JSONField(help_text="The policy as published (canonical JSON).")
    notice_markdown = models.TextField()

    class Meta:
        ordering = ["-posted_at", "-id"]
        # Two processes publishing at once: the second fails here and finds the first's row.
        constraints = [models.UniqueConstraint(fields=["profile", "number"],
                                               name="one_policy_version_number")]

    def __str__(self) -> str:
        return f"{self.profile} version {self.number}, revised {self.revised}"


class Decision(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    REFUSED = "refused", "Refused"


@personal_data(
    subject="user",
    fields={"user": NOT_PERSONAL, "version": NOT_PERSONAL, "decision": "pd:PrivacyPreference",
            "decided_at": NOT_PERSONAL},
    retention_anchor="decided_at",
    data_type="privacy_choice",
)
class PolicyAcceptance(models.Model):
    """Append-only: a person's answer to a material change; the latest row per version counts."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="policy_decisions")
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="decisions")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["user", "version"])]

    def __str__(self) -> str:
        return f"{self.decision} version {self.version_id} by user {self.user_id}"


class ChildReportStatus(models.TextChoices):
    OPEN = "open", "Waiting for review"
    CONFIRMED = "confirmed", "Confirmed: account deleted"
    DISMISSED = "dismissed", "Dismissed"
    CLOSED = "closed", "Closed: the account no longer exists"


@exempt("Names an account by id while a report is open and states nothing else about the "
        "person (the typed email is used to find the account and dropped). Confirming deletes "
        "the account and empties the link, leaving evidence with no personal data; erasing "
        "the account must not erase that evidence.")
class ChildReport(models.Model):
    """A report that an account belongs to a child, one per organization of that account, for
    that organization's privacy officers to confirm or dismiss (NO4)."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE,
                                      related_name="+")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                related_name="+")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=ChildReportStatus.choices,
                              default=ChildReportStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"child report #{self.pk} ({self.status})"


class LegalGround(models.TextChoices):
    COURT_ORDER = "court_order", "Court order"
    SUBPOENA = "subpoena", "Subpoena"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (statute)"
    AUTHORITY_REQUEST = "authority_request", "Lawful request of a public authority"
    VITAL_INTERESTS = "vital_interests", "Protection of someone's life or safety"


@exempt("A disclosure's authority, legal ground, date and category ids; its subjects are "
        "DisclosureSubject rows and the officer who recorded it is an id.")
class Disclosure(models.Model):
    """Personal data handed to a public authority, recorded with its legal ground (PU4)."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE,
                                     related_name="+")
    recipient = models.CharField(max_length=200, help_text="The authority that received the data.")
    legal_ground = models.CharField(max_length=20, choices=LegalGround.choices)
    reference = models.CharField(max_length=200, blank=True,
                                 help_text="The order's or request's reference number.")
    disclosed_on = models.DateField()
    categories = models.JSONField(help_text="Ids of the policy's categories disclosed.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-disclosed_on", "-id"]

    def __str__(self) -> str:
        return f"disclosure #{self.pk} to {self.recipient} on {self.disclosed_on}"


@personal_data(
    subject="subject",
    fields={"organization": NOT_PERSONAL, "disclosure": NOT_PERSONAL, "subject": NOT_PERSONAL},
    data_type="disclosure",
)
class DisclosureSubject(models.Model):
    """Whose data a disclosure contained: a person can learn which disclosures concern them."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE,
                                     related_name="+")
    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="subjects")
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["disclosure", "subject"],
                                               name="one_row_per_disclosed_subject")]

    def __str__(self) -> str:
        return f"user {self.subject_id} in disclosure {self.disclosure_id}"
from officium.privacy.office.models import Breach, BreachEvent, BreachSubject  # noqa: E402, F401  (PV5)
