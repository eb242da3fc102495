"""CO2/CO3 in Chromium: the banner on a first visit, "Reject" leaves only strictly necessary
cookies, "Accept analytics" sets the analytics cookie, and a signed-in person's GPC signal
turns sharing off on their preferences page."""

from __future__ import annotations

import pytest

from officium.privacy.consent import services
from officium.privacy.consent.ledger import Subject
from officium.privacy.consent.models import ConsentRecord, Method

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NECESSARY = {"csrftoken", "sessionid", "messages", "ofc_consent"}


def names(context) -> set[str]:
    return {c["name"] for c in context.cookies()}


def test_CO2_banner_reject_and_accept_analytics_in_chromium(browser, live_server):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        assert page.locator("#cookie-banner").is_visible()
        assert names(context) <= NECESSARY
        page.click("#cookie-reject")
        page.wait_for_selector("#cookie-banner", state="detached")
        page.reload()
        assert page.locator("#cookie-banner").count() == 0
        assert "ofc_consent" in names(context)
        assert names(context) <= NECESSARY
        assert ConsentRecord.objects.filter(subject_user=None, method=Method.BANNER).count() == 2
    finally:
        context.close()

    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.click("#cookie-accept-analytics")
        page.wait_for_selector("#cookie-banner", state="detached")
        assert "ofc_analytics" in names(context)
    finally:
        context.close()


def test_CO2_banner_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.click("#cookie-accept-analytics")
        page.wait_for_load_state()
        assert page.url.endswith("/accounts/login/")
        assert page.locator("#cookie-banner").count() == 0
        assert "ofc_analytics" in names(context)
    finally:
        context.close()


def test_CO3_gpc_turns_sharing_off_for_a_signed_in_person(browser_login, live_server, alice):
    services.set_cookie_choice(Subject.of(alice), ["analytics", "third_party"])
    context, page = browser_login(alice)
    page.goto(f"{live_server.url}/privacy/consent/")
    assert "ofc_analytics" in names(context)
    assert page.locator("#sharing-state").inner_text() == "On"
    context.set_extra_http_headers({"Sec-GPC": "1"})
    page.reload()
    assert page.locator("#sharing-state").inner_text() == "Off"
    assert page.locator("#signal-notice").is_visible()
    assert ConsentRecord.objects.filter(subject_user=alice, method=Method.GPC_SIGNAL).count() == 2
    assert "ofc_analytics" not in names(context)  # deleted: the signal withdrew it
