"""PV1, PV3, PV5 in Chromium at phone (390x844) and desktop width: the officer filters the audit
log to one member's location reads and verifies the chain; reviews an erasure, edits the message
and approves; records a breach and sees the 72-hour clock. No page scrolls sideways."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from tests.factories import PASSWORD

from officium.privacy import audit
from officium.privacy.audit_events import SENSITIVE_READ
from officium.privacy.office.models import Breach
from officium.privacy.rights import intake
from officium.privacy.rights.models import RightsRequest, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHIPPED = Path(__file__).resolve().parents[3] / "policies"
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


def _no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, (page.url, overflow)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_PV1_PV3_PV5_officer_flows_in_chromium(size, alice, bob, alice_org, use_policy,
                                               browser_login, live_server,
                                               django_capture_on_commit_callbacks):
    use_policy(SHIPPED / "officeportal.yaml")  # erasure is reviewed (PV3)
    officer = alice.memberships.get()
    for _ in range(2):
        audit.record(SENSITIVE_READ, actor=alice, organization=alice_org, subject=bob,
                     details={"purpose": "attendance", "categories": ["pd:GPSCoordinate"]})
    audit.record(SENSITIVE_READ, actor=alice, organization=alice_org, subject=alice,
                 details={"purpose": "attendance", "categories": ["pd:GPSCoordinate"]})
    with django_capture_on_commit_callbacks(execute=True):
        filed = intake.file_for_account(bob, request_type="erasure", country="DE", password=PASSWORD)
    assert RightsRequest.objects.get(pk=filed.pk).status == Status.IN_REVIEW
    _, page = browser_login(alice, viewport=SIZES[size])
    base = f"{live_server.url}/o/{alice_org.slug}/privacy"

    # PV1: one member's location reads, then "verify now".
    page.goto(f"{base}/audit/")
    page.click("summary:has-text('Filter')")
    page.select_option("#id_event", SENSITIVE_READ.name)
    page.select_option("#id_subject", str(bob.pk))
    page.click("#audit-filters button")
    rows = page.locator("#audit-entries tbody tr")
    assert rows.count() == 2
    assert "GPS Coordinate" in rows.first.inner_text() and "Bob Berg" in rows.first.inner_text()
    _no_sideways_scroll(page)
    page.click("#verify-now")
    assert "The log verifies" in page.locator("#verify-result").inner_text()
    _no_sideways_scroll(page)

    # PV3: the erasure waits with its draft; the officer edits the message and approves.
    page.goto(f"{base}/requests/{filed.pk}/")
    assert "Review the draft answer" in page.content()
    _no_sideways_scroll(page)
    page.fill("#review-message", "Done, Bob. Your timesheets stay two years, as the law says.")
    page.click("#approve-review button")
    page.wait_for_load_state("networkidle")
    done = RightsRequest.objects.get(pk=filed.pk)
    assert done.status == Status.COMPLETED and "timesheets stay two years" in done.review_message
    assert not get_user_model().objects.filter(pk=bob.pk).exists()  # erased after approval

    # PV5: a breach discovered two hours ago shows its 72-hour clock.
    page.goto(f"{base}/breaches/")
    discovered = timezone.now() - timedelta(hours=2)  # read in the organization's zone: earlier still
    page.fill("#id_summary", "Laptop lost on a train")
    page.fill("#id_description", "An encrypted laptop with exports was left on a train.")
    page.fill("#id_discovered_at", discovered.strftime("%Y-%m-%dT%H:%M"))
    page.locator("input[name=categories]").first.check()
    page.fill("#id_consequences", "Unlikely: the disk is encrypted.")
    page.fill("#id_measures", "Remote wipe requested.")
    page.click("#record-breach button")
    page.wait_for_load_state("networkidle")
    assert Breach.objects.filter(organization=alice_org).count() == 1
    page.goto(f"{base}/breaches/")
    clock = page.locator(".breach-clock").first.inner_text()
    assert "h left to notify the authority" in clock, clock
    _no_sideways_scroll(page)
    page.goto(f"{live_server.url}/o/{alice_org.slug}/")
    dashboard = page.locator("#breach-clocks").inner_text()  # on the officer's dashboard
    assert "Laptop lost on a train" in dashboard and "h left to notify the authority" in dashboard
    _no_sideways_scroll(page)
    assert officer.role == "owner"
