"""WT1: the organization's zone (a site may have its own) decides schedules, days and every time
shown, with the zone named; invalid zones are refused naming the field."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from tests.api_answers import error_fields

from officium.accounts import localtime
from officium.accounts.models import Organization
from officium.attendance import services
from officium.attendance.models import AttendanceRecord, Site
from officium.privacy.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_WT1_berlin_member_checking_in_at_0830_local_is_within_hours(bob_m, bob_client, hq, at, inside):
    hq.schedule_start, hq.schedule_end, hq.weekdays = time(8), time(17), [0, 1, 2, 3, 4]
    hq.save()
    at("2026-01-14T07:30")  # a Wednesday, 08:30 in Berlin (CET)
    response = bob_client.post("/o/alpha/attendance/check-in/", {
        "direction": "in", "latitude": inside.latitude, "longitude": inside.longitude,
        "accuracy": inside.accuracy}, follow=True)
    record = AttendanceRecord.objects.get()
    assert record.accepted and record.within_schedule is True and record.work_day == date(2026, 1, 14)
    page = response.content.decode()
    assert "Checked in at HQ at 08:30 CET" in page
    assert "since 08:30 CET" in page
    records = bob_client.get("/o/alpha/attendance/").content.decode()
    assert "2026-01-14 08:30 CET" in records and "outside working hours" not in records


def test_WT1_summer_time_is_named_and_judged_in_local_time(bob_m, bob_client, hq, at, inside):
    hq.schedule_start, hq.schedule_end = time(8), time(17)
    hq.save()
    at("2026-07-15T05:45")  # 07:45 CEST: before the site's hours
    record = services.check_in(bob_m, "in", inside)
    assert record.within_schedule is False
    assert "2026-07-15 07:45 CEST" in bob_client.get("/o/alpha/attendance/").content.decode()


def test_WT1_tonga_check_in_at_0030_lands_on_the_right_local_day(alice_m, bob_m, bob_client, alice_org, at, api):
    alice_org.time_zone = "Pacific/Tongatapu"
    alice_org.save()
    services.change_settings(alice_m, "accept", None)
    at("2026-01-13T11:30")  # 00:30 on the 14th in Tonga (UTC+13)
    record = services.check_in(bob_m, "in", None)
    assert record.work_day == date(2026, 1, 14)
    state = api(bob_client, "get", "/attendance/orgs/alpha/clock").json()
    assert state["day"] == "2026-01-14" and state["checked_in"] and state["since_local"] == "00:30 UTC+13"
    assert state["time_zone"] == "Pacific/Tongatapu"
    assert "2026-01-14 00:30 UTC+13" in bob_client.get("/o/alpha/attendance/").content.decode()


def test_WT1_a_dst_day_lasts_23_hours_and_worked_time_counts_real_hours(bob_m, alice_m, berlin, at, api, bob_client):
    services.change_settings(alice_m, "accept", None)
    start, end = localtime.day_bounds(date(2026, 3, 29), localtime.zone("Europe/Berlin"))
    assert end - start == timedelta(hours=23)
    start, end = localtime.day_bounds(date(2026, 10, 25), localtime.zone("Europe/Berlin"))
    assert end - start == timedelta(hours=25)
    at("2026-03-28T23:30")  # 00:30 CET on the 29th
    services.check_in(bob_m, "in", None)
    at("2026-03-29T02:30")  # 04:30 CEST: three hours later, though the clock moved four
    out = services.check_in(bob_m, "out", None)
    assert out.work_day == date(2026, 3, 29)
    state = api(bob_client, "get", "/attendance/orgs/alpha/clock").json()
    assert state["worked_today_minutes"] == 180 and state["worked_today"] == "3 h 00 min"
    assert not state["checked_in"]


def test_WT1_a_site_zone_overrides_the_organization(alice_m, alice_client, bob_m, bob_client, berlin, at, api):
    services.change_settings(alice_m, "accept", None)
    made = api(alice_client, "post", "/attendance/orgs/alpha/sites", {
        "name": "Lisbon depot", "center_latitude": 38.72, "center_longitude": -9.14, "radius_m": 200,
        "time_zone": "Europe/Lisbon"})
    assert made.status_code == 201 and made.json()["time_zone"] == "Europe/Lisbon"
    site = Site.objects.get(name="Lisbon depot")
    at("2026-01-14T07:30")
    record = services.check_in(bob_m, "in", None, site_id=site.pk)
    assert record.site == site
    assert "2026-01-14 07:30 WET" in bob_client.get("/o/alpha/attendance/").content.decode()


def test_WT1_invalid_zones_are_refused_naming_the_field(alice_client, alice_m, berlin, api):
    answer = api(alice_client, "patch", "/orgs/alpha", {"time_zone": "Mars/Olympus_Mons"})
    assert answer.status_code == 400 and "time_zone" in error_fields(answer)
    site = api(alice_client, "post", "/attendance/orgs/alpha/sites", {
        "name": "Nowhere", "center_latitude": 1.0, "center_longitude": 1.0, "radius_m": 50, "time_zone": "CEST"})
    assert site.status_code == 400 and "time_zone" in error_fields(site)
    page = alice_client.post("/o/alpha/settings/", {"time_zone": "Europe/Atlantis"})
    assert page.status_code == 400 and b"time_zone" in page.content
    assert Organization.objects.get(pk=berlin.pk).time_zone == "Europe/Berlin"
    assert not Site.objects.exists()
    assert not AuditEntry.objects.filter(event="accounts.organization_changed").exists()


def test_WT1_administrators_choose_the_zone_in_settings_audited(alice_client, bob_client, berlin, api):
    assert bob_client.get("/o/alpha/settings/").status_code == 403
    assert api(bob_client, "patch", "/orgs/alpha", {"time_zone": "Asia/Tokyo"}).status_code == 403
    page = alice_client.get("/o/alpha/settings/")
    assert page.status_code == 200 and b'<option value="Europe/Berlin" selected>' in page.content
    assert alice_client.post("/o/alpha/settings/", {"time_zone": "Asia/Tokyo"}).status_code == 302
    assert Organization.objects.get(pk=berlin.pk).time_zone == "Asia/Tokyo"
    entry = AuditEntry.objects.get(event="accounts.organization_changed")
    assert entry.details == {"time_zone": ["Europe/Berlin", "Asia/Tokyo"]}
    assert api(alice_client, "get", "/orgs/alpha").json()["time_zone"] == "Asia/Tokyo"


def test_WT1_signup_keeps_the_chosen_zone_and_refuses_an_unknown_one(client):
    from tests.accounts.test_signup import officeportal_form

    refused = client.post("/accounts/signup/", {**officeportal_form(), "time_zone": "Nowhere/Land"})
    assert refused.status_code == 400 and not Organization.objects.exists()
    assert client.post("/accounts/signup/", {**officeportal_form(), "time_zone": "America/Chicago"}).status_code == 200
    assert Organization.objects.get().time_zone == "America/Chicago"
    assert 'data-browser-zone' in client.get("/accounts/signup/").content.decode()


def test_WT1_formatting_names_the_zone():
    tz = localtime.zone("Europe/Berlin")
    assert localtime.format_time(datetime(2026, 1, 14, 7, 30, tzinfo=UTC), tz) == "08:30 CET"
    assert localtime.format_time(datetime(2026, 7, 14, 6, 30, tzinfo=UTC), tz) == "08:30 CEST"
    assert localtime.format_time(datetime(2026, 7, 14, 6, 30, tzinfo=UTC), localtime.zone("Asia/Kolkata")) == "12:00 IST"
    assert localtime.format_time(datetime(2026, 7, 14, 6, 30, tzinfo=UTC), localtime.zone("Asia/Kathmandu")) == "12:15 UTC+5:45"
