"""Communications operations: validate, change + audit in one transaction, mail on commit."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from officium.accounts.models import Membership, User
from officium.comms import unsubscribe
from officium.comms.mail import (
    MarketingEmail,
    ServiceEmail,
    send_marketing_email,
    send_service_email,
)
from officium.comms.models import (
    Announcement,
    AnnouncementDismissal,
    Complaint,
    ComplaintStatus,
    ContactMessage,
    NewsletterSubscription,
    OrganizationMailSettings,
    SupportRequest,
)
from officium.privacy import audit
from officium.privacy.consent import catalogue
from officium.privacy.consent.ledger import Subject
from officium.privacy.consent.models import Method
from officium.privacy.consent.services import may_market, set_channel

CONFIRM_SALT = "officium.comms.newsletter-confirm"
CONFIRM_MAX_AGE = timedelta(days=3)
RESEND_AFTER = timedelta(minutes=10)


def _render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    from django.conf import settings

    text = render_to_string(f"comms/email/{template}.txt", {"site_url": settings.SITE_URL, **context})
    subject, _, body = text.partition("\n")
    return subject.strip(), body.lstrip()


def _submission_id(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError) as error:
        raise ValidationError({"submission_id": "Reload the form and send it again."}) from error


# --- unsubscribe (CO4) ------------------------------------------------------------------

def unsubscribe_with_token(token: str) -> bool:
    """Withdraw the marketing consent a link names (method email_link). True if it changed."""
    item = unsubscribe.read_token(token)
    kind, _, value = item.subject.partition(":")
    if kind == "user" and value.isdigit():
        subject = Subject(user_id=int(value))
    elif kind == "visitor" and value:
        subject = Subject(visitor_id=value)
    else:
        raise unsubscribe.InvalidToken("This unsubscribe link is not valid.")
    return set_channel(subject, item.channel, False, Method.EMAIL_LINK, purpose=item.purpose) is not None


# --- newsletter (AC4) -------------------------------------------------------------------

def subscribe_newsletter(email: str) -> NewsletterSubscription:
    """Store the address, unconfirmed, and email a confirmation link (double opt-in)."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({"email": "Enter a valid email address."}) from error
    if catalogue.marketing_purpose_id() is None:
        raise ValidationError({"email": "This service sends no newsletter."})
    with transaction.atomic():
        try:
            with transaction.atomic():
                sub, created = NewsletterSubscription.objects.get_or_create(
                    email=email, defaults={"subject_id": "nl-" + secrets.token_urlsafe(18)})
        except IntegrityError:
            sub, created = NewsletterSubscription.objects.get(email=email), False
        sent = sub.confirmation_sent_at
        if sub.confirmed_at is None and (sent is None or sent < timezone.now() - RESEND_AFTER):
            sub.confirmation_sent_at = timezone.now()
            sub.save(update_fields=["confirmation_sent_at"])
            token = signing.dumps(sub.pk, salt=CONFIRM_SALT)
            subject, body = _render("newsletter_confirm", {"token": token})
            send_service_email(ServiceEmail(to_address=sub.email, subject=subject, body=body,
                                            category="newsletter_confirm"))
        if created:
            audit.record("comms.newsletter_subscribed", target=sub)
    return sub


def confirm_newsletter(token: str) -> NewsletterSubscription:
    try:
        pk = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired as error:
        raise ValidationError({"token": "This confirmation link has expired: subscribe again."}) from error
    except signing.BadSignature as error:
        raise ValidationError({"token": "This confirmation link is not valid."}) from error
    with transaction.atomic():
        sub = NewsletterSubscription.objects.select_for_update().filter(pk=pk).first()
        if sub is None:
            raise ValidationError({"token": "This subscription no longer exists."})
        if sub.confirmed_at is None:
            sub.confirmed_at = timezone.now()
            sub.save(update_fields=["confirmed_at"])
            audit.record("comms.newsletter_confirmed", target=sub)
        set_channel(Subject(visitor_id=sub.subject_id), "email", True, Method.EMAIL_LINK)
    return sub


