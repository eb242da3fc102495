"""Audit events of the operator: staff accounts, support grants and accesses, the forum."""

from officium.privacy.audit.events import declare

STAFF_CREATED = declare("operator.staff_created", "Created a platform staff account")
GRANT_CREATED = declare("operator.grant_created", "Granted platform staff support access")
GRANT_REVOKED = declare("operator.grant_revoked", "Revoked a support access grant")
SUPPORT_ACCESS = declare("operator.support_access", "Platform staff used a support grant")
SUPPORT_CHANGE = declare("operator.support_change", "Platform staff changed data under a support grant")
FORUM_POSTED = declare("operator.forum_posted", "Posted in the community forum")
REMOVAL_REQUESTED = declare("operator.removal_requested", "Asked for personal information to be removed from a post")
REMOVAL_HONOURED = declare("operator.removal_honoured", "Honoured a forum removal request")
REMOVAL_REFUSED = declare("operator.removal_refused", "Refused a forum removal request, with the reason")
