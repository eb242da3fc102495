"""Who hears that the audit log was cut or rewritten: the platform's privacy staff.

The audit log is one chain for the whole platform, so its integrity is the operator's
responsibility: platform staff (``is_staff``) and ``settings.ADMINS`` are told. A deployment
without platform staff (a single organization hosting itself) tells every organization's owners
and privacy officers instead, so the alert always reaches someone who can act.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from officium.accounts.emails import send_service_email


def alert_recipients() -> list[str]:
    from officium.accounts.models import Membership, User
    from officium.accounts.roles import PRIVACY_STAFF

    staff = set(User.objects.filter(is_staff=True, is_active=True).values_list("email", flat=True))
    staff |= {email for _, email in getattr(settings, "ADMINS", [])}
    if not staff:
        staff = set(Membership.objects.filter(role__in=PRIVACY_STAFF, user__is_active=True)
                    .values_list("user__email", flat=True))
    return sorted(email for email in staff if email)


def email_integrity_alert(sender: Any, *, problem: str, checkpoint_seq: int | None,
                          checkpoint_at: str, head_seq: int, **kwargs: Any) -> None:
    """Receiver of ``officium.privacy.audit.alerts.integrity_alert``."""
    context = {"problem": problem, "checkpoint_seq": checkpoint_seq,
               "checkpoint_at": checkpoint_at, "head_seq": head_seq}
    for email in alert_recipients():
        send_service_email(email, "audit_integrity_alert", context)
