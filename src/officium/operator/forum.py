"""OP4/RI11: the community forum on the operator's public site. Signed-in people post and
reply; anyone reads. A person asks for their personal information to be removed from one of
their posts; staff honour it (the text is replaced, or the post removed) or refuse with a
reason the person sees. Each outcome leaves evidence: the request row, the post's removal
time and note, and an audit entry."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from officium.accounts.emails import send_service_email
from officium.notifications.services import notify
from officium.operator.audit_events import (
    FORUM_POSTED,
    REMOVAL_HONOURED,
    REMOVAL_REFUSED,
    REMOVAL_REQUESTED,
)
from officium.operator.models import ForumPost, ForumTopic, Outcome, RemovalRequest, RemovalStatus
from officium.privacy import audit
from officium.text import validate_name

REDACTED = "[Personal information removed at the author's request on {day}.]"
REMOVED = "[Post removed at the author's request on {day}.]"


def _body(value: Any) -> str:
    body = str(value or "").strip()
    if not 1 <= len(body) <= 5000:
        raise ValidationError({"body": "Write something (up to 5000 characters)."})
    if "\x00" in body:
        raise ValidationError({"body": "The text holds a character that cannot be stored."})
    return body


def start_topic(user: Any, title: Any, body: Any) -> ForumTopic:
    title = validate_name(" ".join(str(title or "").split()), "title")
    if not 3 <= len(title) <= 140:
        raise ValidationError({"title": "Give the topic a title (3-140 characters)."})
    text = _body(body)
    with transaction.atomic():
        topic = ForumTopic.objects.create(author=user, title=title)
        post = ForumPost.objects.create(topic=topic, author=user, body=text)
        audit.record(FORUM_POSTED, actor=user.pk, subject=user.pk, target=post)
    return topic


def reply(user: Any, topic: ForumTopic, body: Any) -> ForumPost:
    if topic.removed_at is not None:
        raise ValidationError({"body": "This topic was removed."})
    text = _body(body)
    with transaction.atomic():
        post = ForumPost.objects.create(topic=topic, author=user, body=text)
        audit.record(FORUM_POSTED, actor=user.pk, subject=user.pk, target=post)
    return post


def request_removal(user: Any, post: ForumPost, details: Any) -> RemovalRequest:
    """Only for one's own post (someone else's answers 404 and writes nothing)."""
    if post.author_id != user.pk:
        raise Http404
    if post.removed_at is not None or post.redacted_at is not None:
        raise ValidationError({"post": "This post was already redacted or removed."})
    if RemovalRequest.objects.filter(post=post, status=RemovalStatus.PENDING).exists():
        raise ValidationError({"post": "A removal request for this post is already waiting."})
    text = " ".join(str(details or "").split())
    if len(text) > 1000:
        raise ValidationError({"details": "Keep it under 1000 characters."})
    with transaction.atomic():
        created = RemovalRequest.objects.create(post=post, requester=user, details=text)
        audit.record(REMOVAL_REQUESTED, actor=user.pk, subject=user.pk, target=created)
    return created


def decide(staff: Any, removal: RemovalRequest, outcome: str, reason: Any = "") -> RemovalRequest:
    """Honour (``redact`` or ``remove``) or ``refuse`` with a reason; the person is told."""
    if not getattr(staff, "is_staff", False):
        raise PermissionDenied("Only platform staff moderate the forum.")
    reason_text = " ".join(str(reason or "").split())
    if outcome not in (*Outcome.values, "refuse"):
        raise ValidationError({"outcome": "Choose redact, remove or refuse."})
    if outcome == "refuse" and not 3 <= len(reason_text) <= 500:
        raise ValidationError({"reason": "A refusal gives the person its reason (3-500 characters)."})
    now = timezone.now()
    with transaction.atomic():
        if not RemovalRequest.objects.filter(pk=removal.pk, status=RemovalStatus.PENDING).update(
                status=RemovalStatus.REFUSED if outcome == "refuse" else RemovalStatus.HONOURED,
                outcome="" if outcome == "refuse" else outcome, decision_reason=reason_text[:500],
                decided_by=staff, decided_at=now):
            raise ValidationError({"outcome": "This request was decided already."})
        removal.refresh_from_db()
        if outcome != "refuse":
            note = (REDACTED if outcome == Outcome.REDACT else REMOVED).format(day=f"{now:%Y-%m-%d}")
            stamp = {"redacted_at": now} if outcome == Outcome.REDACT else {"removed_at": now}
            ForumPost.objects.filter(pk=removal.post_id).update(body=note, **stamp)
            audit.record(REMOVAL_HONOURED, actor=staff.pk, subject=removal.requester_id, target=removal,
                         details={"outcome": outcome, "post": removal.post_id})
        else:
            audit.record(REMOVAL_REFUSED, actor=staff.pk, subject=removal.requester_id, target=removal,
                         details={"post": removal.post_id})
        send_service_email(removal.requester.email, "forum_removal_decided", {"removal": removal})
        notify(removal.requester, None, "forum.removal_decided",
               f"Your forum removal request was {removal.get_status_display().lower()}", url="/forum/removals/")
    return removal
