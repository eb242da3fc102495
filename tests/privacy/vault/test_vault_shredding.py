"""RI4 with crypto-shredding: a subject's key is destroyed first, then every registered row
goes, except what a legal hold keeps, which the report names with its reason."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from officium.accounts.models import Invitation, Membership, User
from officium.attendance.models import LocationEvent
from officium.privacy.audit.models import AuditEntry
from officium.privacy.retention import holds
from officium.privacy.retention.models import HoldReason
from officium.privacy.vault import keys
from officium.privacy.vault.fields import open_value
from officium.privacy.vault.models import SubjectKey
from officium.privacy.vault.shredding import shred_subject

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(alice, bob, alice_org):
    """alice and bob only: other apps' samples are not needed here."""
    return SimpleNamespace(alice=alice, bob=bob, alice_org=alice_org,
                           alice_membership=alice.memberships.get(), bob_membership=bob.memberships.get())


def add_events(membership: Membership, count: int) -> None:
    now = timezone.now()
    LocationEvent.objects.bulk_create([
        LocationEvent(organization=membership.organization, member=membership, kind="check_in",
                      occurred_at=now - timedelta(minutes=i), received_at=now,
                      latitude=52.5, longitude=13.4, accuracy_m=10, location_status="inside")
        for i in range(count)])


def raw_phone(user_id: int) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_user WHERE id = %s", [user_id])
        return bytes(cursor.fetchone()[0])


def test_RI4_shred_destroys_key_then_every_row(world, bob_client):
    bob, alice = world.bob, world.alice
    add_events(world.bob_membership, 30)
    add_events(world.alice_membership, 5)
    token = raw_phone(bob.pk)
    assert Session.objects.count() >= 1

    report = shred_subject(bob.pk, actor=alice, reason="erasure_request")

    assert report.key_destroyed
    assert not SubjectKey.objects.filter(subject_id=bob.pk).exists()
    with pytest.raises(keys.KeyDestroyed):
        open_value(User, "phone", bob.pk, token)  # a copy of the ciphertext is useless now
    assert not User.objects.filter(pk=bob.pk).exists()
    assert not Membership.objects.filter(user_id=bob.pk).exists()
    assert not LocationEvent.objects.filter(member__user_id=bob.pk).exists()
    assert report.deleted["attendance.LocationEvent"] == 30
    assert report.user == "deleted" and report.kept == []
    assert report.sessions_ended == 1
    # alice's data is untouched
    assert LocationEvent.objects.filter(member__user=alice).count() == 5
    assert User.objects.filter(pk=alice.pk).exists()
    events = list(AuditEntry.objects.filter(subject_id=bob.pk).values_list("event", flat=True))
    assert "vault.subject_key_destroyed" in events and "vault.subject_shredded" in events
    entry = AuditEntry.objects.get(subject_id=bob.pk, event="vault.subject_shredded")
    text = json.dumps(entry.details)
    assert "1234567" not in text and "bob" not in text.lower()


def test_RI4_shred_is_idempotent(world):
    add_events(world.bob_membership, 3)
    shred_subject(world.bob.pk, reason="erasure_request")
    again = shred_subject(world.bob.pk, reason="erasure_request")
    assert again.deleted_total == 0 and again.user == "absent"


def test_RI4_RE4_held_rows_survive_and_are_named(world):
    bob = world.bob
    add_events(world.bob_membership, 12)
    Invitation.objects.create(organization=world.alice_org, email=bob.email, invited_user=bob,
                              token_hash="x" * 64, expires_at=timezone.now() + timedelta(days=1))
    hold = holds.place_hold(actor_id=world.alice.pk, organization_id=world.alice_org.pk,
                            subject_id=bob.pk, data_type="location",
                            reason_kind=HoldReason.DISPUTE, reason="Overtime dispute, case 4711",
                            until=timezone.localdate() + timedelta(days=90))
    assert holds.holds_for_subject(bob.pk) == [hold]

    report = shred_subject(bob.pk, reason="erasure_request")

    assert LocationEvent.objects.filter(member__user_id=bob.pk).count() == 12, report
    assert Membership.objects.filter(user_id=bob.pk).exists()  # the held rows need it
    assert not Invitation.objects.filter(invited_user_id=bob.pk).exists()
    assert report.kept == [("attendance.LocationEvent", 12, "Overtime dispute, case 4711", hold.until)]
    assert report.user == "anonymized"
    anonymized = User.objects.get(pk=bob.pk)
    assert anonymized.email.startswith("erased-") and anonymized.phone == ""
    assert anonymized.first_name == "" and not anonymized.has_usable_password()


def test_RE4_released_hold_keeps_nothing(world):
    add_events(world.bob_membership, 4)
    hold = holds.place_hold(actor_id=world.alice.pk, organization_id=world.alice_org.pk,
                            reason_kind=HoldReason.LEGAL_OBLIGATION, reason="Tax audit 2025",
                            until=timezone.localdate() + timedelta(days=30))
    holds.release_hold(hold, actor_id=world.alice.pk)
    report = shred_subject(world.bob.pk, reason="erasure_request")
    assert report.kept == [] and report.user == "deleted"


def test_RE4_hold_needs_reason_and_future_end(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        holds.place_hold(actor_id=world.alice.pk, organization_id=world.alice_org.pk,
                         reason_kind="whim", reason=" ", until=timezone.localdate() - timedelta(days=1),
                         data_type="nonsense")
    assert set(error.value.message_dict) == {"reason_kind", "reason", "until", "data_type"}


def test_RI4_an_erasure_reads_the_subjects_memberships_once_and_names_few_rows_by_key(world):
    """Issue 20 (cost follows the subject): some fifty registrations reach the person through
    their memberships; the erasure reads those once, not once per registration, and deletes
    a membership named by its key within the subject's rows (the cascade into the location
    table is then planned from that key, not guessed from a subquery)."""
    from django.test.utils import CaptureQueriesContext

    add_events(world.bob_membership, 3)
    with CaptureQueriesContext(connection) as captured:
        report = shred_subject(world.bob.pk, reason="test")
    assert report.deleted["attendance.LocationEvent"] == 3 and report.deleted["accounts.Membership"] == 1
    table = Membership._meta.db_table
    hops = [q["sql"] for q in captured.captured_queries
            if q["sql"].startswith(f'SELECT "{table}"."id" AS "pk" FROM "{table}" WHERE "{table}"."user_id" = ')
            and "AND" not in q["sql"]]
    assert len(hops) == 1, hops
    cascades = [q["sql"] for q in captured.captured_queries
                if q["sql"].startswith(f'SELECT "{LocationEvent._meta.db_table}"."id"') and f'"{table}"' in q["sql"]]
    assert cascades and all(f'"{table}"."id" IN ({world.bob_membership.pk})' in sql
                            or f'V0."id" IN ({world.bob_membership.pk})' in sql for sql in cascades), cascades
    assert not Membership.objects.filter(user=world.bob).exists()
