"""BI4/AC6: usage per organization and day, counted in memory and written in batches; shown to
the owner and the operator; per organization, never per person."""

from __future__ import annotations

import pytest
from django.test import Client

from officium.accounts import services as accounts
from officium.billing import usage
from officium.billing.models import UsageDay

pytestmark = pytest.mark.django_db


@pytest.fixture
def batched(settings):
    settings.OFFICIUM_USAGE_FLUSH_SECONDS = 3600  # nothing is written until a flush
    usage.counters.take()
    yield
    usage.counters.take()


def test_BI4_AC6_api_calls_are_counted_in_memory_and_written_in_one_batch(batched, alice, alice_org,
                                                                         django_assert_max_num_queries):
    _, raw = accounts.create_api_token(alice, "usage")
    api = Client(headers={"authorization": f"Bearer {raw}"})
    for _ in range(5):
        assert api.get("/api/workforce/orgs/alpha/shift-types").status_code == 200
    assert api.get("/api/billing/orgs/alpha/subscription").status_code == 200
    assert not UsageDay.objects.exists()  # counted, not yet written: no query per request
    with django_assert_max_num_queries(12):
        assert usage.counters.flush() == 6
    day = UsageDay.objects.get(organization=alice_org)
    assert day.api_calls == 6 and day.features == {"workforce": 5, "billing": 1}
    api.get("/api/workforce/orgs/alpha/shift-types")
    usage.counters.flush()
    day.refresh_from_db()
    assert day.api_calls == 7 and day.features["workforce"] == 6


def test_AC6_daily_gauges_count_users_records_and_storage(alice, bob, alice_org):
    assert usage.snapshot() >= 1
    day = UsageDay.objects.get(organization=alice_org)
    assert day.members == 2 and day.storage_bytes == 0
    assert day.records.get("Memberships") == 2
    assert not any("@" in str(value) for value in (day.records, day.features))  # no person in it


def test_BI4_usage_is_shown_to_the_owner_not_to_members(batched, alice, bob, alice_org):
    usage.snapshot()
    owner = Client()
    owner.force_login(alice)
    page = owner.get("/o/alpha/usage/").content.decode()
    assert "Memberships: 2" in page
    member = Client()
    member.force_login(bob)
    assert member.get("/o/alpha/usage/").status_code == 403
