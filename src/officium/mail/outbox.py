"""``queue``: the one way to send an email.

The row is written in the caller's transaction, so a rolled-back change sends nothing and a
committed one cannot lose its mail; delivery is enqueued once the transaction commits and
runs in the worker (``delivery``). Nothing here talks to a mail server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from officium.mail.models import Kind, OutboxEmail


@dataclass(frozen=True)
class Throttle:
    """At most ``limit`` emails of one category to one address per ``window``."""

    limit: int
    window: timedelta = timedelta(hours=1)


class Throttled(Exception):  # noqa: N818 - a condition callers test for, not a failure
    """The recipient already got as many emails of this category as the throttle allows."""


def throttled(to_address: str, category: str, throttle: Throttle) -> bool:
    since = timezone.now() - throttle.window
    recent = OutboxEmail.objects.filter(category=category, to_address__iexact=to_address.strip(),
                                        created_at__gte=since)
    return recent.count() >= throttle.limit


def queue(to_address: str, subject: str, body: str, *, category: str, kind: str = Kind.SERVICE,
          user_id: int | None = None, organization_id: int | None = None,
          headers: Mapping[str, str] | None = None, guard: str = "",
          guard_data: Mapping[str, Any] | None = None,
          throttle: Throttle | None = None) -> OutboxEmail:
    """Write one email to the outbox and have the worker deliver it after commit.

    ``guard`` names a check registered with ``delivery.register_guard`` that runs again just
    before sending (a marketing email whose consent was withdrawn meanwhile is cancelled).
    With ``throttle``, raises ``Throttled`` instead when the address had its share already.
    """
    to_address = to_address.strip()
    if throttle is not None and throttled(to_address, category, throttle):
        raise Throttled(category)
    row = OutboxEmail.objects.create(
        kind=kind, category=category[:64], user_id=user_id, organization_id=organization_id,
        to_address=to_address, subject=" ".join(subject.split())[:200], body=body,
        headers=dict(headers or {}), guard=guard, guard_data=dict(guard_data or {}))
    pk = row.pk

    def enqueue() -> None:
        from officium.mail.tasks import deliver_email

        deliver_email.enqueue(pk)

    transaction.on_commit(enqueue)
    return row
