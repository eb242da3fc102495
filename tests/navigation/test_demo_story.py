"""UX1: the demo tells one story in every feature built so far, and seeding twice adds nothing."""

from __future__ import annotations

import pytest

from officium.accounts.demo import seed_demo
from officium.accounts.models import Membership, Organization
from officium.attendance.models import AttendanceRecord, Site
from officium.notifications.models import Notification
from officium.portal.models import Space
from officium.privacy.consent.models import ConsentRecord
from officium.privacy.office.models import ControllerContact, Release
from officium.privacy.rights.models import RightsRequest
from officium.workforce.models import Correction, LeaveRequest

pytestmark = pytest.mark.django_db

COUNTED = (AttendanceRecord, Site, Notification, Space, ConsentRecord, RightsRequest, LeaveRequest,
           Correction, Membership, Release, ControllerContact)


def _seed() -> dict[str, int]:
    from officium.cli import seed_story

    seed_demo()
    seed_story()
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_UX1_the_demo_has_a_lived_in_history_and_seeding_is_idempotent():
    first = _seed()
    assert _seed() == first  # a second run adds nothing
    acme, globex = Organization.objects.get(slug="acme"), Organization.objects.get(slug="globex")
    zones = {s.time_zone or acme.time_zone for s in Site.objects.filter(organization=acme)}
    assert zones == {"Europe/Berlin", "Europe/Lisbon"}  # a month of attendance in two zones
    days = AttendanceRecord.objects.filter(organization=acme).values("work_day").distinct().count()
    assert days >= 15
    statuses = set(RightsRequest.objects.filter(organization=acme).values_list("status", flat=True))
    assert {"verified", "paused", "completed"} <= statuses  # awaiting review, paused, answered
    assert set(ConsentRecord.objects.values_list("state", flat=True)) == {"given", "withdrawn"}
    assert Notification.objects.filter(read_at__isnull=True).exists()
    assert Notification.objects.filter(read_at__isnull=False).exists()
    assert LeaveRequest.objects.filter(state="pending").exists() and Correction.objects.exists()
    assert Membership.objects.filter(organization=globex).count() < Membership.objects.filter(organization=acme).count()
    assert AttendanceRecord.objects.filter(organization=globex).exists()
    assert acme.onboarding.get("plan") == "done" and globex.onboarding.get("plan") is None
    # PV6: one published release, on the public statistics page, its small groups withheld
    release = Release.objects.get(organization=acme)
    assert release.epsilon == 0.5 and release.results
    assert all(r["value"] is None for r in release.results)  # a demo team is a small group
    # PV2: the controller's postal address and DPO, entered where the policy gives none
    assert "Berlin" in ControllerContact.objects.get(organization=acme).postal_address


def test_UX1_the_story_has_tasks_files_a_link_a_drill_and_a_request_due_soon():
    """The issue's list, each item in the seeded demo (field work, billing and the support grant
    have their own demo tests: tests/fieldwork/test_demo.py, tests/billing/test_demo.py)."""
    from datetime import timedelta

    from django.utils import timezone

    from officium.fieldwork.models import Bid, Photo, Status, Submission, Task
    from officium.portal.models import File, Share
    from officium.privacy.office.models import Breach

    _seed()
    acme = Organization.objects.get(slug="acme")
    assert set(Task.objects.filter(organization=acme).values_list("status", flat=True)) >= {
        Status.NEW, Status.ASSIGNED, Status.EN_ROUTE, Status.ON_SITE, Status.DONE}
    assert Submission.objects.filter(organization=acme).exists() and Photo.objects.filter(organization=acme).exists()
    assert Bid.objects.filter(organization=acme).exists()
    assert File.objects.filter(organization=acme).exists() and Share.objects.filter(organization=acme).exists()
    assert Breach.objects.filter(organization=acme, summary__startswith="Drill").exists()
    soon = timezone.localdate() + timedelta(days=7)
    assert RightsRequest.objects.filter(organization=acme, due_on__lte=soon).exclude(status="completed").exists()