def send_newsletter(subject: str, body: str) -> int:
    """Queue one marketing email per confirmed subscriber who still consents."""
    count = 0
    with transaction.atomic():
        for sub in NewsletterSubscription.objects.exclude(confirmed_at=None).iterator():
            consent = Subject(visitor_id=sub.subject_id)
            if may_market(consent):
                send_marketing_email(MarketingEmail(consent_subject=consent, to_address=sub.email,
                                                    subject=subject, body=body,
                                                    category="newsletter"))
                count += 1
    return count


# --- contact, support, complaints (NO5) -------------------------------------------------

def submit_contact(submission_id: Any, name: str, email: str, message: str) -> tuple[ContactMessage, bool]:
    """(message, created): a double submit of the same form returns the first, unchanged."""
    sid = _submission_id(submission_id)
    errors = {}
    if not (name or "").strip():
        errors["name"] = "Tell us your name."
    try:
        validate_email((email or "").strip())
    except ValidationError:
        errors["email"] = "Enter a valid email address so we can answer."
    if not (message or "").strip():
        errors["message"] = "Write your message."
    elif len(message) > 5000:
        errors["message"] = "Keep it under 5000 characters."
    if errors:
        raise ValidationError(errors)
    existing = ContactMessage.objects.filter(submission_id=sid).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            row = ContactMessage.objects.create(submission_id=sid, name=name.strip()[:150],
                                                email=email.strip().lower(), message=message.strip())
            audit.record("comms.contact_received", target=row)
    except IntegrityError:
        return ContactMessage.objects.get(submission_id=sid), False
    return row, True


def submit_support(user: Any, submission_id: Any, topic: str, message: str) -> tuple[SupportRequest, bool]:
    sid = _submission_id(submission_id)
    _require_text(topic, message)

    def create() -> SupportRequest:
        row = SupportRequest.objects.create(submission_id=sid, user=user, topic=topic.strip()[:200],
                                            message=message.strip())
        audit.record("comms.support_received", actor=user, subject=user, target=row)
        return row

    return _create_once(SupportRequest, sid, user, create)


def _create_once(model: Any, sid: Any, user: Any, create: Any) -> tuple[Any, bool]:
    """A double submit (same submission id) returns the first row instead of writing another."""
    existing = model.objects.filter(submission_id=sid).first()
    if existing is not None:
        if existing.user_id != user.pk:
            raise ValidationError({"submission_id": "Reload the form and send it again."})
        return existing, False
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        return model.objects.get(submission_id=sid, user=user), False


def _require_text(topic: str, message: str) -> None:
    errors = {}
    if not (topic or "").strip():
        errors["topic"] = "Give a short topic."
    elif len(topic) > 200:
        errors["topic"] = "Keep the topic under 200 characters."
    if not (message or "").strip():
        errors["message"] = "Write your message."
    elif len(message) > 5000:
        errors["message"] = "Keep it under 5000 characters."
    if errors:
        raise ValidationError(errors)


def file_complaint(user: Any, submission_id: Any, topic: str, message: str) -> tuple[Complaint, bool]:
    sid = _submission_id(submission_id)
    _require_text(topic, message)

    def create() -> Complaint:
        row = Complaint.objects.create(submission_id=sid, user=user, topic=topic.strip()[:200],
                                       message=message.strip())
        audit.record("comms.complaint_filed", actor=user, subject=user, target=row)
        subject, body = _render("complaint_received", {"complaint": row})
        send_service_email(ServiceEmail.to_user(user, subject, body, category="complaint_received"))
        return row

    return _create_once(Complaint, sid, user, create)


def _require_officer(actor: User) -> None:
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied("Only the privacy officer answers complaints.")


