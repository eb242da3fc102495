"""Audit events of the vault: keys destroyed and subjects shredded."""

from officium.privacy.audit.events import declare

SUBJECT_SHREDDED = declare("vault.subject_shredded", "Erased a person's data (keys and rows)")
SUBJECT_KEY_DESTROYED = declare("vault.subject_key_destroyed", "Destroyed a person's data key")
ORGANIZATION_KEY_DESTROYED = declare("vault.organization_key_destroyed",
                                     "Destroyed the organization's key")
