"""Two kinds of email the code cannot confuse.

``ServiceEmail`` (account, security, legal notices, answers to requests): no consent check,
no unsubscribe, and it stops only when the account is deactivated. ``MarketingEmail``:
sent only with a current consent in the ledger, always with RFC 8058 one-click
unsubscribe headers. Each has its own sending function that refuses the other kind.
Both go into the outbox and a task sends them after the transaction commits, with retries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from officium.comms import unsubscribe
from officium.comms.models import EmailKind, OutboundEmail


class ConsentMissing(PermissionDenied):
    """Marketing to someone without a current consent for it."""


@dataclass(frozen=True)
class ServiceEmail:
    to_address: str
    subject: str
    body: str
    user: Any = None  # the account it concerns, if any
    organization: Any = None  # mail to this organization's clients uses its sender

    @classmethod
    def to_user(cls, user: Any, subject: str, body: str, organization: Any = None) -> ServiceEmail:
        return cls(to_address=user.email, subject=subject, body=body, user=user,
                   organization=organization)


@dataclass(frozen=True)
class MarketingEmail:
    consent_subject: Any  # officium.privacy.consent.ledger.Subject
    to_address: str
    subject: str
    body: str
    purpose: str | None = None
    organization: Any = None

    @classmethod
    def to_user(cls, user: Any, subject: str, body: str, purpose: str | None = None) -> MarketingEmail:
        from officium.privacy.consent.ledger import Subject

        return cls(consent_subject=Subject.of(user), to_address=user.email, subject=subject,
                   body=body, purpose=purpose)


def _enqueue_on_commit(row: OutboundEmail) -> None:
    from officium.comms.tasks import deliver_email

    transaction.on_commit(lambda: deliver_email.enqueue(row.pk))


def send_service_email(email: ServiceEmail) -> OutboundEmail | None:
    """Queue a service email; None when its account is deactivated (the only way out)."""
    if not isinstance(email, ServiceEmail):
        raise TypeError("send_service_email takes a ServiceEmail; marketing goes through "
                        "send_marketing_email")
    if email.user is not None and not email.user.is_active:
        return None
    row = OutboundEmail.objects.create(
        kind=EmailKind.SERVICE, user=email.user, organization=email.organization,
        to_address=email.to_address, subject=email.subject[:200], body=email.body)
    _enqueue_on_commit(row)
    return row


def send_marketing_email(email: MarketingEmail) -> OutboundEmail:
    """Queue a marketing email after checking consent; adds List-Unsubscribe headers."""
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
    user_id = email.consent_subject.user_id
    row = OutboundEmail.objects.create(
        kind=EmailKind.MARKETING, user_id=user_id, organization=email.organization,
        to_address=email.to_address, subject=email.subject[:200],
        body=f"{email.body.rstrip()}\n\n--\nUnsubscribe with one click: "
             f"{unsubscribe.unsubscribe_url(token)}\n",
        headers=unsubscribe.headers_for(token), consent_subject=email.consent_subject.key,
        consent_purpose=purpose)
    _enqueue_on_commit(row)
    return row
