"""Delivery: one task per email, after commit; failures retry with backoff until MAX_ATTEMPTS.

A failed attempt schedules ``next_attempt_at``; the worker's scheduler runs
``retry_due_emails`` every minute and re-enqueues what is due. A marketing email whose
consent was withdrawn while it waited is cancelled, not sent.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from officium.comms.models import DeliveryStatus, EmailKind, OutboundEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))


def backoff(attempts: int) -> timedelta:
    return BACKOFF[min(attempts - 1, len(BACKOFF) - 1)]


def _still_consented(row: OutboundEmail) -> bool:
    from officium.privacy.consent.ledger import Subject
    from officium.privacy.consent.services import may_market

    kind, _, value = row.consent_subject.partition(":")
    subject = Subject(user_id=int(value)) if kind == "user" else Subject(visitor_id=value)
    return may_market(subject, "email", row.consent_purpose)


def attempt(email_id: int) -> str:
    """Try to send one queued email now; returns its status afterwards."""
    from officium.comms.senders import sender_for

    with transaction.atomic():
        row = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if row is None or row.status != DeliveryStatus.QUEUED:
            return row.status if row else "missing"
        if row.kind == EmailKind.MARKETING and not _still_consented(row):
            row.status = DeliveryStatus.CANCELLED
            row.save(update_fields=["status"])
            return row.status
        row.attempts += 1
        try:
            from_address, connection = sender_for(row.organization_id)
            EmailMessage(row.subject, row.body, from_address, [row.to_address],
                         headers=row.headers or None, connection=connection).send()
        except Exception as error:  # noqa: BLE001 - any delivery failure is retried
            row.last_error = f"{type(error).__name__}"[:200]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = DeliveryStatus.FAILED
            else:
                row.next_attempt_at = timezone.now() + backoff(row.attempts)
            logger.warning("email %s attempt %s failed: %s", row.pk, row.attempts, row.last_error)
        else:
            row.status, row.sent_at, row.last_error = DeliveryStatus.SENT, timezone.now(), ""
        row.save(update_fields=["attempts", "status", "sent_at", "last_error", "next_attempt_at"])
        return row.status


@task(queue_name="email")
def deliver_email(email_id: int) -> str:
    return attempt(email_id)


def due_retries(now=None) -> list[int]:  # type: ignore[no-untyped-def]
    now = now or timezone.now()
    from django.db.models import Q

    failed_before = Q(attempts__gt=0, next_attempt_at__lte=now)
    never_picked_up = Q(attempts=0, created_at__lte=now - timedelta(minutes=5))  # lost enqueue
    return list(OutboundEmail.objects.filter(failed_before | never_picked_up,
                                             status=DeliveryStatus.QUEUED)
                .order_by("next_attempt_at").values_list("pk", flat=True)[:500])


@task(queue_name="email")
def retry_due_emails() -> int:
    due = due_retries()
    for pk in due:
        deliver_email.enqueue(pk)
    return len(due)


@task(queue_name="email")
def purge_unconfirmed_subscriptions() -> int:
    """Newsletter addresses never confirmed are deleted once their link has expired (AC4)."""
    from officium.comms.models import NewsletterSubscription
    from officium.comms.services import CONFIRM_MAX_AGE

    cutoff = timezone.now() - CONFIRM_MAX_AGE
    deleted, _ = NewsletterSubscription.objects.filter(confirmed_at=None, created_at__lt=cutoff).delete()
    return deleted
