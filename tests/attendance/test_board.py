"""WT8: the team board (who is in now, per site) and the sites map's data: sites for every
working role, check-in attempts only where the reader may see the location; the tile server is
an operator setting that the CSP then allows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from officium.attendance.coordinates import Fix
from officium.attendance.models import AttendanceRecord
from officium.env import map_tile_origins
from officium.privacy.audit.models import AuditEntry
from officium.privacy.audit_events import SENSITIVE_READ

from .conftest import make_member

INSIDE = Fix(52.5201, 13.4051, 10.0)


def record(member, minutes_ago, direction="in", site=None, accepted=True, review=""):
    return AttendanceRecord.objects.create(
        organization_id=member.organization_id, member=member, direction=direction,
        occurred_at=timezone.now() - timedelta(minutes=minutes_ago), verdict="inside",
        accepted=accepted, review=review, site=site, work_day=timezone.now().date())


@pytest.mark.django_db
def test_WT8_board_shows_who_is_in_now_per_site(alice_org, alice_m, bob_m, hq, yard, alice_client, api):
    from officium.accounts.roles import Role

    dora = make_member(alice_org, "dora@alpha.example", "Dora", Role.MEMBER, reports_to=alice_m)
    erik = make_member(alice_org, "erik@alpha.example", "Erik", Role.MEMBER, reports_to=alice_m)
    record(bob_m, 90, site=hq)
    record(dora, 120, site=yard)
    record(dora, 30, direction="out", site=yard)  # dora left
    record(erik, 10, site=yard, accepted=False, review="pending")  # held for review: counts

    body = api(alice_client, "get", "/orgs/alpha/board").json()
    sites = {s["name"]: s for s in body["sites"]}
    assert [p["member"] for p in sites["HQ"]["present"]] == ["Bob Berg"]
    assert [(p["member"], p["pending_review"]) for p in sites["Yard"]["present"]] == [("Erik Example", True)]
    assert body["out"] == 2  # alice herself and dora
    page = alice_client.get("/o/alpha/attendance/board/").content.decode()
    assert "Bob Berg" in page and "Dora" not in page.split('id="board"')[1]


@pytest.mark.django_db
def test_WT8_board_is_for_managers_of_their_reports_and_administrators(alice_org, alice_m, bob_m, hq, mia,
                                                                        bob_client, api):
    from tests.conftest import client_for

    record(bob_m, 5, site=hq)
    assert api(bob_client, "get", "/orgs/alpha/board").status_code == 403
    assert bob_client.get("/o/alpha/attendance/board/").status_code == 403
    mia_view = api(client_for(mia.user), "get", "/orgs/alpha/board").json()  # bob reports to mia now
    assert [p["member"] for s in mia_view["sites"] for p in s["present"]] == ["Bob Berg"]
    other = make_member(alice_org, "max@alpha.example", "Max", "manager")
    max_view = api(client_for(other.user), "get", "/orgs/alpha/board").json()
    assert [p for s in max_view["sites"] for p in s["present"]] == []


@pytest.mark.django_db
def test_WT8_map_draws_sites_for_all_and_attempts_only_for_the_entitled(alice_org, alice_m, bob_m, hq, yard,
                                                                        alice_client, bob_client, api, clock,
                                                                        grant):
    attempt = clock(bob_m, INSIDE, site_id=hq.pk)
    day = attempt.work_day.isoformat()

    mine = api(bob_client, "get", f"/orgs/alpha/map?day={day}").json()
    assert {s["name"]: s["shape"] for s in mine["sites"]} == {"HQ": "circle", "Yard": "polygon"}
    assert [(a["latitude"], a["longitude"]) for a in mine["attempts"]] == [(52.5201, 13.4051)]

    manager = api(alice_client, "get", f"/orgs/alpha/map?day={day}").json()
    assert manager["attempts"] == [] and len(manager["sites"]) == 2
    assert not AuditEntry.objects.filter(event=SENSITIVE_READ.name, actor_id=alice_m.user_id).exists()
    grant(alice_m)
    manager = api(alice_client, "get", f"/orgs/alpha/map?day={day}").json()
    assert [a["member"] for a in manager["attempts"]] == ["Bob Berg"]
    assert AuditEntry.objects.filter(event=SENSITIVE_READ.name, actor_id=alice_m.user_id,
                                     subject_id=bob_m.user_id).exists()

    page = alice_client.get("/o/alpha/attendance/map/", {"day": day}).content.decode()
    assert 'id="map-data"' in page and "vendor/leaflet-1.9.4/leaflet.js" in page
    assert "No map tiles are loaded" in page


@pytest.mark.django_db
@pytest.mark.parametrize("day", ["2026-02-30", "tomorrow"])
def test_WT8_map_bad_day_answers_400_naming_the_field(alice_org, alice_m, alice_client, api, day):
    answer = api(alice_client, "get", f"/orgs/alpha/map?day={day}")
    assert answer.status_code == 400 and answer.json()["field"] == "day"
    assert alice_client.get("/o/alpha/attendance/map/", {"day": day}).status_code == 400


def test_WT8_a_tile_server_is_allowed_by_the_csp_only_when_configured():
    assert map_tile_origins("") == []
    assert map_tile_origins("https://{s}.tiles.example.org/{z}/{x}/{y}.png") == ["https://*.tiles.example.org"]
    assert map_tile_origins("https://tiles.example.org:8443/{z}/{x}/{y}.png") == ["https://tiles.example.org:8443"]
    for bad in ("javascript:alert(1)", "tiles.example.org/{z}", "https:///{z}"):
        with pytest.raises(ValueError, match="OFFICIUM_MAP_TILES_URL"):
            map_tile_origins(bad)


@pytest.mark.django_db
def test_WT8_default_csp_allows_images_from_officium_only(alice_client, alice_org, alice_m):
    answer = alice_client.get("/o/alpha/attendance/map/")
    policy = answer.headers.get("Content-Security-Policy", "")
    img = next(part for part in policy.split(";") if part.strip().startswith("img-src"))
    assert img.split()[1:] == ["'self'", "data:"]
