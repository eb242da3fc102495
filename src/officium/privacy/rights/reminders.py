"""Reminders to privacy officers of requests coming due (RI8), and expiry of export files."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from officium.mail.service import send_service_email
from officium.privacy.rights.history import step
from officium.privacy.rights.models import OPEN_STATUSES, ExportFile, RightsRequest, Status
from officium.privacy.staff import officer_emails

REMIND_DAYS: int = settings.OFFICIUM_RIGHTS_REMIND_DAYS


def send_reminders() -> int:
    """Once a day per request: remind the officers of each open request due within
    REMIND_DAYS days (or overdue). Paused requests wait for the requester, not the officer."""
    today = timezone.localdate()
    due = RightsRequest.objects.filter(
        status__in=[s for s in OPEN_STATUSES if s != Status.PAUSED],
        due_on__lte=today + timedelta(days=REMIND_DAYS), organization__isnull=False,
    ).exclude(reminded_on=today)
    sent = 0
    for request in due.select_related("organization")[:500]:
        if request.organization_id is None:  # excluded by the query; narrows the type
            continue
        with transaction.atomic():
            if not RightsRequest.objects.filter(pk=request.pk).exclude(reminded_on=today).update(
                    reminded_on=today):
                continue
            recipients = officer_emails(request.organization_id)
            for email in recipients:
                send_service_email(email, "rights_reminder", {"request": request})
            step(request, "reminder_sent", details={"officers": len(recipients),
                                                    "days_left": request.days_left})
            sent += 1
    return sent


def purge_expired_exports() -> int:
    """Delete the files of expired download links; the row stays as the record of it."""
    from officium.privacy.rights.export import exports_dir

    purged = 0
    for export in ExportFile.objects.filter(expires_at__lte=timezone.now()).exclude(name=""):
        (exports_dir() / export.name).unlink(missing_ok=True)
        ExportFile.objects.filter(pk=export.pk).update(name="")
        purged += 1
    return purged
