"""Audit events of the audit log itself."""

from officium.privacy.audit.events import declare

CHECKPOINT_REFUSED = declare("audit.checkpoint_refused",
                             "Refused to sign a checkpoint: the log was cut or rewritten")
