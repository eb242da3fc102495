"""Service emails: rendered from a template and queued in the outbox in the caller's
transaction. Service mail cannot be opted out of.

Here, below the engine, so the privacy workflows (rights requests) and accounts send through
the same function without the engine importing accounts. Templates live under
``accounts/email/<template>.txt`` (first line: subject), whichever app ships them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string

from officium.mail.models import OutboxEmail
from officium.mail.outbox import Throttle, queue


def account_id(email: str) -> int | None:
    """The account an address belongs to: its outbox rows are then that person's data
    (exported and erased with them)."""
    found: int | None = (get_user_model().objects.filter(email__iexact=email.strip())
                         .values_list("pk", flat=True).first())
    return found


def send_service_email(to: str, template: str, context: dict[str, Any], *,
                       organization_id: int | None = None,
                       throttle: Throttle | None = None) -> OutboxEmail:
    """Render ``accounts/email/<template>.txt`` (first line: subject) and queue it.

    Raises ``officium.mail.outbox.Throttled`` when ``throttle`` allows no more to ``to``.
    """
    context = {"site_url": settings.SITE_URL, **context}
    text = render_to_string(f"accounts/email/{template}.txt", context)
    subject, _, body = text.partition("\n")
    return queue(to, subject.strip(), body.lstrip(), category=template, user_id=account_id(to),
                 organization_id=organization_id, throttle=throttle)
