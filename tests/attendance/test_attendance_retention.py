"""RE1: mobile and location data kept 90 days by default (the ``officetrack`` policy, seed 002),
configurable per data type (the policy's rule) and per plan, chosen per organization within
the rule's bounds, then deleted automatically by the retention engine's periodic sweep, in
chunks with evidence and never the deleted values. The app registers no sweep of its own."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from officium.attendance import retention, services
from officium.attendance.coordinates import Fix
from officium.attendance.models import AttendanceRecord, LocationEvent
from officium.privacy.audit.models import AuditEntry
from officium.privacy.retention import engine
from officium.privacy.retention.models import DeletionEvidence, RetentionOverride
from officium.privacy.retention.tasks import sweep_retention
from officium.worker import scheduler

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile(use_policy):
    """OfficeTrack, unless the test switches to another profile."""
    use_policy("officetrack")
    return use_policy


def age(days):
    LocationEvent.objects.update(occurred_at=timezone.now() - timedelta(days=days))


def test_RE1_location_kept_90_days_by_default(profile, alice_org):
    period = retention.location_period(alice_org)
    assert (period.rule, period.days) == ("mobile_data", 90)


def test_RE1_expired_locations_are_deleted_with_evidence(profile, bob_m, hq, points, settings, clock):
    settings.OFFICIUM_RETENTION_CHUNK = 2
    for _ in range(5):
        clock(bob_m, Fix(*points.inside))
    age(91)
    clock(bob_m, Fix(*points.inside))  # fresh: kept
    run = engine.sweep()
    assert run.deleted >= 5
    assert LocationEvent.objects.count() == 1
    # The attendance records (times, verdicts) are younger: they stay, their location is gone.
    assert AttendanceRecord.objects.count() == 6
    assert AttendanceRecord.objects.filter(location=None).count() == 5
    evidence = list(DeletionEvidence.objects.filter(run=run, model_label="attendance.LocationEvent")
                    .order_by("pk"))
    assert [e.count for e in evidence] == [2, 2, 1]
    assert {e.rule_id for e in evidence} == {"mobile_data"}
    assert all(e.oldest <= e.newest < timezone.now() - timedelta(days=90) for e in evidence)
    entries = [e.details for e in AuditEntry.objects.filter(event="retention.deleted")
               if "attendance.LocationEvent" in e.details["counts"]]
    assert len(entries) == 3 and all(d["rule"] == "mobile_data" for d in entries)
    text = json.dumps(entries)  # full-precision coordinates: a timestamp cannot contain them
    assert "52.5201" not in text and "13.4051" not in text


def test_RE1_locations_within_the_period_are_kept(profile, bob_m, hq, points):
    services.check_in(bob_m, "in", Fix(*points.inside))
    age(89)
    engine.sweep()
    assert LocationEvent.objects.count() == 1


def test_RE1_organization_can_choose_its_period(profile, retention_choices, alice_m, bob_m, hq, points):
    services.change_settings(alice_m, "accept", 30)
    override = RetentionOverride.objects.get(organization_id=alice_m.organization_id)
    assert (override.rule_id, override.days) == ("mobile_data", 30)
    assert retention.location_period(alice_m.organization).days == 30
    services.check_in(bob_m, "in", Fix(*points.inside))
    age(31)
    sweep_retention.call()  # the task the worker's scheduler runs
    assert LocationEvent.objects.count() == 0
    services.change_settings(alice_m, "accept", None)  # back to the policy's period
    assert not RetentionOverride.objects.exists()
    assert retention.location_period(alice_m.organization).days == 90


@pytest.mark.parametrize("days", [10, 400])
def test_RE1_choice_outside_the_rule_is_refused_and_nothing_written(profile, alice_m, days, api, client, alice):
    with pytest.raises(ValidationError) as error:
        services.change_settings(alice_m, "refuse", days)
    assert "location_retention_days" in error.value.message_dict
    client.force_login(alice)
    response = api(client, "put", f"/orgs/{alice_m.organization.slug}/settings",
                   {"without_location": "refuse", "location_retention_days": days})
    assert response.status_code == 400 and response.json()["field"] == "location_retention_days"
    assert not RetentionOverride.objects.exists()
    from officium.attendance.models import AttendanceSettings
    assert not AttendanceSettings.objects.exists()


def test_RE1_no_choice_where_the_policy_keeps_locations_until_termination(profile, alice_m):
    profile("workoptima")  # organization_data: counted from the account's end, not per event
    assert retention.location_period(alice_m.organization).days is None
    with pytest.raises(ValidationError) as error:
        services.change_settings(alice_m, "accept", 30)
    assert "location_retention_days" in error.value.message_dict
    assert not RetentionOverride.objects.exists()


def test_RE1_the_engine_sweep_is_the_periodic_job():
    names = {j.name: j for j in scheduler.jobs()}
    assert "attendance.location_retention" not in names
    assert names["retention.sweep"].task is sweep_retention
    assert names["retention.sweep"].interval == timedelta(hours=1)


def test_RE1_plan_override_from_the_policy(profile, retention_choices, alice_m):
    organization = alice_m.organization
    assert retention.location_period(organization).days == 90
    organization.plan = "extended_history"
    organization.save()
    assert retention.location_period(organization).days == 365
    services.change_settings(alice_m, "accept", 45)
    assert retention.location_period(organization).days == 45


def test_RE1_settings_page_shows_the_engine_period(profile, retention_choices, alice_client, alice_m):
    page = alice_client.get("/o/alpha/attendance/settings/")
    assert page.status_code == 200 and b"after 90 days (rule mobile_data" in page.content
    response = alice_client.post("/o/alpha/attendance/settings/", {"location_retention_days": "10", "without_location": "review",
                                                                      "repeat_check_in": "refuse"})
    assert response.status_code == 400 and not RetentionOverride.objects.exists()
    alice_client.post("/o/alpha/attendance/settings/", {"location_retention_days": "60", "without_location": "review",
                                                       "repeat_check_in": "refuse"})
    assert alice_client.get("/o/alpha/attendance/settings/").content.count(b"after 60 days") == 1
    profile("workoptima")
    assert b"kept while the account is active" in alice_client.get("/o/alpha/attendance/settings/").content
