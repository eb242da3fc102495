"""WT7, WT8 in Chromium at phone (390x844) and desktop width: the manager filters the report
and downloads the XLSX export (opened with openpyxl, a row checked); the map page draws the
sites and makes no request to another origin; an administrator draws a site with two clicks."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from officium.attendance.models import AttendanceRecord, Site

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


def watch(page, origin, foreign):
    def seen(request):
        if not request.url.startswith((origin, "data:", "blob:")):
            foreign.append(request.url)
    page.on("request", seen)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_WT7_WT8_manager_exports_xlsx_and_the_map_stays_on_officium(browser_login, live_server, alice_org,
                                                                   alice, bob_m, hq, yard, size, tmp_path):
    alice_org.time_zone = "Europe/Berlin"
    alice_org.save(update_fields=["time_zone"])
    AttendanceRecord.objects.create(organization=alice_org, member=bob_m, direction="in", verdict="inside",
                                    accepted=True, site=hq, occurred_at=datetime(2026, 3, 30, 6, 5, tzinfo=UTC),
                                    work_day=date(2026, 3, 30))  # 08:05 CEST, after the DST switch
    origin = live_server.url
    foreign: list[str] = []
    context, page = browser_login(alice, viewport=SIZES[size], accept_downloads=True)
    watch(page, origin, foreign)

    # WT7: filter the report to the day; the row reads in local time with the zone named.
    page.goto(f"{origin}/o/alpha/attendance/")
    page.fill("input[name=start]", "2026-03-30")
    page.fill("input[name=end]", "2026-03-30")
    page.click("#report-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#records tbody tr[data-record]").count() == 1
    assert "2026-03-30 08:05 CEST" in page.locator("#records").inner_text()

    with page.expect_download() as download:
        page.click("#export-xlsx")
    target = tmp_path / "export.xlsx"
    download.value.save_as(target)
    assert download.value.suggested_filename == "attendance-2026-03-30-2026-03-30.xlsx"
    rows = list(load_workbook(target)["Attendance"].iter_rows(values_only=True))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Member"] == "Bob Berg" and row["Local time"] == "2026-03-30T08:05:00+02:00"
    assert row["Site"] == "HQ" and "Latitude" not in rows[0]

    # WT8: the map draws both sites (a circle and a polygon) from Officium's own files.
    page.goto(f"{origin}/o/alpha/attendance/map/?day=2026-03-30")
    page.wait_for_load_state("networkidle")
    assert page.locator("#site-map .site-shape").count() == 2
    assert page.locator("#site-map .leaflet-control-scale").count() == 1
    assert page.locator("#site-map img.leaflet-tile").count() == 0
    assert foreign == [], f"requests to another origin: {foreign}"

    if size == "desktop":
        # An administrator draws a circle: click the centre, then a point on its edge.
        page.goto(f"{origin}/o/alpha/attendance/sites/new/")
        page.wait_for_load_state("networkidle")
        page.fill("input[name=name]", "Depot")
        box = page.locator("#site-map").bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.click(box["x"] + box["width"] / 2 + 60, box["y"] + box["height"] / 2)
        assert page.locator("input[name=center_latitude]").input_value() != ""
        radius = float(page.locator("input[name=radius_m]").input_value())
        assert radius > 0
        page.click("#site-form button[type=submit]")
        page.wait_for_load_state("networkidle")
        depot = Site.objects.get(name="Depot")
        assert depot.shape == "circle" and depot.radius_m == radius and depot.center_latitude is not None
        assert foreign == [], f"requests to another origin: {foreign}"
