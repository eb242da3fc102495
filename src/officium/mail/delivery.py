"""Delivery by the worker: claim a row, send it, record the outcome; never inside a
transaction, never in a request (the on-commit enqueue runs in the worker in production).

A row is claimed with a conditional UPDATE (pending and due -> sending, with a lease); if
it touched nothing, another worker has it. A failure puts the row back with exponential
backoff until ``MAX_ATTEMPTS``, then it is ``failed`` and shown to staff. A worker that dies
mid-send leaves a ``sending`` row whose lease expires; it is then tried again.

Hooks, so this module needs nothing above it: ``register_sender`` picks the sender for an
organization (comms: an organization's own SMTP server), ``register_guard`` checks a row
again just before it goes (comms: marketing consent still given).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import F, Q
from django.utils import timezone

from officium.mail.models import OutboxEmail, Status

logger = logging.getLogger(__name__)

MAX_ATTEMPTS: int = settings.OFFICIUM_MAIL_MAX_ATTEMPTS
BACKOFF_BASE = timedelta(seconds=settings.OFFICIUM_MAIL_BACKOFF_SECONDS)
BACKOFF_CAP = timedelta(hours=6)
LEASE = timedelta(minutes=5)

Sender = Callable[[int | None], "tuple[str, Any] | None"]
Guard = Callable[[OutboxEmail], bool]
_senders: list[Sender] = []
_guards: dict[str, Guard] = {}


def register_sender(sender: Sender) -> None:
    """``sender(organization_id)`` returns (from address, connection), or None for the default."""
    if sender not in _senders:
        _senders.append(sender)


def register_guard(name: str, guard: Guard) -> None:
    """``guard(row)`` is False when the email must not go any more (it is then cancelled)."""
    _guards[name] = guard


def backoff(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failure: 1, 2, 4, 8 ... minutes, at most six hours."""
    wait: timedelta = BACKOFF_BASE * (2 ** max(attempts - 1, 0))
    return min(wait, BACKOFF_CAP)


def _claimable(now: datetime) -> Q:
    return Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(status=Status.SENDING,
                                                                  lease_until__lt=now)


def claim(pk: int, now: datetime | None = None) -> OutboxEmail | None:
    now = now or timezone.now()
    claimed = OutboxEmail.objects.filter(_claimable(now), pk=pk).update(
        status=Status.SENDING, lease_until=now + LEASE, attempts=F("attempts") + 1)
    return OutboxEmail.objects.get(pk=pk) if claimed else None


def _sender(organization_id: int | None) -> tuple[str, Any]:
    for sender in _senders:
        found = sender(organization_id)
        if found is not None:
            return found
    return settings.DEFAULT_FROM_EMAIL, get_connection()


def _may_send(row: OutboxEmail) -> bool:
    if not row.guard:
        return True
    guard = _guards.get(row.guard)
    return guard is not None and guard(row)


def _settle(row: OutboxEmail, **fields: Any) -> bool:
    """Record the outcome if the row is still this attempt's (a conditional UPDATE)."""
    return bool(OutboxEmail.objects.filter(pk=row.pk, status=Status.SENDING,
                                           attempts=row.attempts).update(lease_until=None, **fields))


def _permanent(error: Exception) -> bool:
    """Every recipient refused with a 5xx code: retrying cannot help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return False


def _error_code(error: Exception) -> str:
    """The error's class and SMTP code: never its message, which may quote the address."""
    code = getattr(error, "smtp_code", None)
    return f"{type(error).__name__}{f' {code}' if code else ''}"[:200]


def deliver(pk: int, now: datetime | None = None) -> str:
    """Send row ``pk`` if it is due and nobody else has it; returns its status afterwards."""
    row = claim(pk, now)
    if row is None:
        status = OutboxEmail.objects.filter(pk=pk).values_list("status", flat=True).first()
        return status or "missing"
    now = timezone.now()
    try:
        if not _may_send(row):
            _settle(row, status=Status.CANCELLED, finished_at=now, body="", headers={})
            return Status.CANCELLED
        from_address, connection = _sender(row.organization_id)
        EmailMessage(row.subject, row.body, from_address, [row.to_address],
                     headers=row.headers or None, connection=connection).send()
    except Exception as error:  # noqa: BLE001 - every delivery failure is retried or recorded
        return _failed(row, error)
    _settle(row, status=Status.SENT, sent_at=now, finished_at=now, body="", headers={},
            last_error="")
    return Status.SENT


def _failed(row: OutboxEmail, error: Exception) -> str:
    now, code = timezone.now(), _error_code(error)
    logger.warning("email %s (%s) attempt %s failed: %s", row.pk, row.category, row.attempts, code)
    if row.attempts >= MAX_ATTEMPTS or _permanent(error):
        _settle(row, status=Status.FAILED, finished_at=now, last_error=code)
        return Status.FAILED
    _settle(row, status=Status.PENDING, next_attempt_at=now + backoff(row.attempts), last_error=code)
    return Status.PENDING


def due(now: datetime | None = None, limit: int = 200) -> list[int]:
    now = now or timezone.now()
    return list(OutboxEmail.objects.filter(_claimable(now)).order_by("next_attempt_at", "pk")
                .values_list("pk", flat=True)[:limit])


def deliver_due(now: datetime | None = None) -> dict[str, int]:
    """Every due row, oldest first: retries and anything whose enqueue was lost."""
    outcomes: dict[str, int] = {}
    for pk in due(now):
        status = deliver(pk, now)
        outcomes[status] = outcomes.get(status, 0) + 1
    return outcomes
