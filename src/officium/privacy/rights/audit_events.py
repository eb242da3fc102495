"""Audit events of data subject requests: one per step of a request's history (RI8)."""

from officium.privacy.audit.events import AuditEvent, declare

EXPORT_DOWNLOADED = declare("rights.export_downloaded", "Downloaded a copy of personal data")
RECIPIENTS_NOTIFIED = declare("rights.recipients_notified",
                              "Told recipients about a correction or erasure")

STEP_LABELS = {
    "received": "Request received",
    "verification_requested": "Asked the requester to confirm their identity",
    "code_sent": "Sent a verification code",
    "verified": "Identity verified",
    "downgraded": "Request narrowed for a weaker verification",
    "started": "Request processing started",
    "completed": "Request completed",
    "answer_sent": "Answer sent to the requester",
    "approved": "Request approved by an officer",
    "denied": "Request denied",
    "withdrawn": "Request withdrawn",
    "extended": "Deadline extended",
    "paused": "Request paused",
    "resumed": "Request resumed",
    "rectified": "Personal data corrected",
    "reminder_sent": "Deadline reminder sent to officers",
    "attempt_failed": "An attempt to carry out the request failed; it will be tried again",
    "failed": "Request stopped after repeated failures; officers told",
    "retried": "Failed request started again by an officer",
    "review_requested": "Request waits for the officer's review, with its draft answer",
    "review_approved": "Officer approved the request's draft answer",
}

STEPS: dict[str, AuditEvent] = {
    kind: declare(f"rights.{kind}", label) for kind, label in STEP_LABELS.items()
}
