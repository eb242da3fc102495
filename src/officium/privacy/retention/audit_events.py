"""Audit events of retention: sweeps, holds and chosen periods."""

from officium.privacy.audit.events import declare

DELETED = declare("retention.deleted", "Deleted records whose retention period ended")
LOGS_DELETED = declare("retention.logs_deleted", "Deleted request logs past their period")
PERIOD_CHOSEN = declare("retention.period_chosen", "Chose a retention period")
HOLD_PLACED = declare("retention.hold_placed", "Placed a legal hold")
HOLD_RELEASED = declare("retention.hold_released", "Released a legal hold")
