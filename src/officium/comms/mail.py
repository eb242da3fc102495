"""Two kinds of email the code cannot confuse.

``ServiceEmail`` (account, security, legal notices, answers to requests): no consent check,
no unsubscribe, and it stops only when the account is deactivated. ``MarketingEmail``:
sent only with a current consent in the ledger, always with RFC 8058 one-click
unsubscribe headers. Each has its own sending function that refuses the other kind.
Both are queued in the one outbox (``officium.mail``) in the caller's transaction; the
worker delivers them with retries, checking a marketing email's consent again first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

from officium.comms import unsubscribe
from officium.comms.tasks import MARKETING_GUARD
from officium.mail.models import Kind, OutboxEmail
from officium.mail.outbox import queue


class ConsentMissing(PermissionDenied):
    """Marketing to someone without a current consent for it."""


@dataclass(frozen=True)
class ServiceEmail:
    to_address: str
    subject: str
    body: str
    user: Any = None  # the account it concerns, if any
    organization: Any = None  # mail to this organization's clients uses its sender
    category: str = "service"  # what it is, for staff watching deliveries

    @classmethod
    def to_user(cls, user: Any, subject: str, body: str, organization: Any = None,
                category: str = "service") -> ServiceEmail:
        return cls(to_address=user.email, subject=subject, body=body, user=user,
                   organization=organization, category=category)


@dataclass(frozen=True)
class MarketingEmail:
    consent_subject: Any  # officium.privacy.consent.ledger.Subject
    to_address: str
    subject: str
    body: str
    purpose: str | None = None
    organization: Any = None
    category: str = "marketing"

    @classmethod
    def to_user(cls, user: Any, subject: str, body: str, purpose: str | None = None) -> MarketingEmail:
        from officium.privacy.consent.ledger import Subject

        return cls(consent_subject=Subject.of(user), to_address=user.email, subject=subject,
                   body=body, purpose=purpose)


def _id(value: Any) -> int | None:
    return getattr(value, "pk", None) if value is not None else None


def send_service_email(email: ServiceEmail) -> OutboxEmail | None:
    """Queue a service email; None when its account is deactivated (the only way out)."""
    if not isinstance(email, ServiceEmail):
        raise TypeError("send_service_email takes a ServiceEmail; marketing goes through "
                        "send_marketing_email")
    if email.user is not None and not email.user.is_active:
        return None
    return queue(email.to_address, email.subject, email.body, category=email.category,
                 kind=Kind.SERVICE, user_id=_id(email.user),
                 organization_id=_id(email.organization))


def send_marketing_email(email: MarketingEmail) -> OutboxEmail:
    """Queue a marketing email after checking consent; adds List-Unsubscribe headers. The
    consent is checked again just before sending (``comms.tasks.still_consented``)."""
    if not isinstance(email, MarketingEmail):
        raise TypeError("send_marketing_email takes a MarketingEmail")
    from officium.privacy.consent import catalogue, services

    purpose = email.purpose or catalogue.marketing_purpose_id()
    if purpose is None or not catalogue.purpose(purpose).marketing:
        raise ConsentMissing("The privacy policy declares no such marketing purpose.")
    if not services.may_market(email.consent_subject, "email", purpose):
        raise ConsentMissing("This person has not consented to marketing email.")
    token = unsubscribe.make_token(unsubscribe.Unsubscribe(
        subject=email.consent_subject.key, purpose=purpose, channel="email"))
    return queue(
        email.to_address, email.subject,
        f"{email.body.rstrip()}\n\n--\nUnsubscribe with one click: "
        f"{unsubscribe.unsubscribe_url(token)}\n",
        category=email.category, kind=Kind.MARKETING, user_id=email.consent_subject.user_id,
        organization_id=_id(email.organization), headers=unsubscribe.headers_for(token),
        guard=MARKETING_GUARD,
        guard_data={"subject": email.consent_subject.key, "purpose": purpose})
