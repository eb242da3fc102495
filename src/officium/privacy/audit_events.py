"""Audit events of the engine's policy, notice and disclosure workflows."""

from officium.privacy.audit.events import declare

SENSITIVE_READ = declare("privacy.sensitive_read", "Read sensitive personal data")
POLICY_PUBLISHED = declare("privacy.policy_published", "Published a privacy notice version")
POLICY_ACCEPTED = declare("privacy.policy_accepted", "Accepted a changed privacy notice")
POLICY_REFUSED = declare("privacy.policy_refused", "Refused a changed privacy notice")
DISCLOSURE = declare("privacy.disclosure", "Recorded a disclosure to an authority")
CHILD_REPORTED = declare("privacy.child_reported", "Reported an account as a child's")
CHILD_REPORT_DISMISSED = declare("privacy.child_report_dismissed", "Dismissed a child report")
CHILD_ACCOUNT_DELETED = declare("privacy.child_account_deleted", "Deleted a child's account")

POLICY_DECISIONS = {"accepted": POLICY_ACCEPTED, "refused": POLICY_REFUSED}

# The privacy office (PV5): the breach register.
BREACH_RECORDED = declare("privacy.breach_recorded", "Recorded a personal data breach")
BREACH_AUTHORITY_NOTIFIED = declare("privacy.breach_authority_notified",
                                    "Notified the supervisory authority of a breach")
BREACH_PEOPLE_NOTIFIED = declare("privacy.breach_people_notified",
                                 "Told the people affected by a breach")
BREACH_NOTE = declare("privacy.breach_note", "Added evidence to a breach record")
RELEASE_PUBLISHED = declare("privacy.release_published",
                            "Published statistics under differential privacy")
CONTROLLER_CONTACT_CHANGED = declare("privacy.controller_contact_changed",
                                    "Changed the organization's postal address or data protection officer")
