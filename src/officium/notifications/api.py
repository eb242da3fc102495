"""Notifications over the API (UX4): the caller's own list, marking read, the email setting."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from ninja import Router, Schema

from officium.accounts.scoping import SignedInRequest
from officium.notifications import services

router = Router(tags=["notifications"])

MAX_LIMIT = 200


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    organization: str | None
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Schema):
    unread: int
    items: list[NotificationOut]
    next_before: int | None  # pass as ?before= for the next (older) page; null at the end


class MarkReadIn(Schema):
    ids: list[int] | None = None  # null or absent: every unread notification


class MarkReadOut(Schema):
    changed: int
    unread: int


class EmailSettingSchema(Schema):
    email: str  # instant | digest | off


@router.get("/", response=NotificationPage)
def list_notifications(request: SignedInRequest, before: int | None = None, limit: int = 50,
                       unread_only: bool = False) -> NotificationPage:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError({"limit": f"Between 1 and {MAX_LIMIT}."})
    rows = services.inbox(request.user).order_by("-pk")
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    if before is not None:
        rows = rows.filter(pk__lt=before)
    page = list(rows[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return NotificationPage(
        unread=services.unread_count(request.user),
        items=[NotificationOut(id=n.pk, kind=n.kind, title=n.title, body=n.body, url=n.url,
                               organization=n.organization.slug if n.organization else None,
                               created_at=n.created_at, read_at=n.read_at) for n in page],
        next_before=page[-1].pk if more else None)


@router.post("/read", response=MarkReadOut)
def mark_read(request: SignedInRequest, payload: MarkReadIn) -> MarkReadOut:
    changed = services.mark_read(request.user, payload.ids)
    return MarkReadOut(changed=changed, unread=services.unread_count(request.user))


@router.get("/settings", response=EmailSettingSchema)
def get_settings(request: SignedInRequest) -> EmailSettingSchema:
    return EmailSettingSchema(email=services.email_mode(request.user))


@router.put("/settings", response=EmailSettingSchema)
def put_settings(request: SignedInRequest, payload: EmailSettingSchema) -> EmailSettingSchema:
    return EmailSettingSchema(email=services.set_email_mode(request.user, payload.email).email)
