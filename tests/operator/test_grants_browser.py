"""OP2/PU6 in Chromium: an admin grants support access; staff see the organization only during
the grant; the admin sees the staff member's accesses listed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from officium.accounts import localtime
from officium.operator.models import SupportGrant

WIDE = {"width": 1280, "height": 800}


def staff_page(browser, live_server, staff):
    """Staff signed in (with two-step on): the session of a signed-in client, in a browser."""
    client = Client()
    client.force_login(staff)
    context = browser.new_context(viewport=WIDE)
    host = live_server.url.split("//", 1)[1].split(":")[0]
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host,
                          "path": "/"}])
    return context, context.new_page()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_OP2_PU6_admin_grants_staff_see_only_during_the_grant_and_accesses_are_listed(
        browser, browser_login, live_server, alice, bob, alice_org, staff):
    staff_context, staff_view = staff_page(browser, live_server, staff)
    members = f"{live_server.url}/operator/support/{alice_org.pk}/members/"
    assert staff_view.goto(members).status == 404

    _, admin = browser_login(alice, viewport=WIDE)
    admin.goto(f"{live_server.url}/o/alpha/support-access/")
    admin.fill("#id_staff_email", staff.email)
    admin.check("input[name=areas][value=members]")
    admin.fill("#id_reason", "Invitations bounce")
    ends = (timezone.now() + dt.timedelta(hours=2)).astimezone(localtime.zone_for(alice_org))
    admin.fill("#id_expires_at", ends.strftime("%Y-%m-%dT%H:%M"))
    admin.click("#grant-form button")
    admin.wait_for_selector("#grants [data-grant]")
    grant = SupportGrant.objects.get()

    response = staff_view.goto(members)
    assert response.status == 200 and bob.last_name in staff_view.inner_text("#members")
    staff_view.goto(f"{live_server.url}/operator/")
    assert alice_org.name in staff_view.inner_text("#my-grants")

    admin.reload()
    listed = admin.inner_text("#accesses")
    assert staff.email in listed and "viewed" in listed
    admin.click(f"#revoke-{grant.pk}")
    admin.wait_for_selector("text=Revoked")
    assert staff_view.goto(members).status == 404
    staff_context.close()
