"""PV1: the organization's audit log for officers and admins; SE1's "who read my data" page."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from officium.privacy import audit
from officium.privacy.audit.models import AuditEntry
from officium.privacy.audit_events import DISCLOSURE, SENSITIVE_READ
from officium.privacy.office import auditlog

pytestmark = pytest.mark.django_db


def _reads(membership, subject, n):
    for _ in range(n):
        audit.record(SENSITIVE_READ, actor=membership.user, organization=membership.organization,
                     subject=subject, details={"purpose": "attendance",
                                               "categories": ["pd:GPSCoordinate"]})


def test_PV1_officer_filters_one_members_location_reads_in_plain_words(world, alice_client):
    _reads(world.alice_membership, world.bob, 3)
    audit.record(DISCLOSURE, actor=world.alice, organization=world.alice_org, subject=world.alice)
    audit.record(SENSITIVE_READ, actor=world.charlie, organization=world.charlie_org,
                 subject=world.charlie, details={"purpose": "attendance"})
    url = f"/o/{world.alice_org.slug}/privacy/audit/"
    page = alice_client.get(url, {"event": SENSITIVE_READ.name, "subject": world.bob.pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("Read sensitive personal data") >= 3 + 1  # rows + the filter's option
    assert "Bob Berg" in html and "Human Resource Management" in html and "GPS Coordinate" in html
    assert "Recorded a disclosure" not in html.split('id="audit-entries"')[1]
    assert "Charlie" not in html.split('id="audit-entries"')[1]
    assert "pd:" not in html and "{'" not in html and "None" not in html


def test_PV1_pages_follow_the_keyset_and_the_time_range(world, alice_client):
    _reads(world.alice_membership, world.bob, 7)
    base = AuditEntry.objects.filter(organization_id=world.alice_org.pk)
    first = auditlog.page(base, auditlog.Filters(event=SENSITIVE_READ.name), size=3)
    second = auditlog.page(base, auditlog.Filters(event=SENSITIVE_READ.name), first.next_cursor, 3)
    seqs = [r.seq for r in first.rows + second.rows]
    assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == 6
    tomorrow = timezone.now() + timedelta(days=1)
    assert auditlog.page(base, auditlog.Filters(since=tomorrow)).rows == []
    assert auditlog.page(base, auditlog.Filters(until=tomorrow)).rows
    html = alice_client.get(f"/o/{world.alice_org.slug}/privacy/audit/",
                            {"before": seqs[0]}).content.decode()
    assert f'data-seq="{seqs[0]}"' not in html and f'data-seq="{seqs[1]}"' in html


def test_PV1_bad_range_is_shown_on_the_form(world, alice_client):
    page = alice_client.get(f"/o/{world.alice_org.slug}/privacy/audit/",
                            {"since": "2026-05-02", "until": "2026-05-01"})
    assert "The end of the range is before its start." in page.content.decode()


def test_PV1_verify_now_reports_the_chain_and_finds_an_edit(world, alice_client):
    _reads(world.alice_membership, world.bob, 2)
    url = f"/o/{world.alice_org.slug}/privacy/audit/"
    html = alice_client.post(url).content.decode()
    assert 'id="verify-result" class="ok"' in html and "The log verifies" in html
    entry = AuditEntry.objects.filter(organization_id=world.alice_org.pk).order_by("seq").last()
    AuditEntry.objects.filter(pk=entry.pk).update(target_id="999")
    html = alice_client.post(url).content.decode()
    assert 'class="error"' in html and f"#{entry.seq}" in html


def test_PV1_csv_export_holds_the_filtered_entries(world, alice_client):
    _reads(world.alice_membership, world.bob, 2)
    response = alice_client.get(f"/o/{world.alice_org.slug}/privacy/audit.csv",
                                {"event": SENSITIVE_READ.name})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["seq", "time_utc", "event", "what"]
    assert len(rows) - 1 == AuditEntry.objects.filter(
        organization_id=world.alice_org.pk, event=SENSITIVE_READ.name).count()
    assert all(r[3] == "Read sensitive personal data" for r in rows[1:])


def test_PV1_members_and_outsiders_do_not_see_the_log(world, bob_client, charlie_client):
    url = f"/o/{world.alice_org.slug}/privacy/audit/"
    assert bob_client.get(url).status_code in (403, 404)
    assert charlie_client.get(url).status_code == 404


def test_SE1_subject_page_lists_reads_with_local_time_and_pages(world, bob_client):
    _reads(world.alice_membership, world.bob, 3)
    html = bob_client.get("/privacy/my-reads/").content.decode()
    assert html.count("Alice Anders") == 3 and "GPS Coordinate" in html
    assert "CET" in html or "CEST" in html or "UTC" in html
