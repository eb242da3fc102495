"""LO1: geofenced check-in and check-out; every attempt stored with its location and verdict."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from officium.attendance import services
from officium.attendance.coordinates import Fix
from officium.attendance.models import AttendanceRecord, LocationEvent, LocationStatus

pytestmark = pytest.mark.django_db


def fix(point):
    return Fix(*point)


def test_LO1_check_in_inside_the_fence_succeeds(bob_m, hq, points):
    record = services.check_in(bob_m, "in", fix(points.inside))
    assert record.accepted and record.verdict == "inside" and record.site == hq
    assert record.location.location_status == LocationStatus.RECORDED
    assert (record.location.latitude, record.location.longitude) == points.inside[:2]
    assert record.location.accuracy_m == 10.0


def test_LO1_failed_attempt_outside_is_stored_with_its_location(bob_m, hq, points):
    record = services.check_in(bob_m, "in", fix(points.outside))
    assert not record.accepted and record.verdict == "outside"
    stored = AttendanceRecord.objects.get(pk=record.pk)
    assert stored.location.latitude == points.outside[0]
    assert stored.site == hq  # the fence it was judged against


def test_LO1_accuracy_coarser_than_the_edge_is_undecided(bob_m, hq, points):
    record = services.check_in(bob_m, "in", fix(points.straddling))
    assert record.verdict == "undecided" and not record.accepted


def test_LO1_polygon_fence(bob_m, yard):
    assert services.check_in(bob_m, "in", Fix(52.505, 13.305, 5)).verdict == "inside"
    assert services.check_in(bob_m, "out", Fix(52.505, 13.2999, 20)).verdict == "undecided"
    assert services.check_in(bob_m, "out", Fix(52.505, 13.295, 5)).verdict == "outside"


def test_LO1_check_out_and_judged_against_a_chosen_site(bob_m, hq, yard, points):
    assert services.check_in(bob_m, "in", fix(points.inside)).accepted
    record = services.check_in(bob_m, "out", fix(points.inside), site_id=yard.pk)
    assert record.direction == "out" and record.site == yard and record.verdict == "outside"


def test_LO1_impossible_speed_is_flagged_as_mock_gps(bob_m, hq, points):
    first = services.check_in(bob_m, "in", fix(points.far_away))
    assert not first.suspected_mock
    jumped = services.check_in(bob_m, "in", fix(points.inside))  # Paris to Berlin in a second
    assert jumped.suspected_mock and not jumped.accepted and jumped.verdict == "inside"
    assert jumped.location.suspected_mock


def test_LO1_plausible_speed_is_not_flagged(bob_m, hq, points):
    services.check_in(bob_m, "in", fix(points.outside))
    LocationEvent.objects.update(occurred_at=LocationEvent.objects.get().occurred_at - timedelta(minutes=10))
    assert not services.check_in(bob_m, "in", fix(points.inside)).suspected_mock  # 1.1 km in 10 min


def test_LO1_check_in_over_the_api(bob_client, hq, points, api):
    lat, lon, acc = points.inside
    response = api(bob_client, "post", "/orgs/alpha/check-ins",
                   {"direction": "in", "latitude": lat, "longitude": lon, "accuracy": acc})
    assert response.status_code == 201, response.content
    assert response.json()["verdict"] == "inside" and response.json()["accepted"] is True


def test_LO1_check_in_page_posts_and_reports(bob_client, hq, points):
    lat, lon, acc = points.outside
    response = bob_client.post("/o/alpha/attendance/check-in/", {
        "direction": "in", "latitude": lat, "longitude": lon, "accuracy": acc}, follow=True)
    assert b"outside the geofence" in response.content
    assert AttendanceRecord.objects.get().verdict == "outside"


def test_LO1_working_hours_are_recorded(bob_m, hq, points):
    from datetime import time
    hq.schedule_start, hq.schedule_end = time(0, 0), time(0, 0, 1)
    hq.save()
    assert services.check_in(bob_m, "in", fix(points.inside)).within_schedule is False


def test_LO1_no_location_is_accepted_only_where_the_organization_allows(alice_m, bob_m, hq):
    services.change_settings(alice_m, without_location="accept", location_retention_days=None)
    assert services.check_in(bob_m, "in", None).accepted
    services.check_in(bob_m, "out", None)
    services.change_settings(alice_m, without_location="refuse", location_retention_days=None)
    refused = services.check_in(bob_m, "in", None)
    assert refused.verdict == "no_location" and not refused.accepted
    assert refused.location.location_status == LocationStatus.NONE


def test_LO1_outsider_cannot_check_in_at_alices_organization(charlie_client, hq, api):
    assert api(charlie_client, "post", "/orgs/alpha/check-ins", {"direction": "in"}).status_code == 404
    assert not mail.outbox
