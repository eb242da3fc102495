"""RE1 (periods by data type and plan, chosen within bounds), RE4 (holds survive sweeps) and
RE5 (evidence per chunk, never content) for the retention engine's sweeps."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from officium.attendance.models import LocationEvent
from officium.privacy.audit.models import AuditEntry
from officium.privacy.retention import engine, holds, rules
from officium.privacy.retention.models import DeletionEvidence, HoldReason, SweepRun, SweepStatus
from officium.privacy.retention.tasks import sweep_retention

pytestmark = pytest.mark.django_db


def events_of(user) -> int:
    return LocationEvent.objects.filter(member__user=user).count()


def test_RE1_location_kept_90_days_by_default_then_deleted(use_policy, alice, bob, events):
    use_policy("officetrack")
    member = bob.memberships.get()
    events(member, 7, days_old=100)
    events(member, 5, days_old=80)
    run = engine.sweep()
    assert run.status == SweepStatus.DONE
    assert events_of(bob) == 5
    assert run.deleted >= 7


def test_RE1_plan_and_organization_choice_change_the_period(use_policy, alice, bob, alice_org, events):
    use_policy("officetrack")
    member = bob.memberships.get()
    events(member, 3, days_old=200)
    events(member, 4, days_old=40)
    alice_org.plan = "extended_history"  # the policy's plan override: 365 days
    alice_org.save()
    engine.sweep()
    assert events_of(bob) == 7
    rules.set_override(actor_id=alice.pk, organization_id=alice_org.pk, rule_id="mobile_data", days=30)
    engine.sweep()
    assert events_of(bob) == 0


def test_RE1_choice_outside_the_policy_bounds_is_refused(use_policy, alice, alice_org, events):
    use_policy("officetrack")
    for days, field in ((400, "days"), (10, "days")):
        with pytest.raises(ValidationError) as error:
            rules.set_override(actor_id=alice.pk, organization_id=alice_org.pk,
                               rule_id="mobile_data", days=days)
        assert field in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        rules.set_override(actor_id=alice.pk, organization_id=alice_org.pk, rule_id="nope", days=90)
    assert "rule_id" in error.value.message_dict
    assert not rules.overrides()


def test_RE1_rule_mapping_by_data_type_and_category(use_policy, events):
    from officium.accounts.models import User
    from officium.privacy.registry import registration_for

    use_policy("officetrack")
    assert rules.rule_for(registration_for(LocationEvent)).id == "mobile_data"
    assert rules.rule_for(registration_for(User)).id == "account_data"
    use_policy("officeportal")
    assert rules.rule_for(registration_for(LocationEvent)).id == "attendance_records"


def test_RE5_every_chunk_leaves_evidence_without_content(use_policy, alice, bob, settings, events):
    use_policy("officetrack")
    settings.OFFICIUM_RETENTION_CHUNK = 4
    events(bob.memberships.get(), 10, days_old=120)
    events(alice.memberships.get(), 1, days_old=10)
    run = engine.sweep()
    evidence = list(DeletionEvidence.objects.filter(run=run, model_label="attendance.LocationEvent"))
    assert [e.count for e in evidence] == [4, 4, 2]
    assert {e.rule_id for e in evidence} == {"mobile_data"}
    assert all(e.oldest <= e.newest < timezone.now() - timedelta(days=119) for e in evidence)
    entries = AuditEntry.objects.filter(event="retention.deleted")
    assert entries.count() == 3
    text = json.dumps([e.details for e in entries])
    assert "52.517389" not in text and bob.email not in text and "13.398213" not in text


def test_RE4_held_data_survives_sweeps(use_policy, alice, bob, alice_org, events):
    use_policy("officetrack")
    events(bob.memberships.get(), 6, days_old=150)
    hold = holds.place_hold(actor_id=alice.pk, organization_id=alice_org.pk, data_type="location",
                            reason_kind=HoldReason.LEGAL_OBLIGATION, reason="Labour inspection",
                            until=timezone.localdate() + timedelta(days=10))
    engine.sweep()
    assert events_of(bob) == 6
    assert not DeletionEvidence.objects.filter(model_label="attendance.LocationEvent").exists()
    holds.release_hold(hold, actor_id=alice.pk)
    engine.sweep()
    assert events_of(bob) == 0


def test_RE4_hold_on_one_subject_keeps_only_theirs(use_policy, alice, bob, alice_org, events):
    use_policy("officetrack")
    events(bob.memberships.get(), 3, days_old=150)
    events(alice.memberships.get(), 2, days_old=150)
    holds.place_hold(actor_id=alice.pk, organization_id=alice_org.pk, subject_id=bob.pk,
                     reason_kind=HoldReason.DISPUTE, reason="Claim",
                     until=timezone.localdate() + timedelta(days=10))
    engine.sweep()
    assert events_of(bob) == 3 and events_of(alice) == 0


def test_sweep_resumes_an_abandoned_run_with_its_cutoff(use_policy, bob, events):
    use_policy("officetrack")
    events(bob.memberships.get(), 2, days_old=100)
    past = timezone.now() - timedelta(days=20)
    abandoned = SweepRun.objects.create(cutoff_at=past, claimed_by="dead-worker",
                                        claimed_until=timezone.now() - timedelta(seconds=1))
    run = engine.sweep(worker="me")
    assert run.pk == abandoned.pk and run.status == SweepStatus.DONE
    assert events_of(bob) == 2  # 80 days old at the abandoned run's cutoff: not yet due
    assert engine.sweep(worker="me").pk != abandoned.pk
    assert events_of(bob) == 0


def test_a_leased_run_is_not_taken_by_another_worker(use_policy, events):
    use_policy("officetrack")
    SweepRun.objects.create(cutoff_at=timezone.now(), claimed_by="busy",
                            claimed_until=timezone.now() + timedelta(minutes=5))
    assert engine.sweep(worker="me") is None


def test_the_scheduled_task_sweeps(use_policy, bob, events):
    from officium.worker.scheduler import jobs

    use_policy("officetrack")
    assert "retention.sweep" in {job.name for job in jobs()}
    events(bob.memberships.get(), 2, days_old=100)
    assert sweep_retention.call() >= 2
