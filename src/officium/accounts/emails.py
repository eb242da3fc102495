"""Account emails. Service mail: it cannot be opted out of, and it is sent after commit."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string


def send_service_email(to: str, template: str, context: dict[str, object]) -> None:
    """Render ``accounts/email/<template>.txt`` and send it once the transaction commits."""
    context = {"site_url": settings.SITE_URL, **context}
    text = render_to_string(f"accounts/email/{template}.txt", context)
    subject, _, body = text.partition("\n")

    def deliver() -> None:
        send_mail(subject.strip(), body.lstrip(), None, [to])

    transaction.on_commit(deliver)
