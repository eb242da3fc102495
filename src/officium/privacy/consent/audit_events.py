"""Audit events of the consent ledger."""

from officium.privacy.audit.events import declare

RECORDED = declare("consent.recorded", "Consent given or withdrawn")
ERASED = declare("consent.erased", "Consent records erased")
