"""SE1 and LO1: who sees which check-ins and locations; the member sees who looked."""

from __future__ import annotations

import pytest

from officium.attendance import reading, services
from officium.attendance.coordinates import Fix
from officium.privacy.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def bobs_records(bob_m, hq, points):
    services.check_in(bob_m, "in", Fix(*points.inside))
    services.check_in(bob_m, "out", Fix(*points.outside))


def reads_of(user):
    return AuditEntry.objects.filter(event="privacy.sensitive_read", subject_id=user.pk)


def test_SE1_manager_without_the_right_sees_in_out_and_times_only(alice_m, bob, bobs_records, api, alice_client):
    rows = reading.records(alice_m)
    assert {r.direction for r in rows} == {"in", "out"}
    assert all(r.visible_fix is None for r in rows)
    body = api(alice_client, "get", "/orgs/alpha/records").json()
    assert len(body) == 2 and all(r["latitude"] is None for r in body)
    assert not reads_of(bob).exclude(actor_id=bob.pk).exists()


def test_SE1_manager_with_the_right_sees_locations_and_the_read_is_audited(alice, alice_m, bob, bobs_records, grant, points):
    grant(alice_m)
    rows = reading.records(alice_m)
    assert {(r.visible_fix.latitude, r.visible_fix.longitude) for r in rows} == {points.inside[:2], points.outside[:2]}
    entry = reads_of(bob).get(actor_id=alice.pk)
    assert entry.details["purpose"] == "attendance" and "pd:GPSCoordinate" in entry.details["categories"]


def test_SE1_admin_sees_in_out_but_not_locations(adam, bobs_records):
    rows = reading.records(adam.memberships.get())
    assert len(rows) == 2 and all(r.visible_fix is None for r in rows)


def test_SE1_members_see_only_their_own(alice_m, bob_m, bobs_records, points):
    services.check_in(alice_m, "in", Fix(*points.inside))
    mine = reading.records(bob_m)
    assert {r.member_id for r in mine} == {bob_m.pk}
    assert all(r.visible_fix is not None for r in mine)


def test_SE1_the_member_sees_who_looked(alice, alice_m, bob_client, bobs_records, grant, api):
    grant(alice_m)
    reading.records(alice_m)
    # PV1: one place for every read: the attendance address sends to "who read my data".
    page = bob_client.get("/o/alpha/attendance/location-reads/", follow=True)
    assert page.redirect_chain == [("/privacy/my-reads/?kind=location", 302)]
    html = page.content.decode()
    assert "Alice Anders" in html and "Owner, " in html and "Attendance" in html
    body = api(bob_client, "get", "/orgs/alpha/location-reads").json()
    assert any(r["reader_id"] == alice.pk and r["purpose"] == "attendance" for r in body)


def test_SE1_records_page_shows_coordinates_only_with_the_right(alice_m, alice_client, bobs_records, grant):
    assert b"52.52010" not in alice_client.get("/o/alpha/attendance/").content
    grant(alice_m)
    assert b"52.52010" in alice_client.get("/o/alpha/attendance/").content


def test_SE1_no_location_reads_across_tenants(charlie, bobs_records, charlie_client, api):
    assert api(charlie_client, "get", "/orgs/alpha/records").status_code == 404
    assert reading.records(charlie.memberships.get()) == []
