"""Password reset mail goes through the outbox like every other email, and one address gets
at most ``RESETS_PER_HOUR`` reset emails an hour. Over that, the email is silently not sent:
the page answers the same whether the address has an account, was throttled or neither."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.template.loader import render_to_string

from officium.mail.outbox import Throttle, Throttled, queue

logger = logging.getLogger(__name__)

RESETS_PER_HOUR: int = settings.OFFICIUM_PASSWORD_RESETS_PER_HOUR


class OutboxPasswordResetForm(PasswordResetForm):
    def send_mail(self, subject_template_name: str, email_template_name: str,
                  context: dict[str, Any], from_email: str | None, to_email: str,
                  html_email_template_name: str | None = None) -> None:
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        user = context.get("user")
        try:
            queue(to_email, subject, body, category="password_reset",
                  user_id=getattr(user, "pk", None), throttle=Throttle(RESETS_PER_HOUR))
        except Throttled:
            logger.info("password reset email not sent: hourly limit for the address reached")
