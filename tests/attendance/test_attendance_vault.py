"""SE2 for locations: coordinates (latitude, longitude, accuracy) are sealed at rest under the
member's subject key, by the ORM and by the batch sync's raw insert alike; reads go through
``for_purpose``; a shredded member's coordinates read as nothing (RI4)."""

from __future__ import annotations

import struct

import pytest
from django.db import connection, transaction
from django.utils import timezone

from officium.attendance import reading, services
from officium.attendance.checkins import last_fix
from officium.attendance.coordinates import Fix
from officium.attendance.models import LocationEvent
from officium.privacy.vault.crypto import DecryptionError
from officium.privacy.vault.shredding import destroy_subject_keys

pytestmark = pytest.mark.django_db

COLUMNS = ("latitude", "longitude", "accuracy_m")


def raw_rows():
    table = connection.ops.quote_name(LocationEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, latitude, longitude, accuracy_m FROM {table} ORDER BY id")
        return cursor.fetchall()


def assert_no_plaintext(rows, *values):
    for _pk, *cells in rows:
        for cell in cells:
            assert not isinstance(cell, (int, float)), cell
            raw = bytes(cell)
            for value in values:
                assert struct.pack(">d", value) not in raw and str(value).encode() not in raw


def test_SE2_location_coordinates_encrypted_at_rest(alice_m, bob_m, bob_device, hq, points, api):
    services.check_in(bob_m, "in", Fix(*points.inside))  # the ORM path
    now = timezone.now().isoformat()
    batch = [{"id": "e1", "kind": "app_open", "at": now, "lat": 48.8566, "lon": 2.3522, "accuracy": 7}]
    assert api(bob_device.client, "post", "/device/events", {"events": batch}).json()["stored"] == 1
    services.check_in(alice_m, "in", Fix(*points.outside))
    rows = raw_rows()
    assert len(rows) == 3
    assert_no_plaintext(rows, *points.inside, *points.outside, 48.8566, 2.3522, 7.0)
    # Both paths read back through the ORM (same key, same associated data).
    by_member = {e.member_id: e for e in LocationEvent.objects.select_related("member").filter(kind="attendance")}
    assert by_member[bob_m.pk].fix == Fix(*points.inside)
    synced = LocationEvent.objects.get(client_event_id="e1")
    assert synced.fix == Fix(48.8566, 2.3522, 7.0)
    # A ciphertext moved to another member's row does not decrypt.
    bob_row, alice_row = by_member[bob_m.pk].pk, by_member[alice_m.pk].pk
    table = connection.ops.quote_name(LocationEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET latitude = (SELECT latitude FROM {table} WHERE id = %s) "
                       "WHERE id = %s", [bob_row, alice_row])
    moved = LocationEvent.objects.get(pk=alice_row)
    with pytest.raises(DecryptionError):
        moved.latitude  # noqa: B018
    # ... nor in another field of the same row (the field is associated data too).
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET longitude = latitude WHERE id = %s", [bob_row])
    with pytest.raises(DecryptionError):
        LocationEvent.objects.get(pk=bob_row).longitude  # noqa: B018


def test_SE2_sealed_values_cannot_be_updated_or_filtered_in_bulk(bob_m, hq, points):
    services.check_in(bob_m, "in", Fix(*points.inside))
    with pytest.raises(TypeError), transaction.atomic():
        LocationEvent.objects.update(latitude=1.0)
    assert LocationEvent.objects.filter(latitude__isnull=False).count() == 1


def test_SE2_speed_checks_read_the_sealed_fast_path(bob_m, bob_device, api, points):
    now = timezone.now().isoformat()
    api(bob_device.client, "post", "/device/events",
        {"events": [{"id": "p", "kind": "sync", "at": now, "lat": 48.8566, "lon": 2.3522, "accuracy": 5}]})
    assert last_fix(bob_m.pk)[0] == Fix(48.8566, 2.3522, 5.0)
    record = services.check_in(bob_m, "in", Fix(*points.inside))  # Paris to Berlin in seconds
    assert record.suspected_mock


def test_SE2_reads_for_purpose_still_decide_who_sees_coordinates(alice_m, adam, bob_m, hq, points, grant):
    services.check_in(bob_m, "in", Fix(*points.inside))
    assert reading.records(alice_m)[0].visible_fix is None
    grant(alice_m)
    assert reading.records(alice_m)[0].visible_fix == Fix(*points.inside)
    assert reading.records(adam.memberships.get())[0].visible_fix is None


def test_RI4_shredded_member_coordinates_read_as_none(alice_m, bob, bob_m, bob_client, hq, points, grant, api):
    grant(alice_m)
    services.check_in(bob_m, "in", Fix(*points.inside))
    services.check_in(bob_m, "out", Fix(*points.inside))
    assert destroy_subject_keys(bob.pk)
    rows = reading.records(alice_m)
    assert len(rows) == 2 and all(r.visible_fix is None for r in rows)
    event = LocationEvent.objects.select_related("member").first()
    assert (event.latitude, event.longitude, event.accuracy_m, event.fix) == (None, None, None, None)
    assert last_fix(bob_m.pk) is None
    assert reading.eta(alice_m, bob_m, hq) is None
    alice_m.user.refresh_from_db()
    from django.test import Client
    client = Client()
    client.force_login(alice_m.user)
    assert client.get("/o/alpha/attendance/").status_code == 200
    body = api(client, "get", "/orgs/alpha/records").json()
    assert len(body) == 2 and all(r["latitude"] is None for r in body)
    # New fixes after the shred seal under a fresh key and read fine.
    services.check_in(bob_m, "in", Fix(*points.inside))
    assert last_fix(bob_m.pk)[0] == Fix(*points.inside)


@pytest.mark.django_db(transaction=True)
def test_SE2_migration_seals_existing_coordinates_and_reverses(bob_m, alice_m, hq, points):
    from django.db.migrations.executor import MigrationExecutor

    services.check_in(bob_m, "in", Fix(*points.inside))
    services.check_in(alice_m, "in", Fix(*points.outside))
    services.check_in(bob_m, "out", None)  # no location: stays empty
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()  # every app: workforce depends on attendance
    MigrationExecutor(connection).migrate([("attendance", "0002_coordinates_sealed_columns")])
    table = connection.ops.quote_name(LocationEvent._meta.db_table)
    with connection.cursor() as cursor:  # unsealed: the plaintext columns as the old release had them
        cursor.execute(f"SELECT member_id, latitude_plain, longitude_plain, accuracy_m_plain, latitude "
                       f"FROM {table} ORDER BY id")
        before = cursor.fetchall()
    assert [r[:4] for r in before] == [(bob_m.pk, *points.inside), (alice_m.pk, *points.outside),
                                       (bob_m.pk, None, None, None)]
    MigrationExecutor(connection).migrate(latest)
    assert_no_plaintext([r for r in raw_rows() if r[1] is not None], *points.inside, *points.outside)
    fixes = [e.fix for e in LocationEvent.objects.select_related("member").order_by("pk")]
    assert fixes == [Fix(*points.inside), Fix(*points.outside), None]
