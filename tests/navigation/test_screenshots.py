"""UX3 in Chromium: each demo role's dashboard and menu at phone (390x844) and desktop width.

The demo is seeded as `make run` seeds it; each person signs in, and the test saves a screenshot
of the dashboard and of the open menu at both widths (in OFFICIUM_SCREENSHOTS, else pytest's tmp
directory; the path is printed) and asserts what that role must and must not find: a client
contact sees their spaces and their privacy, no attendance; a member their day, time and tasks;
a manager the team; the privacy officer the privacy office; the owner settings and billing;
platform staff the operator console. Nothing may be wider than the phone.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.conftest import login_page

from officium.accounts.demo import DEMO_PASSWORD, seed_demo
from officium.accounts.models import User

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# login -> (menu entries it must have, entries it must not have, dashboard panels it must show)
ROLES = {
    "client@acme.example": (
        {"portal:spaces", "rights:center", "consent:preferences", "notifications:list"},
        {"attendance:check_in", "attendance:records", "workforce:timesheets", "accounts:members",
         "fieldwork:tasks", "rights:queue", "billing:billing", "accounts:organization_settings"},
        {"portal.spaces"}),
    "member1@acme.example": (
        {"attendance:check_in", "workforce:timesheets", "workforce:leave", "fieldwork:tasks"},
        {"attendance:board", "workforce:requests", "rights:queue", "billing:billing",
         "accounts:organization_settings", "operator:console"},
        {"attendance.my_day", "fieldwork.tasks_due"}),
    "manager@acme.example": (
        {"attendance:board", "workforce:requests", "fieldwork:dispatch", "workforce:shifts"},
        {"rights:queue", "billing:billing", "accounts:organization_settings", "operator:console"},
        {"attendance.who_is_in", "workforce.requests", "fieldwork.tasks_due"}),
    "privacy@acme.example": (
        {"rights:queue", "privacy:breaches", "privacy:audit_log", "privacy:data_map"},
        {"billing:billing", "accounts:organization_settings", "operator:console"},
        {"privacy.requests_due", "privacy.breach_clocks"}),
    "owner@acme.example": (
        {"accounts:organization_settings", "billing:billing", "billing:usage", "rights:queue",
         "attendance:board", "comms:mail_settings"},
        {"operator:console", "mail:outbox"},
        {"attendance.who_is_in"}),
    "support@operator.example": (
        {"operator:console", "operator:removals", "notifications:list"},
        {"billing:billing", "rights:queue", "attendance:check_in"},
        set()),
}


@pytest.fixture
def shots(tmp_path_factory) -> Path:
    where = os.environ.get("OFFICIUM_SCREENSHOTS")
    directory = Path(where) if where else tmp_path_factory.mktemp("screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    print(f"screenshots in {directory}")
    return directory


def _menu_entries(page) -> set[str]:
    return set(page.eval_on_selector_all("#site-nav [data-nav]", "links => links.map(a => a.dataset.nav)"))


def _menu_shots(page, phone: bool, prefix: Path) -> list[Path]:
    """The open menu: on a phone, the menu button's panel with every section unfolded (one
    picture); on a desktop, each section's drop-down in turn (one picture each)."""
    if phone:
        page.click("#menu-button")
        assert page.locator("#site-nav").is_visible()
        page.eval_on_selector_all("#site-nav details.nav-section", "ds => ds.forEach(d => d.open = true)")
        path = prefix.with_name(f"{prefix.name}-menu.png")
        page.screenshot(path=str(path), full_page=True)
        return [path]
    paths = []
    summaries = page.locator("#site-nav details.nav-section > summary")
    for i in range(summaries.count()):
        summary = summaries.nth(i)
        summary.click()
        path = prefix.with_name(f"{prefix.name}-menu-{i}-{summary.inner_text().split()[0].lower()}.png")
        page.screenshot(path=str(path))
        paths.append(path)
        summary.click()
    return paths


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_UX3_each_roles_dashboard_and_menu_at_phone_and_desktop_width(browser, live_server, shots):
    from officium.cli import seed_story
    from officium.operator.demo import seed_operator

    seed_demo()
    seed_story()
    seed_operator(DEMO_PASSWORD)
    problems, saved = [], 0
    for email, (must, must_not, panels) in ROLES.items():
        user = User.objects.get(email=email)
        name = email.split("@")[0]
        for width, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            phone = width == "phone"
            context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
            try:
                page = login_page(context, live_server.url, user.email, DEMO_PASSWORD)
                assert "/accounts/login" not in page.url, f"{email} could not sign in"
                page.screenshot(path=str(shots / f"{name}-{width}-dashboard.png"), full_page=True)
                entries = _menu_entries(page)
                if missing := must - entries:
                    problems.append(f"{email} ({width}): menu lacks {sorted(missing)}")
                if extra := must_not & entries:
                    problems.append(f"{email} ({width}): menu shows {sorted(extra)}")
                shown = set(page.eval_on_selector_all("[data-panel]", "ps => ps.map(p => p.dataset.panel)"))
                if missing := panels - shown:
                    problems.append(f"{email} ({width}): dashboard lacks {sorted(missing)}")
                if page.evaluate("document.documentElement.scrollWidth") > viewport["width"]:
                    problems.append(f"{email} ({width}): the dashboard is wider than the screen")
                saved += 1 + len(_menu_shots(page, phone, shots / f"{name}-{width}"))
                if page.evaluate("document.documentElement.scrollWidth") > viewport["width"]:
                    problems.append(f"{email} ({width}): the open menu is wider than the screen")
            finally:
                context.close()
    assert not problems, "\n".join(problems)
    assert saved >= 4 * len(ROLES) and len(list(shots.glob("*.png"))) >= saved
