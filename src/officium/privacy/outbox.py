"""The outbox holds recipients' addresses and what was sent to them: the engine registers it
here (the mail app sits below the engine and imports nothing from it), so export, erasure
and retention handle it like any other personal data. Its rows are deleted by the policy's
``outbox_email`` retention rule, counted from when delivery finished."""

from __future__ import annotations

from officium.mail.models import OutboxEmail
from officium.privacy.registry import NOT_PERSONAL, personal_data

personal_data(
    subject="user",
    fields={
        "kind": NOT_PERSONAL, "category": NOT_PERSONAL, "user": NOT_PERSONAL,
        "organization": NOT_PERSONAL, "to_address": "pd:EmailAddress",
        "subject": "pd:Communication", "body": "pd:Communication", "headers": NOT_PERSONAL,
        "guard": NOT_PERSONAL, "guard_data": NOT_PERSONAL, "status": NOT_PERSONAL,
        "attempts": NOT_PERSONAL, "next_attempt_at": NOT_PERSONAL, "lease_until": NOT_PERSONAL,
        "last_error": NOT_PERSONAL, "created_at": NOT_PERSONAL, "sent_at": NOT_PERSONAL,
        "finished_at": NOT_PERSONAL,
    },
    retention_anchor="finished_at",
    data_type="outbox_email",
)(OutboxEmail)
