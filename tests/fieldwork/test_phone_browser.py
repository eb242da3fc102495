"""FW8 in Chromium at phone size, geolocation faked: pair the app with a connection code, go
offline, check in, report on a task and submit its form, reload still offline (the queue
survives in IndexedDB, the shell comes from the service worker), go online and see each
action stored once with its location; then with privacy mode on, nothing located is stored."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from officium.attendance import services as attendance
from officium.attendance.models import AttendanceRecord, LocationEvent
from officium.attendance.privacy_mode import privacy_mode_on
from officium.fieldwork.models import Photo, Submission, TaskEntry
from officium.privacy.consent.services import set_photo_permission


def jpeg_with_gps() -> bytes:
    from tests.fieldwork.test_photos import jpeg_with_gps as make

    return make()


HERE = {"latitude": 52.5201, "longitude": 13.4051, "accuracy": 10}
PHONE = {"width": 390, "height": 844}


def wait_until(page, check, timeout=15000):
    waited = 0
    while not _try(check):
        page.wait_for_timeout(200)
        waited += 200
        assert waited < timeout, "timed out"


def _try(check) -> bool:
    """The check, or False while the live server's thread holds SQLite's shared-cache table
    lock (the in-memory test database): polled again."""
    try:
        return bool(check())
    except OperationalError as error:
        if "locked" not in str(error):
            raise
        return False


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_FW8_phone_app_pairs_queues_offline_and_replays_exactly_once(browser, live_server, alice_m, bob_m, task,
                                                                      form, hq):
    _, raw = attendance.create_connection_code(alice_m, bob_m)
    set_photo_permission(bob_m.user, True)
    context = browser.new_context(geolocation=HERE, permissions=["geolocation"], viewport=PHONE,
                                  is_mobile=True, has_touch=True, service_workers="allow")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/app/")

    page.fill("#pair-code", raw)
    page.fill("#pair-name", "Bob's phone")
    page.click("#pair-form button[type=submit]")
    page.wait_for_selector(f"[data-task='{task.pk}']")
    assert "Fix the pump" in page.inner_text("#tasks")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15000)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    context.set_offline(True)
    page.wait_for_selector("#net.off")
    page.click("#check-in")
    page.wait_for_selector("#pending:has-text('1 pending')")
    card = page.locator(f"[data-task='{task.pk}']")
    card.locator("textarea.note").fill("Leaving the depot")
    card.locator("button[data-status='en_route']").click()
    page.wait_for_selector("#pending:has-text('2 pending')")
    page.locator(f"[data-task='{task.pk}'] button:has-text('Fill in form')").click()
    page.check("#q-done")
    page.fill("#q-hours", "2")
    page.click("#fill-form button[type=submit]")
    page.wait_for_selector("#pending:has-text('3 pending')")
    # A photo taken offline: the picture itself waits in IndexedDB (FW4, FW8).
    page.locator(f"[data-task='{task.pk}'] input[type=file]").set_input_files(
        files=[{"name": "seal.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}])
    page.wait_for_selector("#pending:has-text('4 pending')")
    assert "Photo for Fix the pump" in page.inner_text("#queue")
    assert LocationEvent.objects.count() == 0 and not Photo.objects.exists()  # nothing reached the server

    page.reload()  # still offline: the shell from the service worker, the queue from IndexedDB
    page.wait_for_selector("#pending:has-text('4 pending')")
    assert "Fix the pump" in page.inner_text("#tasks")

    context.set_offline(False)
    page.wait_for_selector("#pending", state="hidden", timeout=20000)
    assert AttendanceRecord.objects.count() == 1 and TaskEntry.objects.count() == 1 and Submission.objects.count() == 1
    photo = Photo.objects.get()  # sent once, with the phone's client id, sealed
    assert photo.task_id == task.pk and photo.client_id and bytes(photo.content)[:4] == b"OFSA"
    located = LocationEvent.objects.filter(member=bob_m).order_by("pk")
    assert sorted(e.kind for e in located) == ["attendance", "form", "task_entry"]
    assert all(e.location_status == "recorded" and e.fix.latitude == pytest.approx(52.5201) for e in located)
    entry = TaskEntry.objects.get()
    assert entry.note == "Leaving the depot" and entry.status == "en_route"
    page.click("#sync")  # a second replay sends nothing twice
    page.wait_for_timeout(500)
    assert TaskEntry.objects.count() == 1 and LocationEvent.objects.count() == 3 and Photo.objects.count() == 1

    page.click("#privacy")
    wait_until(page, lambda: privacy_mode_on(bob_m))
    card = page.locator(f"[data-task='{task.pk}']")
    card.locator("textarea.note").fill("Arrived quietly")
    card.locator("button[data-note]").click()
    wait_until(page, lambda: TaskEntry.objects.count() == 2)
    quiet = TaskEntry.objects.get(note="Arrived quietly")
    assert quiet.location.location_status in ("none", "paused") and quiet.location.latitude is None
    assert LocationEvent.objects.exclude(latitude=None).count() == 3
    assert errors == []
    context.close()
