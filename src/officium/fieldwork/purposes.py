"""The purpose ids field work reads personal data for (aligned across the policy files)."""

from __future__ import annotations

FIELD_ACTIVITY = "attendance"
"""Task entries, form submissions and bid answers, with their locations (the purpose every
profile declares for a member's located work records)."""

PHOTOS = "photo_uploads"
"""Pictures taken for tasks (consent-based, CO5)."""

CUSTOMERS = "service_provision"
"""A task's customer contact: name, email, phone, ETA opt-out."""

ATTACHMENTS = "service_provision"
"""Documents attached to tasks (work orders, plans, manuals; pd:PersonalDocuments)."""
