"""PV4 and RI1: the subject's answer in plain words, still holding every registered record."""

from __future__ import annotations

import re
from datetime import UTC

import pytest
from tests.factories import PASSWORD

from officium.privacy.rights import intake
from officium.privacy.rights.records import Subject, record_types, rows
from officium.privacy.rights.views import plain

pytestmark = pytest.mark.django_db


def _access(world, capture):
    with capture(execute=True):
        filed = intake.file_for_account(world.bob, request_type="access", country="DE",
                                        password=PASSWORD)
    filed.refresh_from_db()
    return filed


def test_RI1_PV4_the_plain_answer_holds_every_registered_record_in_words(
        world, bob_client, django_capture_on_commit_callbacks):
    filed = _access(world, django_capture_on_commit_callbacks)
    html = bob_client.get(f"/privacy/center/requests/{filed.pk}/").content.decode()
    data = html[html.index('<section class="data">'):]
    held = [t for t in record_types() if rows(t, Subject(user_id=world.bob.pk))]
    assert len(held) > 5
    for record_type in held:
        assert f"<h3>{record_type.title} (" in data, record_type.title
    assert "None" not in data and "True" not in data and "False" not in data
    assert "{'" not in data and "pd:" not in data
    assert not re.search(r"\b(accounts|attendance|workforce|portal|privacy)\.[A-Z]", data)
    assert re.search(r"\d\d:\d\d (UTC|CET|CEST)\b", data)  # times with their zone


def test_PV4_values_read_as_words():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Europe/Berlin")
    assert plain(None, zone) == "—" and plain(True, zone) == "Yes" and plain(False, zone) == "No"
    assert plain(datetime(2026, 7, 1, 6, 0, tzinfo=UTC), zone) == "01 Jul 2026 08:00 CEST"
    assert plain({"a_b": [1, None]}, zone) == "a b: 1, —"
    assert plain("pd:GPSCoordinate", zone) == "GPS Coordinate"


def test_PV4_officer_sees_a_summary_not_a_dict(world, alice_client, django_capture_on_commit_callbacks):
    filed = _access(world, django_capture_on_commit_callbacks)
    html = alice_client.get(f"/o/{world.alice_org.slug}/privacy/requests/{filed.pk}/").content.decode()
    summary = html[html.index('id="answer-summary"'):]
    assert "Answer recorded" in summary and "{'" not in summary and "<pre>" not in summary


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_PV4_the_subject_reads_their_answer_on_a_phone_without_sideways_scrolling(
        world, browser_login, live_server, django_capture_on_commit_callbacks):
    filed = _access(world, django_capture_on_commit_callbacks)
    _, page = browser_login(world.bob, viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/privacy/center/requests/{filed.pk}/")
    assert page.locator("section.data").count() == 1
    overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, overflow
    # and the privacy center's cards and "who read my data", on the same phone
    for path in ("/privacy/center/", "/privacy/my-reads/"):
        page.goto(f"{live_server.url}{path}")
        overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, overflow)
    page.goto(f"{live_server.url}/privacy/center/")
    assert page.locator(".request-card").count() >= 5


def test_PV4_the_zip_readme_names_record_types_in_words_and_holds_nothing_internal():
    from officium.privacy.rights.export import readme

    for kind in ("access", "portability"):
        text = readme(kind, {"accounts.User": 1, "attendance.AttendanceRecord": 3},
                      {"controller": {"name": "Alpha", "dpo": None}})
        # each type by its title; the model label appears only as the name of its CSV file
        records = re.sub(r" \(file [\w.]+\)", "", text[text.index("Records:"):])
        assert "Users: 1" in records and "Attendance records: 3" in records
        assert "accounts.User" not in records and "attendance.AttendanceRecord" not in records
        assert "None" not in text and "True" not in text and "False" not in text
        assert "{'" not in text and "pd:" not in text