def answer_complaint(officer: User, complaint: Complaint, answer: str, close: bool = False) -> Complaint:
    _require_officer(officer)
    if not (answer or "").strip():
        raise ValidationError({"answer": "Write the answer."})
    if complaint.status == ComplaintStatus.CLOSED:
        raise ValidationError({"status": "This complaint is closed."})
    with transaction.atomic():
        now = timezone.now()
        complaint.answer, complaint.answered_by, complaint.answered_at = answer.strip(), officer, now
        complaint.status = ComplaintStatus.CLOSED if close else ComplaintStatus.ANSWERED
        complaint.closed_at = now if close else None
        complaint.save(update_fields=["answer", "answered_by", "answered_at", "status", "closed_at"])
        audit.record("comms.complaint_answered", actor=officer, subject=complaint.user_id,
                     target=complaint, details={"status": complaint.status})
        subject, body = _render("complaint_answered", {"complaint": complaint})
        send_service_email(ServiceEmail.to_user(complaint.user, subject, body,
                                                category="complaint_answered"))
    return complaint


def close_complaint(actor: User, complaint: Complaint) -> Complaint:
    if actor.pk != complaint.user_id:
        _require_officer(actor)
    if complaint.status == ComplaintStatus.CLOSED:
        return complaint
    with transaction.atomic():
        complaint.status, complaint.closed_at = ComplaintStatus.CLOSED, timezone.now()
        complaint.save(update_fields=["status", "closed_at"])
        audit.record("comms.complaint_closed", actor=actor, subject=complaint.user_id, target=complaint)
    return complaint


# --- change of ownership (NO3) ----------------------------------------------------------

def announce_transfer(new_owner: str, actor: User | None = None, effective_on: Any = None) -> tuple[Announcement, int]:
    """Tell every active user, by service email and a banner until dismissed."""
    new_owner = (new_owner or "").strip()
    if not new_owner:
        raise ValidationError({"new_owner": "Name the new owner."})
    if len(new_owner) > 150:
        raise ValidationError({"new_owner": "Keep the name under 150 characters."})
    if actor is not None and not getattr(actor, "is_staff", False):
        raise PermissionDenied("Only the operator announces a change of ownership.")
    controller = catalogue.policy().controller
    context = {"new_owner": new_owner, "controller": controller, "effective_on": effective_on}
    title = f"{controller.name} is changing ownership"
    subject, body = _render("ownership_transfer", context)
    with transaction.atomic():
        announcement = Announcement.objects.create(kind="ownership_transfer", title=title,
                                                   body=body, created_by=actor)
        count = 0
        for user in get_user_model().objects.filter(is_active=True).iterator():
            send_service_email(ServiceEmail.to_user(user, subject, body,
                                                    category="ownership_transfer"))
            count += 1
        audit.record("comms.ownership_transfer_announced", actor=actor, target=announcement,
                     details={"recipients": count})
    return announcement, count


def active_announcements(user: Any) -> list[Announcement]:
    if user is None or not user.is_authenticated:
        return list(Announcement.objects.all()[:3])
    return list(Announcement.objects.exclude(dismissals__user=user)[:3])


def dismiss_announcement(user: Any, announcement_id: Any) -> bool:
    try:
        announcement = Announcement.objects.get(pk=int(announcement_id))
    except (Announcement.DoesNotExist, TypeError, ValueError) as error:
        raise ValidationError({"announcement": "No such announcement."}) from error
    _, created = AnnouncementDismissal.objects.get_or_create(announcement=announcement, user=user)
    return created


# --- organization sender ----------------------------------------------------------------

def save_mail_settings(actor: Membership, data: dict[str, Any]) -> OrganizationMailSettings:
    """An organization's own SMTP sender (owners and administrators)."""
    from officium.accounts.roles import ADMINISTRATORS
    from officium.comms.senders import seal_password

    if actor.role not in ADMINISTRATORS:
        raise PermissionDenied("Only owners and administrators configure the mail sender.")
    organization_id = actor.organization_id
    with transaction.atomic():
        row = OrganizationMailSettings.objects.filter(organization_id=organization_id).first()
        row = row or OrganizationMailSettings(organization_id=organization_id)
        for field in ("host", "port", "username", "use_tls", "from_address", "enabled"):
            setattr(row, field, data[field])
        if data.get("password"):
            row.password_token, row.password_encrypted = seal_password(organization_id, data["password"])
        row.updated_at = timezone.now()
        row.save()
        audit.record("comms.mail_sender_saved", actor=actor.user, organization=organization_id,
                     target=row, details={"encrypted": row.password_encrypted})
    return row
