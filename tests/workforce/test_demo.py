"""UX1 (this part): the demo organization works in Berlin time with a Lisbon site, a day and a
night shift and their assignments; seeding twice adds nothing."""

from __future__ import annotations

import pytest

from officium.accounts.demo import seed_demo
from officium.accounts.models import Organization
from officium.attendance.models import Site
from officium.workforce.demo import seed_working_time
from officium.workforce.models import ShiftAssignment, ShiftType


@pytest.mark.django_db
def test_WT1_WT2_demo_seeding_is_idempotent():
    for _ in range(2):
        seed_demo()
        seed_working_time()
    acme = Organization.objects.get(slug="acme")
    assert acme.time_zone == "Europe/Berlin"
    assert dict(Site.objects.filter(organization=acme).values_list("name", "time_zone")) == {
        "Berlin HQ": "", "Lisbon depot": "Europe/Lisbon"}
    assert set(ShiftType.objects.filter(organization=acme).values_list("name", "overnight")) == {
        ("Early", False), ("Night", True)}
    assert ShiftAssignment.objects.filter(organization=acme).count() == 3
