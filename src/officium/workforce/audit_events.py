"""Audit events of working time: shift types and assignments."""

from officium.privacy.audit.events import declare

SHIFT_TYPE_CREATED = declare("workforce.shift_type_created", "Created a shift type")
SHIFT_TYPE_CHANGED = declare("workforce.shift_type_changed", "Changed a shift type")
SHIFT_TYPE_ARCHIVED = declare("workforce.shift_type_archived", "Archived a shift type")
SHIFT_ASSIGNED = declare("workforce.shift_assigned", "Assigned a shift")
SHIFT_UNASSIGNED = declare("workforce.shift_unassigned", "Removed a shift assignment")
TIMESHEET_APPROVED = declare("workforce.timesheet_approved", "Approved and locked a timesheet period")
CORRECTION_REQUESTED = declare("workforce.correction_requested", "Asked to correct a check-in record")
CORRECTION_APPROVED = declare("workforce.correction_approved", "Approved a check-in correction")
CORRECTION_REJECTED = declare("workforce.correction_rejected", "Rejected a check-in correction")
LEAVE_TYPE_SAVED = declare("workforce.leave_type_saved", "Saved a leave type")
LEAVE_REQUESTED = declare("workforce.leave_requested", "Asked for leave")
LEAVE_APPROVED = declare("workforce.leave_approved", "Approved leave")
LEAVE_REJECTED = declare("workforce.leave_rejected", "Rejected leave")
HOLIDAYS_SAVED = declare("workforce.holidays_saved", "Entered or imported holidays")
LEAVE_CANCELLED = declare("workforce.leave_cancelled", "Withdrew a leave request")
CORRECTION_CANCELLED = declare("workforce.correction_cancelled", "Withdrew a check-in correction")
