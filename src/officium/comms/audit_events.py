"""Audit events of communications: newsletter, forms, complaints, notices."""

from officium.privacy.audit.events import declare

NEWSLETTER_SUBSCRIBED = declare("comms.newsletter_subscribed", "Subscribed to the newsletter")
NEWSLETTER_CONFIRMED = declare("comms.newsletter_confirmed", "Confirmed a newsletter subscription")
CONTACT_RECEIVED = declare("comms.contact_received", "Received a contact message")
SUPPORT_RECEIVED = declare("comms.support_received", "Received a support request")
COMPLAINT_FILED = declare("comms.complaint_filed", "Filed a complaint")
COMPLAINT_ANSWERED = declare("comms.complaint_answered", "Answered a complaint")
COMPLAINT_CLOSED = declare("comms.complaint_closed", "Closed a complaint")
OWNERSHIP_TRANSFER_ANNOUNCED = declare("comms.ownership_transfer_announced",
                                       "Announced a change of ownership")
MAIL_SENDER_SAVED = declare("comms.mail_sender_saved", "Saved the organization's mail sender")
