"""The consent ledger (CO1): one append-only row per decision, ISO/IEC TS 27560 fields.

A record is never updated; a change of mind is a new record. The current state of a
(subject, purpose, scope) is its latest record. Rows are deleted only by erasure of the
subject (``ledger.erase_subject``); the database refuses updates (and, on PostgreSQL,
deletes outside an erasure) with a trigger, see migration 0002.

``scope`` narrows a purpose-level decision: "" (the purpose itself), ``channel:email``
(marketing channel), ``cookie:analytics`` (a cookie category), ``recipient:<id>`` (an
opt-out of one recipient, PU5: "withdrawn" means opted out).
"""

from __future__ import annotations

import contextvars
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from officium.privacy.registry import NOT_PERSONAL, personal_data

_erasing: contextvars.ContextVar[bool] = contextvars.ContextVar("consent_erasing", default=False)


class AppendOnlyError(RuntimeError):
    """A consent record was about to be changed or deleted outside an erasure."""


class State(models.TextChoices):
    GIVEN = "given", "Given"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Method(models.TextChoices):
    SIGNUP_FORM = "signup_form", "Signup form"
    BANNER = "banner", "Banner"
    PREFERENCE_PAGE = "preference_page", "Preferences page"
    GPC_SIGNAL = "gpc_signal", "Global Privacy Control signal"
    EMAIL_LINK = "email_link", "Link in an email"
    OFFICER = "officer", "Recorded by the privacy officer"
    CARD_FORM = "card_form", "Checkbox on the card form at checkout"
    BILLING_PAGE = "billing_page", "Billing page"
    API = "api", "Through the API, by the account's own token"


class LedgerQuerySet(models.QuerySet["ConsentRecord"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Consent records are append-only: write a new record instead.")

    def delete(self) -> tuple[int, dict[str, int]]:
        if not _erasing.get():
            raise AppendOnlyError("Consent records are deleted only by erasure of the subject.")
        return super().delete()

    def for_subject(self, user_id: int | None = None, visitor_id: str = "") -> LedgerQuerySet:
        if user_id is not None:
            return self.filter(subject_user_id=user_id)
        return self.filter(subject_user__isnull=True, visitor_id=visitor_id)


@personal_data(
    subject="subject_user",
    fields={
        "record_id": NOT_PERSONAL,
        "subject_user": NOT_PERSONAL,
        "visitor_id": NOT_PERSONAL,
        "purpose": "pd:PrivacyPreference",
        "scope": "pd:PrivacyPreference",
        "state": "pd:PrivacyPreference",
        "notice_version": NOT_PERSONAL,
        "method": "pd:PrivacyPreference",
        "recorded_at": NOT_PERSONAL,
        "withdraw_url": NOT_PERSONAL,
        "recorded_by": NOT_PERSONAL,
    },
    retention_anchor="recorded_at",
    data_type="consent",
)
class ConsentRecord(models.Model):
    # 27560 "record id"; the autoincrement pk orders records of one subject.
    record_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The subject: a user (no cascade: the ledger outlives nothing but an erasure) or a
    # pseudonymous visitor id (cookie banner, newsletter subscriber).
    subject_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.DO_NOTHING, db_constraint=False,
                                     related_name="+")
    visitor_id = models.CharField(max_length=64, blank=True, db_index=True)
    purpose = models.CharField(max_length=64)
    scope = models.CharField(max_length=80, blank=True, default="")
    state = models.CharField(max_length=10, choices=State.choices)
    notice_version = models.CharField(max_length=64)
    method = models.CharField(max_length=20, choices=Method.choices)
    recorded_at = models.DateTimeField(default=timezone.now)
    withdraw_url = models.CharField(max_length=300)
    recorded_by = models.BigIntegerField(null=True, blank=True,
                                         help_text="The officer's user id, for method 'officer'.")

    objects = LedgerQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["subject_user", "purpose", "scope", "id"],
                                name="consent_subject_purpose")]
        constraints = [models.CheckConstraint(
            condition=models.Q(subject_user__isnull=False) | ~models.Q(visitor_id=""),
            name="consent_has_subject")]

    def __str__(self) -> str:
        return f"{self.purpose}{':' + self.scope if self.scope else ''} {self.state}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Consent records are append-only: write a new record instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if not _erasing.get():
            raise AppendOnlyError("Consent records are deleted only by erasure of the subject.")
        return super().delete(*args, **kwargs)

    def receipt(self) -> dict[str, Any]:
        """The record as an ISO/IEC TS 27560-style receipt."""
        return {
            "record_id": str(self.record_id),
            "subject": ({"user_id": self.subject_user_id} if self.subject_user_id
                        else {"pseudonymous_id": self.visitor_id}),
            "purpose": self.purpose,
            "scope": self.scope or None,
            "state": self.state,
            "notice_version": self.notice_version,
            "method": self.method,
            "time": self.recorded_at.isoformat(),
            "how_to_withdraw": self.withdraw_url,
        }
