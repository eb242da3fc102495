"""Audit events of working time: shift types and assignments."""

from officium.privacy.audit.events import declare

SHIFT_TYPE_CREATED = declare("workforce.shift_type_created", "Created a shift type")
SHIFT_TYPE_CHANGED = declare("workforce.shift_type_changed", "Changed a shift type")
SHIFT_TYPE_ARCHIVED = declare("workforce.shift_type_archived", "Archived a shift type")
SHIFT_ASSIGNED = declare("workforce.shift_assigned", "Assigned a shift")
SHIFT_UNASSIGNED = declare("workforce.shift_unassigned", "Removed a shift assignment")
