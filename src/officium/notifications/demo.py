"""The demo's notifications (UX1/UX4): what each demo person would have been told lately."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from officium.accounts.models import Membership, Organization
from officium.notifications.models import Notification
from officium.notifications.services import notify

STORY = [
    # (recipient, kind, title, url name, hours ago, read)
    ("manager@acme.example", "leave.requested", "Marco Member asked for 2 days of Annual leave", "workforce:timesheets", 30, False),
    ("manager@acme.example", "correction.requested", "Mina Member asked to correct a check-in record", "workforce:timesheets", 50, False),
    ("member1@acme.example", "leave.approved", "Your annual leave was approved", "workforce:timesheets", 26, False),
    ("member1@acme.example", "attendance.reminder", "You did not check out on Thursday", "attendance:check_in", 120, True),
    ("privacy@acme.example", "rights.due", "A rectification request is due in 3 days", "rights:queue", 4, False),
    ("owner@acme.example", "rights.due", "A rectification request is due in 3 days", "rights:queue", 4, False),
    ("owner@acme.example", "members.joined", "Clara Client accepted your invitation", "accounts:members", 200, True),
    ("client@acme.example", "portal.space", "Acme Field Services shared a space with you", "portal:spaces", 72, False),
    ("member@globex.example", "welcome", "Welcome to Globex Consulting", "accounts:dashboard", 170, True),
]


@transaction.atomic
def seed_notifications() -> None:
    now = timezone.now()
    for email, kind, title, url_name, hours, read in STORY:
        member = Membership.objects.filter(user__email=email).select_related("user", "organization").first()
        if member is None or Notification.objects.filter(recipient=member.user, kind=kind, title=title).exists():
            continue
        organization: Organization = member.organization
        row = notify(member.user, organization, kind, title, url=reverse(url_name, kwargs={"org": organization.slug}))
        at = now - timedelta(hours=hours)
        Notification.objects.filter(pk=row.pk).update(created_at=at, read_at=at + timedelta(hours=1) if read else None,
                                                      emailed_at=at)
