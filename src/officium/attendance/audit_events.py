"""Audit events of attendance: check-ins, sites, devices and privacy mode."""

from officium.privacy.audit.events import declare

CHECK_IN = declare("attendance.check_in", "Checked in")
CHECK_OUT = declare("attendance.check_out", "Checked out")
CHECKS = {"in": CHECK_IN, "out": CHECK_OUT}
EVENTS_SYNCED = declare("attendance.events_synced", "A device synced queued events")
SITE_CREATED = declare("attendance.site_created", "Created a site")
SITE_CHANGED = declare("attendance.site_changed", "Changed a site")
SITE_ARCHIVED = declare("attendance.site_archived", "Archived a site")
SETTINGS_CHANGED = declare("attendance.settings_changed", "Changed attendance settings")
PRIVACY_MODE_ON = declare("attendance.privacy_mode_on", "Turned privacy mode on")
PRIVACY_MODE_OFF = declare("attendance.privacy_mode_off", "Turned privacy mode off")
CONNECTION_CODE_CREATED = declare("attendance.connection_code_created",
                                  "Created a device connection code")
DEVICE_CONNECTED = declare("attendance.device_connected", "Connected a device")
DEVICE_REVOKED = declare("attendance.device_revoked", "Revoked a device")
DEVICE_PROFILE_CHANGED = declare("attendance.device_profile_changed",
                                 "Changed what a device collects")
LOCATION_REQUESTED = declare("attendance.location_requested", "Asked for a member's location")
LOCATION_REQUEST_ANSWERED = declare("attendance.location_request_answered",
                                    "Answered a location request")
CHECK_IN_ACCEPTED = declare("attendance.check_in_accepted",
                            "Accepted a check-in held for review")
CHECK_IN_REJECTED = declare("attendance.check_in_rejected",
                            "Rejected a check-in held for review")
