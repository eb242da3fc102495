"""Audit events of field work: tasks, entries, forms, photos, bids, ETA messages."""

from officium.privacy.audit.events import declare

TASK_CREATED = declare("fieldwork.task_created", "Created a field task")
TASK_ASSIGNED = declare("fieldwork.task_assigned", "Assigned or reassigned a field task")
TASK_STATUS = declare("fieldwork.task_status_changed", "Moved a field task to another status")
ENTRY_ADDED = declare("fieldwork.entry_added", "Reported a task entry")
FORM_SAVED = declare("fieldwork.form_saved", "Saved a form version")
FORM_SUBMITTED = declare("fieldwork.form_submitted", "Submitted a form")
SUBMISSIONS_EXPORTED = declare("fieldwork.submissions_exported", "Exported form submissions")
PHOTO_ADDED = declare("fieldwork.photo_added", "Uploaded a task photo")
PHOTO_VIEWED = declare("fieldwork.photo_viewed", "Opened a task photo")
BID_OFFERED = declare("fieldwork.bid_offered", "Offered a job to members")
BID_ANSWERED = declare("fieldwork.bid_answered", "Answered a job offer")
BID_AWARDED = declare("fieldwork.bid_awarded", "Awarded a job")
ETA_SENT = declare("fieldwork.eta_sent", "Sent a customer an arrival estimate")
ETA_OPTED_OUT = declare("fieldwork.eta_opted_out", "A customer stopped arrival estimates")
# Entries before the sync's counts moved into attendance.events_synced (details "actions") carry
# this name: kept so the audit pages still read and filter them.
ACTIONS_SYNCED = declare("fieldwork.actions_synced", "Stored field actions from a phone's queue")
ATTACHMENT_ADDED = declare("fieldwork.attachment_added", "Attached a document to a field task")
ATTACHMENT_OPENED = declare("fieldwork.attachment_opened", "Opened a field task's attachment")
ATTACHMENT_DELETED = declare("fieldwork.attachment_deleted", "Deleted a field task's attachment")
