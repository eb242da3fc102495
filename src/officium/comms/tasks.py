"""Background work of comms. Delivery itself is the outbox's (``officium.mail``); comms
contributes the marketing check run again just before a marketing email goes."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from officium.mail.models import OutboxEmail

MARKETING_GUARD = "comms.marketing-consent"


def still_consented(row: OutboxEmail) -> bool:
    """A marketing email whose consent was withdrawn while it waited is cancelled, not sent."""
    from officium.privacy.consent.ledger import Subject
    from officium.privacy.consent.services import may_market

    kind, _, value = str(row.guard_data.get("subject", "")).partition(":")
    if not value:
        return False
    subject = Subject(user_id=int(value)) if kind == "user" else Subject(visitor_id=value)
    return may_market(subject, "email", row.guard_data.get("purpose") or None)


@task(queue_name="email")
def purge_unconfirmed_subscriptions() -> int:
    """Newsletter addresses never confirmed are deleted once their link has expired (AC4)."""
    from officium.comms.models import NewsletterSubscription
    from officium.comms.services import CONFIRM_MAX_AGE

    cutoff = timezone.now() - CONFIRM_MAX_AGE
    deleted, _ = NewsletterSubscription.objects.filter(confirmed_at=None, created_at__lt=cutoff).delete()
    return deleted
