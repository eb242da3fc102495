"""UX3: one menu from each role's rights, friendly refusal pages, organization settings."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from tests import factories

from officium.accounts import navigation
from officium.accounts.models import Organization
from officium.accounts.roles import Role

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _menu(client: Client, url: str = "/o/alpha/") -> set[str]:
    html = client.get(url).content.decode()
    return set(re.findall(r'data-nav="([^"]+)"', html))


def test_UX3_each_role_sees_the_menu_its_rights_give(alice_org, alice_client, bob_client):
    client_contact = factories.member(alice_org, Role.CLIENT)
    officer = factories.member(alice_org, Role.PRIVACY_OFFICER)
    manager = factories.member(alice_org, Role.MANAGER)
    owner = _menu(alice_client)
    member = _menu(bob_client)
    client = _menu(_client_for(client_contact.user))
    assert {"accounts:organization_settings", "rights:queue", "workforce:shifts", "attendance:board"} <= owner
    assert {"attendance:check_in", "workforce:timesheets"} <= member
    assert not {"accounts:organization_settings", "rights:queue", "workforce:shifts", "attendance:board"} & member
    assert {"portal:spaces", "rights:center", "consent:preferences", "notifications:list"} <= client
    assert not {"attendance:check_in", "accounts:members", "workforce:timesheets"} & client
    assert "rights:queue" in _menu(_client_for(officer.user))
    assert {"attendance:board", "workforce:shifts"} <= _menu(_client_for(manager.user))


def test_UX3_a_menu_entry_is_one_line_and_an_unknown_page_is_left_out(alice, alice_org, monkeypatch):
    extra = navigation.Entry("Not built yet", "nowhere:page", navigation.MEMBERS, navigation.TODAY)
    monkeypatch.setattr(navigation, "ENTRIES", (*navigation.ENTRIES, extra))
    membership = alice.memberships.get()
    links = [link for s in navigation.sections(alice, membership) for link in s.links]
    assert "nowhere:page" not in {link.url_name for link in links}
    assert "accounts:dashboard" in {link.url_name for link in links}


def test_UX3_the_current_page_is_marked_in_the_menu(alice_client):
    html = alice_client.get("/o/alpha/members/").content.decode()
    assert re.search(r'href="/o/alpha/members/" aria-current="page"', html)


def test_UX3_footer_links_the_notice_contact_complaints_newsletter(client, alice_client):
    for c in (client, alice_client):
        html = c.get("/privacy/").content.decode()
        for url in ("/privacy/", "/comms/contact/", "/comms/complaints/", "/comms/newsletter/"):
            assert f'href="{url}"' in html


def test_UX3_phone_menu_button_and_favicon(alice_client):
    html = alice_client.get("/o/alpha/").content.decode()
    assert 'id="menu-button"' in html and 'aria-controls="site-nav"' in html
    assert "favicon.svg" in html and "navigation.js" in html


def test_UX3_friendly_405_page_keeps_the_allow_header(alice_client):
    response = alice_client.get("/notifications/read/")
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "This address is not a page" in response.content.decode()
    api = alice_client.get("/api/notifications/read")
    assert api.status_code == 405 and api["Content-Type"].startswith("application/json")


def test_UX3_friendly_csrf_failure_page(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post("/notifications/read/", HTTP_REFERER="http://testserver/notifications/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Please try again" in html and "Nothing was changed" in html
    assert 'href="http://testserver/notifications/"' in html


def test_UX3_organization_settings_name_zone_logo_and_danger_zone(alice_org, alice_client, bob_client):
    page = alice_client.get("/o/alpha/settings/").content.decode()
    assert 'id="danger-zone"' in page and "/o/alpha/terminate/" in page
    assert "/o/alpha/attendance/settings/" in page and "/o/alpha/comms/mail/" in page
    from django.core.files.uploadedfile import SimpleUploadedFile

    saved = alice_client.post("/o/alpha/settings/", {
        "name": "Alpha Works", "time_zone": "Europe/Berlin", "logo": SimpleUploadedFile("l.png", PNG)})
    assert saved.status_code == 302
    org = Organization.objects.get(pk=alice_org.pk)
    assert org.name == "Alpha Works" and org.logo_type == "image/png"
    logo = bob_client.get("/o/alpha/logo/")
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png" and logo.content == PNG
    assert "/o/alpha/logo/" in bob_client.get("/o/alpha/").content.decode()


def test_UX3_a_logo_that_is_not_an_image_is_refused_naming_the_field(alice_org, alice_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    svg = SimpleUploadedFile("l.svg", b"<svg onload='alert(1)'></svg>")
    page = alice_client.post("/o/alpha/settings/", {"name": "Renamed", "time_zone": "UTC", "logo": svg})
    assert page.status_code == 400 and "PNG, JPEG or WebP" in page.content.decode()
    org = Organization.objects.get(pk=alice_org.pk)
    assert org.name == alice_org.name and not org.logo_type
    assert alice_client.get("/o/alpha/logo/").status_code == 404


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
