"""RE1: location data kept 90 days by default (per policy, plan and organization), then deleted
in chunks by the registered periodic job, with evidence and never the deleted values."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from officium.attendance import retention, services
from officium.attendance.coordinates import Fix
from officium.attendance.models import AttendanceRecord, LocationEvent
from officium.privacy.audit.models import AuditEntry
from officium.worker import scheduler

pytestmark = pytest.mark.django_db


def age(days):
    LocationEvent.objects.update(occurred_at=timezone.now() - timedelta(days=days))


def test_RE1_location_kept_90_days_by_default(alice_org):
    assert retention.location_period(alice_org).days == 90


def test_RE1_expired_locations_are_deleted_with_evidence(bob_m, hq, points, monkeypatch):
    monkeypatch.setattr(retention, "CHUNK", 2)
    for _ in range(5):
        services.check_in(bob_m, "in", Fix(*points.inside))
    age(91)
    services.check_in(bob_m, "in", Fix(*points.inside))  # fresh: kept
    assert retention.sweep() >= 5
    assert LocationEvent.objects.count() == 1
    # The attendance records (times, verdicts) stay; their location is gone.
    assert AttendanceRecord.objects.count() == 6
    assert AttendanceRecord.objects.filter(location=None).count() == 5
    evidence = [e.details for e in AuditEntry.objects.filter(event="retention.deleted")
                if e.details["model"] == "attendance.LocationEvent"]
    assert [d["count"] for d in evidence] == [2, 2, 1]
    first = evidence[0]
    assert first["rule"] == retention.DEFAULT_RULE and first["days"] == 90 and first["from"] <= first["to"]
    assert "52.52" not in str(first)


def test_RE1_locations_within_the_period_are_kept(bob_m, hq, points):
    services.check_in(bob_m, "in", Fix(*points.inside))
    age(89)
    retention.sweep()
    assert LocationEvent.objects.count() == 1


def test_RE1_organization_can_choose_its_period(alice_m, bob_m, hq, points):
    services.change_settings(alice_m, True, 30)
    services.check_in(bob_m, "in", Fix(*points.inside))
    age(31)
    retention.sweep()
    assert LocationEvent.objects.count() == 0


def test_RE1_sweep_is_registered_as_a_periodic_job():
    job = next(j for j in scheduler.jobs() if j.name == "attendance.location_retention")
    assert job.interval == timedelta(hours=1) and job.task is retention.sweep_location_data


def test_RE1_plan_override_from_the_policy(alice_org, monkeypatch):
    from officium.privacy.policy.sections import RetentionRule

    rule = RetentionRule(id="mobile_data", description="x", data_types=["location_event"],
                         duration_days=90, trigger="created", plan_overrides={"enterprise": 365},
                         min_days=30, max_days=365)
    monkeypatch.setattr(retention, "_rule", lambda: rule)
    assert retention.location_period(alice_org).days == 90
    alice_org.plan = "enterprise"
    assert retention.location_period(alice_org).days == 365
    assert retention.location_period(alice_org, chosen=45).days == 45
