"""Audit events of notifications: only a person's email choice is a change worth recording
(a notification is written in the transaction of the event it reports, which is audited)."""

from officium.privacy.audit.events import declare

EMAIL_SETTING_CHANGED = declare("notifications.email_setting_changed", "Changed how notifications are emailed")
