"""Fixtures for the retention tests: a policy profile per test, events of a given age."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from officium.accounts.models import Membership
from officium.attendance.models import LocationEvent


@pytest.fixture
def events() -> Callable[..., list[LocationEvent]]:
    """``events(membership, count, days_old=...)`` stores location events of that age."""
    return add_events


def add_events(membership: Membership, count: int, days_old: float) -> list[LocationEvent]:
    at = timezone.now() - timedelta(days=days_old)
    return LocationEvent.objects.bulk_create([
        LocationEvent(organization=membership.organization, member=membership, kind="check_in",
                      occurred_at=at - timedelta(seconds=i), received_at=at, latitude=52.517389,
                      longitude=13.398213, accuracy_m=10, location_status="inside")
        for i in range(count)])
