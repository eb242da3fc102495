"""RI1 in Chromium: a member files an access request in the privacy center, it completes,
and the downloaded ZIP holds every registered record of theirs and nothing of anyone else's."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import PASSWORD

from officium.mail.models import OutboxEmail

from .helpers import registered_pks, zip_pks


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_RI1_member_downloads_a_complete_access_zip_in_chromium(browser_login, live_server, world, tmp_path):
    bob, alice, charlie = world.bob, world.alice, world.charlie
    context, page = browser_login(bob, accept_downloads=True)
    page.goto(f"{live_server.url}/privacy/center/")
    page.select_option("select[name=request_type]", "access")
    page.select_option("select[name=residence_country]", "DE")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_selector("#download", timeout=20000)
    assert page.inner_text("#status") == "Completed"
    with page.expect_download() as info:
        page.click("#download")
    target = Path(tmp_path) / "access.zip"
    info.value.save_as(target)
    exported = zip_pks(target.read_bytes())
    expected = registered_pks(bob.pk)
    assert {"accounts.User", "accounts.Membership"} <= set(expected)
    expected["mail.OutboxEmail"] -= {str(pk) for pk in OutboxEmail.objects.filter(
        category="rights_answer").values_list("pk", flat=True)}  # queued after the file
    for label, pks in expected.items():
        if label != "rights.RequestEvent":  # its "completed" step comes after the file
            assert pks <= exported.get(label, set()), label
    for other in (alice, charlie):
        for label, pks in registered_pks(other.pk).items():
            assert not (exported.get(label, set()) & (pks - expected.get(label, set()))), label
