"""Account emails. Service mail: it cannot be opted out of. Rendered and queued in the
outbox in the caller's transaction by ``officium.mail.service`` (below the engine, so the
rights workflows use the same function); kept here under its old name for the apps."""

from __future__ import annotations

from officium.mail.service import account_id, send_service_email

__all__ = ["account_id", "send_service_email"]
