"""PV2: the data map and the Art. 30 record as pages, from the registry and the policy."""

from __future__ import annotations

import pytest

from officium.privacy.office import datamap
from officium.privacy.policy.loader import active_policy

pytestmark = pytest.mark.django_db


def test_PV2_data_map_shows_each_record_type_in_words(world, alice_client):
    html = alice_client.get(f"/o/{world.alice_org.slug}/privacy/data-map/").content.decode()
    assert "Data map" in html and "Record of processing activities" in html
    assert "Location events" in html or "location events" in html.lower()
    assert "GPS Coordinate" in html and "legitimate interest" in html
    assert 'href="/privacy/ropa.csv"' in html and "contact form" in html
    assert "pd:" not in html and "eu-gdpr:" not in html.split('id="ropa"')[0]


def test_PV2_every_registered_record_type_appears_with_retention():
    types = datamap.record_types(active_policy())
    assert len(types) > 10
    assert all(t.purposes and t.retention for t in types if t.categories), [
        t.title for t in types if t.categories and not (t.purposes and t.retention)]
