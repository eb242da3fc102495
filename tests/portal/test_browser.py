"""DO1, DO2 in Chromium: a client uploads through the page, the connection is cut halfway and the
upload resumes; a staff member downloads identical bytes; a share link decrypts in another
browser context that never signed in."""

from __future__ import annotations

import os

import pytest

from officium.portal.models import File, Upload

ORG = "alpha"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_DO2_client_upload_cut_resumed_staff_download_and_share_link(
        browser, browser_login, live_server, space, carol, bob, tmp_path):
    data = os.urandom(2 * 1024 * 1024 + 4321)
    source = tmp_path / "statement.pdf"
    source.write_bytes(data)

    _, page = browser_login(carol)
    page.goto(f"{live_server.url}/o/{ORG}/portal/spaces/{space.pk}/upload/")
    patches = {"n": 0}

    def cut_the_fourth_chunk(route):
        if route.request.method == "PATCH":
            patches["n"] += 1
            if patches["n"] == 4:
                route.abort("connectionreset")
                return
        route.continue_()

    page.route("**/api/portal/orgs/*/uploads/*", cut_the_fourth_chunk)
    page.set_input_files("#file-input", str(source))
    page.click("#start")
    page.wait_for_selector("#resume:not([hidden])", timeout=30_000)
    confirmed = Upload.objects.get().offset
    assert 0 < confirmed < len(data)
    assert "dropped" in page.inner_text("#status")

    page.unroute("**/api/portal/orgs/*/uploads/*")
    page.click("#resume")
    page.wait_for_selector("#uploaded-file", timeout=30_000)
    file = File.objects.get()
    assert file.size == len(data) and file.uploaded_by == carol
    assert not Upload.objects.exists()

    _, staff = browser_login(bob)
    staff.goto(f"{live_server.url}/o/{ORG}/portal/spaces/{space.pk}/files/{file.pk}/")
    with staff.expect_download() as download:
        staff.click("#download")
    assert open(download.value.path(), "rb").read() == data

    staff.click("#share-create")
    staff.wait_for_selector("#share-link:not([hidden])", timeout=30_000)
    link = staff.input_value("#share-link")
    assert "#" in link and link.split("#", 1)[1]

    stranger = browser.new_context(accept_downloads=True)
    try:
        recipient = stranger.new_page()
        recipient.goto(link)
        recipient.click("#receive")
        recipient.wait_for_selector("#save:not([hidden])", timeout=30_000)
        with recipient.expect_download() as received:
            recipient.click("#save")
        assert open(received.value.path(), "rb").read() == data
    finally:
        stranger.close()
