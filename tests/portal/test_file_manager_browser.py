"""PF1-PF3, PF5 in Chromium, on a phone and on a desktop: a folder of several files uploaded at
once, rename, move, trash and restore, an image and a PDF previewed, a link with a password and
an expiry opened in a fresh context, and the client told about the new files."""

from __future__ import annotations

import pytest
from django.utils import timezone

from officium.notifications.models import Notification
from officium.portal import notices
from officium.portal.models import File, Folder

ORG = "alpha"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
       b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
       b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")
PDF = (b"%PDF-1.1\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]"
       b"/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}])
def test_PF1_PF2_PF3_PF5_file_manager_in_chromium(browser, browser_login, live_server, space, bob,
                                                   carol, tmp_path, viewport):
    folder = tmp_path / "Statements"
    (folder / "2026").mkdir(parents=True)
    (folder / "scan.png").write_bytes(PNG)
    (folder / "deed.pdf").write_bytes(PDF)
    (folder / "2026" / "notes.txt").write_bytes(b"first notes\n" * 100)

    _, page = browser_login(bob, viewport=viewport)
    space_url = f"{live_server.url}/o/{ORG}/portal/spaces/{space.pk}/"
    page.goto(space_url)
    page.set_input_files("#folder-input", str(folder))
    page.wait_for_selector("#dropzone[data-done=true]", timeout=60_000)
    assert "3 of 3 files uploaded" in page.inner_text("#overall-status")
    statements = Folder.objects.get(name="Statements", parent=None)
    assert sorted(File.objects.values_list("name", flat=True)) == ["deed.pdf", "notes.txt", "scan.png"]
    assert File.objects.get(name="notes.txt").folder.parent == statements
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    # rename and move through the row menu, trash and restore
    page.goto(f"{space_url}folders/{statements.pk}/")
    row = page.locator("tr.file-row", has_text="scan.png")
    row.locator("summary").click()
    row.locator("input[name=name]").fill("passport-scan.png")
    row.locator("button", has_text="Rename").click()
    page.wait_for_load_state("networkidle")
    scan = File.objects.get(name="passport-scan.png")
    row = page.locator("tr.file-row", has_text="passport-scan.png")
    row.locator("summary").click()
    row.locator("select[name=folder]").select_option(label="Statements/2026")
    row.get_by_role("button", name="Move", exact=True).click()
    page.wait_for_load_state("networkidle")
    scan.refresh_from_db()
    assert scan.folder.name == "2026"
    page.goto(f"{space_url}files/{scan.pk}/")
    page.locator("summary", has_text="Rename, move or delete").click()
    page.click("text=Move to trash")
    page.wait_for_load_state("networkidle")
    assert "in the trash" in page.inner_text("main")
    page.goto(f"{space_url}trash/")
    page.click("#trash button:text('Restore')")
    page.wait_for_load_state("networkidle")
    scan.refresh_from_db()
    assert scan.trashed_at is None

    # preview an image and a PDF, streamed from the server, shown in the page
    page.goto(f"{space_url}files/{scan.pk}/")
    page.click("#preview-show")
    image = page.wait_for_selector("#preview-image")
    for _ in range(100):  # the page's CSP forbids wait_for_function's eval: poll from here
        if image.evaluate("img => img.complete && img.naturalWidth"):
            break
        page.wait_for_timeout(100)
    assert image.evaluate("img => img.naturalWidth") == 1
    deed = File.objects.get(name="deed.pdf")
    page.goto(f"{space_url}files/{deed.pk}/")
    with page.expect_response(lambda r: "/preview/" in r.url) as answer:
        page.click("#preview-show")
    assert answer.value.status in (200, 206)
    assert answer.value.headers["content-type"] == "application/pdf"
    assert page.locator("#preview-pdf").count() == 1

    # a link with a password and an expiry, copied, opened in a fresh context
    page.fill("#share-hours", "24")
    page.fill("#share-password", "river-stone-42")
    page.click("#share-create")
    page.wait_for_selector("#share-link", state="visible", timeout=30_000)
    link = page.input_value("#share-link")
    assert page.locator("#links-body tr", has_text="with a password").count() == 1  # listed at once
    stranger = browser.new_context(accept_downloads=True, viewport=viewport)
    try:
        visitor = stranger.new_page()
        visitor.goto(link)
        visitor.fill("#link-password", "wrong-password")
        visitor.click("#unlock button")
        assert "not right" in visitor.inner_text("#unlock")
        visitor.fill("#link-password", "river-stone-42")
        visitor.click("#unlock button")
        visitor.wait_for_selector("#receive")
        visitor.click("#receive")
        visitor.wait_for_selector("#save", state="visible", timeout=30_000)
        with visitor.expect_download() as received:
            visitor.click("#save")
        assert open(received.value.path(), "rb").read() == PDF
        assert visitor.locator("#share-preview iframe").count() == 1
    finally:
        stranger.close()

    # the client is told about the new files, once for the batch
    notices.send_digests(timezone.now() + notices.QUIET)
    told = Notification.objects.get(recipient=carol, kind=notices.KIND)
    assert told.title == "3 new files in Carol's tax return"
    _, client_page = browser_login(carol, viewport=viewport)
    client_page.goto(f"{live_server.url}/notifications/")
    assert "3 new files in Carol" in client_page.inner_text("main")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_PF1_drag_and_drop_files_in_and_a_row_onto_a_folder(browser, browser_login, live_server,
                                                            space, alice, bob, portal):
    """Desktop: files dropped on the space upload with the one progress view; a file row
    dragged onto a folder row moves the file there."""
    owner = bob.memberships.get()
    archive = Folder.objects.create(organization_id=space.organization_id, space=space,
                                    name="Archive", created_by=bob)
    report = portal.store_file(owner, space, b"quarterly figures\n" * 50, name="report.txt")
    _, page = browser_login(bob, viewport={"width": 1280, "height": 800})
    space_url = f"{live_server.url}/o/{ORG}/portal/spaces/{space.pk}/"
    page.goto(space_url)
    # two files dropped onto the space (a DataTransfer as the browser hands a drop to the page)
    transfer = page.evaluate_handle("""() => {
        const dt = new DataTransfer();
        dt.items.add(new File(["minutes of the meeting\\n".repeat(40)], "minutes.txt", {type: "text/plain"}));
        dt.items.add(new File([new Uint8Array(300000).fill(7)], "photo.bin"));
        return dt; }""")
    page.dispatch_event("#dropzone", "dragover", {"dataTransfer": transfer})
    page.dispatch_event("#dropzone", "drop", {"dataTransfer": transfer})
    page.wait_for_selector("#dropzone[data-done=true]", timeout=60_000)
    assert "2 of 2 files uploaded" in page.inner_text("#overall-status")
    assert set(File.objects.filter(folder=None).values_list("name", flat=True)) == {
        "report.txt", "minutes.txt", "photo.bin"}
    # drag the report's row onto the Archive folder's row
    page.goto(space_url)
    with page.expect_navigation():
        page.drag_and_drop("tr.file-row:has-text('report.txt')", "tr.folder-row:has-text('Archive')")
    report.refresh_from_db()
    assert report.folder_id == archive.pk
    assert page.locator("tr.file-row", has_text="report.txt").count() == 0


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_PF3_a_refused_share_names_the_field_and_marks_it(browser_login, live_server, space, bob, portal):
    """Seen on a phone: a too-short password answered "Leave it empty, or give 8 to 200
    characters." with nothing saying which field; the empty progress bar showed before any
    upload; on a phone the link list's cells had no column names ("0 / 5" alone)."""
    report = portal.store_file(bob.memberships.get(), space, b"figures\n" * 20, name="report.txt")
    _, page = browser_login(bob, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(f"{live_server.url}/o/{ORG}/portal/spaces/{space.pk}/files/{report.pk}/")
    assert not page.locator("#share-progress").is_visible()
    page.fill("#share-password", "short")
    page.click("#share-create")
    page.wait_for_selector("#share-status.errors")
    assert page.inner_text("#share-status").startswith("Password: ")
    assert page.get_attribute("#share-password", "aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "share-password"
    page.fill("#share-password", "long-enough-42")
    page.click("#share-create")
    page.wait_for_selector("#share-link", state="visible", timeout=30_000)
    assert page.get_attribute("#share-password", "aria-invalid") is None
    assert "errors" not in (page.get_attribute("#share-status", "class") or "")
    labels = """row => [...row.cells].slice(0, 4).map(c => getComputedStyle(c, '::before').content)"""
    shown = ['"Created "', '"Status "', '"Expires "', '"Downloads "']  # each cell names its column
    assert page.locator("#links-body tr").first.evaluate(labels) == shown  # the row the script adds
    page.reload()
    assert page.locator("#links-body tr").first.evaluate(labels) == shown  # the row the page lists


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_PF1_the_drag_tip_shows_where_a_pointer_can_drag_only(browser_login, live_server, space, bob):
    """Seen on a phone: "Tip: drag a file or folder onto a folder" where nothing can be dragged;
    there the row's Actions move it."""
    url = f"{live_server.url}/o/{ORG}/portal/spaces/{space.pk}/"
    _, phone = browser_login(bob, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.goto(url)
    assert phone.locator(".drag-tip").count() == 1 and not phone.locator(".drag-tip").is_visible()
    _, desk = browser_login(bob, viewport={"width": 1280, "height": 800})
    desk.goto(url)
    assert desk.locator(".drag-tip").is_visible()
