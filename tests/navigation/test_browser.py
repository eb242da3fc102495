"""UX2-UX4 in Chromium: a new owner completes onboarding on a phone; the member's unread
count changes when the manager approves leave; the phone menu opens and fits."""

from __future__ import annotations

import datetime as dt

import pytest

from officium.accounts.models import Invitation, Organization
from officium.attendance.models import Site
from officium.workforce import leave
from officium.workforce.models import LeaveType

PHONE = {"width": 390, "height": 844}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_UX2_a_new_owner_completes_onboarding_on_a_phone(browser_login, live_server, alice, alice_org):
    _, page = browser_login(alice, viewport=PHONE, is_mobile=True, has_touch=True)
    assert page.url.endswith("/o/alpha/welcome/time_zone/")
    page.select_option("select[name=time_zone]", "Europe/Berlin")
    page.click("button[value=save]")
    page.wait_for_url("**/welcome/site/")
    page.click("#draw-site")
    page.wait_for_url("**/attendance/sites/new/**")
    page.fill("input[name=name]", "Head office")
    page.evaluate("""() => { const f = document.getElementById('site-form');
        const set = (n, v) => { const e = f.querySelector(`[name=${n}]`); if (e) { e.value = v; } };
        set('shape', 'circle'); set('center_latitude', '52.52'); set('center_longitude', '13.405');
        set('radius_m', '120'); }""")
    page.click("#site-form button[type=submit], #site-form button:not([type])")
    page.wait_for_url("**/welcome/site/")
    page.click("button[value=continue]")
    page.wait_for_url("**/welcome/invite/")
    page.fill("input[name=email]", "newbie@alpha.example")
    page.click("button[value=save]")
    page.wait_for_selector("text=Invitation sent")
    page.click("#invite-continue")
    page.wait_for_url("**/welcome/plan/")
    page.click("#keep-plan")
    page.wait_for_url("**/o/alpha/")
    assert "Your organization is set up" in page.inner_text("main")
    assert page.locator("#onboarding-checklist").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    org = Organization.objects.get(pk=alice_org.pk)
    assert org.time_zone == "Europe/Berlin" and org.onboarding.get("plan") == "done"
    assert Site.objects.filter(organization=org, name="Head office").exists()
    assert Invitation.objects.filter(email="newbie@alpha.example").exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_UX4_the_count_changes_when_the_manager_approves_leave(browser_login, live_server, alice, bob, alice_org):
    Organization.objects.filter(pk=alice_org.pk).update(onboarding={"checklist": "dismissed"})
    annual = LeaveType.objects.create(organization=alice_org, name="Annual", yearly_days=25)
    monday = dt.date.today() + dt.timedelta(days=14)  # noqa: DTZ011
    monday += dt.timedelta(days=(7 - monday.weekday()) % 7)
    leave.request_leave(bob.memberships.get(), {"leave_type_id": annual.pk, "starts_on": monday.isoformat(),
                                                "ends_on": monday.isoformat()})
    _, member_page = browser_login(bob, viewport=PHONE, is_mobile=True, has_touch=True)
    assert member_page.locator("#unread-count").count() == 0
    _, manager_page = browser_login(alice)
    assert manager_page.inner_text("#unread-count") == "1"  # told about the request
    manager_page.goto(f"{live_server.url}/o/alpha/timesheets/")
    manager_page.click("#leave-requests button.approve")
    manager_page.wait_for_selector("text=The leave request was approved")
    member_page.reload()
    assert member_page.inner_text("#unread-count") == "1"
    member_page.click("#menu-button")
    assert member_page.locator("#site-nav").is_visible()
    member_page.click("#nav-notifications")
    assert "Your annual from" in member_page.inner_text("#notifications")
