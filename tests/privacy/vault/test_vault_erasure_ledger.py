"""RI4: the erasure ledger names each erasure (ids, key ids, time; no personal value); what a
legal hold kept is erased when the hold ends; a value whose key is destroyed reads as erased
in exports and pages (never as a sealed token), also for rows found by email."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from officium.accounts.models import Membership, User
from officium.attendance.models import LocationEvent
from officium.privacy.retention import holds
from officium.privacy.retention.models import HoldReason, LegalHold
from officium.privacy.rights.export import open_export, write_export
from officium.privacy.rights.records import Subject
from officium.privacy.vault import erasures
from officium.privacy.vault.models import SubjectKey
from officium.privacy.vault.shredding import (
    destroy_subject_keys,
    finish_held_erasures,
    shred_subject,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_key_store(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


def add_events(membership: Membership, count: int) -> None:
    now = timezone.now()
    LocationEvent.objects.bulk_create([
        LocationEvent(organization=membership.organization, member=membership, kind="check_in",
                      occurred_at=now - timedelta(minutes=i), received_at=now,
                      latitude=52.5, longitude=13.4, accuracy_m=10, location_status="inside")
        for i in range(count)])


def export_text(user: User, email: str, ref: str) -> str:
    result = write_export(ref, "access", Subject(user_id=user.pk, email=email), context=lambda terms: {})
    archive = zipfile.ZipFile(io.BytesIO(b"".join(open_export(result.path))))
    return "".join(archive.read(name).decode() for name in archive.namelist() if name.startswith("records/"))


def test_RI4_erasure_ledger_names_the_erasure_without_personal_values(bob):
    kids = set(SubjectKey.objects.filter(subject_id=bob.pk).values_list("kid", flat=True))
    assert kids  # bob has a phone, so a key

    shred_subject(bob.pk, reason="erasure_request")

    text = erasures.path().read_text()
    assert erasures.entries()[bob.pk].state == erasures.ERASED
    assert erasures.entries()[bob.pk].kids == kids
    lines = text.splitlines()
    assert [line.split()[1] for line in lines] == ["erasing", "erased"]  # named before the key went
    assert all(line.split()[0] == str(bob.pk) and line.split()[4] == "erasure_request" for line in lines)
    for personal in ("bob", "Berg", "1234567", "alpha"):
        assert personal not in text


def test_RI4_RE4_what_a_hold_kept_is_erased_when_the_hold_is_released(alice, bob, alice_org,
                                                                      django_capture_on_commit_callbacks):
    add_events(bob.memberships.get(), 6)
    hold = holds.place_hold(actor_id=alice.pk, organization_id=alice_org.pk, subject_id=bob.pk,
                            data_type="location", reason_kind=HoldReason.DISPUTE, reason="Case 4711",
                            until=timezone.localdate() + timedelta(days=30))
    report = shred_subject(bob.pk, reason="erasure_request")
    assert report.user == "anonymized" and LocationEvent.objects.filter(member__user_id=bob.pk).count() == 6
    assert erasures.pending() == [bob.pk]
    assert finish_held_erasures() == []  # still held: nothing more to erase, nothing touched

    with django_capture_on_commit_callbacks(execute=True):  # the task runs at once in tests
        holds.release_hold(hold, actor_id=alice.pk)

    assert not LocationEvent.objects.filter(member__user_id=bob.pk).exists()
    assert not User.objects.filter(pk=bob.pk).exists()
    assert not SubjectKey.objects.filter(subject_id=bob.pk).exists()
    assert erasures.entries()[bob.pk].state == erasures.ERASED and erasures.pending() == []


def test_RI4_RE4_what_a_hold_kept_is_erased_once_the_hold_has_expired(alice, bob, alice_org):
    add_events(bob.memberships.get(), 3)
    hold = holds.place_hold(actor_id=alice.pk, organization_id=alice_org.pk, subject_id=bob.pk,
                            reason_kind=HoldReason.LEGAL_OBLIGATION, reason="Tax audit",
                            until=timezone.localdate() + timedelta(days=1))
    shred_subject(bob.pk, reason="account_cancelled")
    assert User.objects.filter(pk=bob.pk).exists()

    LegalHold.objects.filter(pk=hold.pk).update(until=timezone.localdate() - timedelta(days=1))
    assert finish_held_erasures() == [bob.pk]  # what the hourly retention job runs

    assert not User.objects.filter(pk=bob.pk).exists()
    assert not LocationEvent.objects.filter(member__user_id=bob.pk).exists()


def test_RI4_export_opens_sealed_values_for_a_subject_known_by_account_and_email(bob):
    text = export_text(bob, bob.email, "live")
    assert "+49 30 1234567" in text and "Sealed(" not in text


def test_RI4_a_destroyed_key_reads_as_erased_in_exports_and_on_the_model(bob):
    add_events(bob.memberships.get(), 2)
    destroy_subject_keys(bob.pk, reason="erasure_request")  # the rows are still there

    assert User.objects.get(pk=bob.pk).phone == "[erased]"
    for ref, email in (("by-account", ""), ("by-account-and-email", bob.email)):
        text = export_text(bob, email, ref)
        assert "Sealed(" not in text and "1234567" not in text
        assert "[erased]" in text
        location = text[text.index("latitude"):]
        assert "52.5" not in location and location.count("[erased]") >= 2 * 3  # lat, lon, accuracy


def test_RI4_export_by_account_and_email_of_someone_without_a_phone(alice):
    assert alice.phone == ""
    text = export_text(alice, alice.email, "no-phone")
    assert "alice@alpha.example" in text and "Sealed(" not in text
