"""PV6: statistics published under differential privacy with OpenDP: budgets, small groups."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from tests import factories

from officium.attendance.models import AttendanceRecord, Verdict
from officium.attendance.releases import counts
from officium.privacy.office import releases
from officium.privacy.office.models import Release

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 11, 2)


def _checkins(world, site, member, days, per_day=1):
    rows = []
    for d in range(days):
        day = MONDAY + timedelta(days=d)
        for k in range(per_day):
            rows.append(AttendanceRecord(
                organization=world.alice_org, member=member, direction="in",
                occurred_at=datetime(day.year, day.month, day.day, 8, k, tzinfo=UTC),
                verdict=Verdict.values[0], accepted=True, site=site, work_day=day))
    AttendanceRecord.objects.bulk_create(rows)


@pytest.fixture
def busy(world):
    hq, depot = factories.site(world.alice_org, "HQ"), factories.site(world.alice_org, "Depot")
    people = [factories.member(world.alice_org) for _ in range(60)]
    for person in people:
        _checkins(world, hq, person, 14, per_day=2)
    _checkins(world, depot, world.bob_membership, 3)
    return hq, depot


def test_PV6_counts_cap_each_persons_records_per_week(world, busy):
    found = counts(world.alice_org.pk, MONDAY, MONDAY + timedelta(days=14), releases.CAP)
    assert found["HQ, week of 02 Nov 2026"] == 60 * releases.CAP  # 14 a week each, capped at 10
    assert found["Depot, week of 02 Nov 2026"] == 3


def test_PV6_officer_publishes_noisy_counts_small_groups_withheld_public_page(world, busy,
                                                                            alice_client, client):
    response = alice_client.post(f"/o/{world.alice_org.slug}/privacy/releases/", {
        "dataset": "checkins_per_site_week", "since": "2026-11-02", "until": "2026-11-16",
        "epsilon": "1.0"})
    assert response.status_code == 302
    release = Release.objects.get()
    values = {r["group"]: r["value"] for r in release.results}
    assert values["Depot, week of 02 Nov 2026"] is None  # 3 check-ins: withheld (< 10 + 8 x 20)
    assert abs(values["HQ, week of 02 Nov 2026"] - 600) < 400  # scale 20: P(miss) ~ e^-20
    assert release.sensitivity == 20 and release.scale == 20 and release.epsilon == 1.0
    assert release.threshold == 170
    page = client.get("/privacy/statistics/").content.decode()
    assert "Check-ins per site per week" in page and "withheld" in page and "ε = 1.00" in page
    assert "None" not in page


@pytest.mark.parametrize(("form", "field"), [
    ({"epsilon": "1.5"}, "epsilon"),   # over the per-release limit
    ({"epsilon": "0"}, "epsilon"),
    ({"until": "2026-11-02"}, "until"),  # an empty period
    ({"dataset": "nothing"}, "dataset"),
])
def test_PV6_bad_release_is_refused_naming_the_field(world, busy, alice_client, form, field):
    data = {"dataset": "checkins_per_site_week", "since": "2026-11-02", "until": "2026-11-16",
            "epsilon": "0.5", **form}
    response = alice_client.post(f"/o/{world.alice_org.slug}/privacy/releases/", data)
    assert response.status_code == 400 and f'name="{field}"' in response.content.decode()
    assert not Release.objects.exists()


def test_PV6_the_dataset_budget_runs_out(world, busy):
    for _ in range(3):
        releases.publish(world.alice_membership, dataset="checkins_per_site_week",
                         since=MONDAY, until=MONDAY + timedelta(days=7), epsilon=1.0)
    with pytest.raises(Exception, match="budget"):
        releases.publish(world.alice_membership, dataset="checkins_per_site_week",
                         since=MONDAY, until=MONDAY + timedelta(days=7), epsilon=0.1)
    assert Release.objects.count() == 3


def test_PV6_an_organization_without_sites_has_nothing_to_release(charlie, charlie_org):
    membership = charlie.memberships.get()
    with pytest.raises(Exception, match="nothing to count"):
        releases.publish(membership, dataset="checkins_per_site_week", since=MONDAY,
                         until=MONDAY + timedelta(days=7), epsilon=0.5)
