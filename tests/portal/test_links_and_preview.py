"""PF3 link controls (password with argon2 and throttling, expiry, download limit, revocation,
the links list and the access log in plain words) and PF2 previews (streamed with Range,
inline as their type, nothing in plaintext on disk)."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from officium.portal import sharing
from officium.portal.models import Share
from officium.privacy.audit.models import AuditEntry
from officium.privacy.vault.crypto import generate_data_key, pack_parts
from officium.privacy.vault.stream import StreamEncryptor

ORG = "alpha"
API = f"/api/portal/orgs/{ORG}"


def _activate(client, created, data):
    key = generate_data_key()
    encryptor = StreamEncryptor(key, pack_parts("officium/portal/share", created["public_id"]))
    ciphertext = encryptor.header() + encryptor.update(data) + encryptor.finalize()
    answer = client.generic("PATCH", created["data_url"], data=ciphertext,
                            content_type="application/offset+octet-stream",
                            headers={"Upload-Offset": "0"})
    assert answer.json()["status"] == "active"


def _share(client, file, data, **options):
    created = client.post(f"{API}/files/{file.pk}/shares",
                          {"expires_in_hours": 2, "max_downloads": 3, **options},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    _activate(client, body, data)
    return body


@pytest.mark.django_db
def test_PF3_password_link_opens_only_with_the_password(space, alice, bob_client, client, portal):
    data = os.urandom(2000)
    file = portal.store_file(alice.memberships.get(), space, data, name="deed.pdf")
    created = _share(bob_client, file, data, password="river-stone-42")
    assert created["has_password"] is True
    share = Share.objects.get(pk=created["id"])
    assert share.password_hash.startswith("argon2") and "river-stone-42" not in share.password_hash

    page = client.get(created["link_path"]).content.decode()
    assert 'id="unlock"' in page and 'id="receiver"' not in page
    assert client.get(created["link_path"] + "data").status_code == 404  # not before the password
    wrong = client.post(created["link_path"], {"password": "guess-guess"})
    assert wrong.status_code == 400 and "not right" in wrong.content.decode()
    right = client.post(created["link_path"], {"password": "river-stone-42"})
    assert right.status_code == 302
    assert 'id="receiver"' in client.get(created["link_path"]).content.decode()
    assert client.get(created["link_path"] + "data").status_code == 200
    for entry in AuditEntry.objects.all():
        assert "river-stone" not in str(entry.details)


@pytest.mark.django_db
def test_PF3_password_brute_force_is_throttled(space, alice, bob_client, client, portal):
    data = b"secret deed"
    file = portal.store_file(alice.memberships.get(), space, data)
    created = _share(bob_client, file, data, password="river-stone-42")
    answers = [client.post(created["link_path"], {"password": f"guess-{n:04d}"}).status_code
               for n in range(sharing.FREE_ATTEMPTS + 3)]
    assert answers[:sharing.FREE_ATTEMPTS - 1] == [400] * (sharing.FREE_ATTEMPTS - 1)
    assert set(answers[sharing.FREE_ATTEMPTS - 1:]) == {429}
    # locked: even the right password waits, and costs no hashing
    locked = client.post(created["link_path"], {"password": "river-stone-42"})
    assert locked.status_code == 429 and "Try again in" in locked.content.decode()
    share = Share.objects.get(pk=created["id"])
    assert share.locked_until > timezone.now()
    # after the lock, the right password works and the counter starts again
    Share.objects.filter(pk=share.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert client.post(created["link_path"], {"password": "river-stone-42"}).status_code == 302
    assert Share.objects.get(pk=share.pk).failed_attempts == 0


@pytest.mark.django_db
def test_PF3_bad_link_options_are_refused_and_nothing_written(space, alice, bob_client, portal):
    file = portal.store_file(alice.memberships.get(), space, b"x")
    for body, field in (({"password": "short"}, "password"),
                        ({"expires_in_hours": 0}, "expires_in_hours"),
                        ({"max_downloads": 1000}, "max_downloads")):
        answer = bob_client.post(f"{API}/files/{file.pk}/shares",
                                 {"expires_in_hours": 2, "max_downloads": 3, **body},
                                 content_type="application/json")
        assert answer.status_code == 400 and answer.json()["field"] == field
    assert not Share.objects.exists()


@pytest.mark.django_db
def test_PF3_expired_or_exhausted_links_answer_404(space, alice, bob_client, client, portal):
    data = b"papers"
    file = portal.store_file(alice.memberships.get(), space, data)
    created = _share(bob_client, file, data, max_downloads=1)
    assert client.get(created["link_path"] + "data").status_code == 200
    assert client.get(created["link_path"]).status_code == 404  # used up
    other = _share(bob_client, file, data)
    Share.objects.filter(pk=other["id"]).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get(other["link_path"]).status_code == 404
    assert client.get(other["link_path"] + "data").status_code == 404
    page = bob_client.get(f"/o/{ORG}/portal/spaces/{space.pk}/files/{file.pk}/").content.decode()
    assert "Used up" in page and "Expired" in page


@pytest.mark.django_db
def test_PF3_access_log_in_plain_words_and_copy_button(space, alice, bob_client, client, portal):
    data = b"contract"
    file = portal.store_file(alice.memberships.get(), space, data, name="contract.pdf")
    created = _share(bob_client, file, data, password="river-stone-42")
    client.post(created["link_path"], {"password": "nope-nope"})
    client.post(created["link_path"], {"password": "river-stone-42"})
    client.get(created["link_path"] + "data")
    page = bob_client.get(f"/o/{ORG}/portal/spaces/{space.pk}/files/{file.pk}/").content.decode()
    for words in ("Alice Anders uploaded the file",
                  "Bob Berg created a link with a password, 3 downloads",
                  "Someone with the link gave a wrong password (attempt 1)",
                  "Someone with the link downloaded it (download 1 of the link)"):
        assert words in page, words
    assert 'id="share-copy"' in page and "with a password" in page


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
       b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
       b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.mark.django_db
def test_PF2_preview_streams_inline_with_range_and_writes_no_plaintext(
        space, alice, carol_client, portal, portal_files):
    owner = alice.memberships.get()
    pdf = b"%PDF-1.4\n" + os.urandom(300_000) + b"\n%%EOF"
    text = "Line one\nLigne deux — ünïcode\n".encode() * 20_000
    cases = [("scan.png", PNG, "image/png"), ("deed.pdf", pdf, "application/pdf"),
             ("notes.txt", text, "text/plain; charset=utf-8")]
    before = set()
    for name, data, kind in cases:
        file = portal.store_file(owner, space, data, name=name)
        url = f"/o/{ORG}/portal/spaces/{space.pk}/files/{file.pk}/preview/"
        whole = carol_client.get(url)
        assert whole.status_code == 200 and whole["Content-Type"] == kind
        assert whole["Content-Disposition"].startswith("inline")
        assert whole["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'self'" in whole["Content-Security-Policy"]
        assert b"".join(whole.streaming_content) == data
        part = carol_client.get(url, headers={"Range": "bytes=10-19"})
        assert part.status_code == 206 and b"".join(part.streaming_content) == data[10:20]
        api = carol_client.get(f"{API}/files/{file.pk}/preview", headers={"Range": "bytes=0-9"})
        assert b"".join(api.streaming_content) == data[:10]
        page = carol_client.get(f"/o/{ORG}/portal/spaces/{space.pk}/files/{file.pk}/").content.decode()
        assert 'id="preview"' in page
        before.add(file.pk)
    stored = b"".join(portal.stored_bytes(portal_files))
    assert PNG[:16] not in stored and pdf[:64] not in stored and text[:64] not in stored
    assert AuditEntry.objects.filter(event="portal.file_previewed").count() == 9
    # other kinds, and anything that could run script in the page, get no preview
    for name in ("page.html", "logo.svg", "tool.exe"):
        file = portal.store_file(owner, space, b"<script>alert(1)</script>", name=name)
        assert carol_client.get(
            f"/o/{ORG}/portal/spaces/{space.pk}/files/{file.pk}/preview/").status_code == 404


@pytest.mark.django_db
def test_PF2_share_page_previews_in_the_browser_only(space, alice, bob_client, client, portal):
    file = portal.store_file(alice.memberships.get(), space, PNG, name="scan.png")
    created = _share(bob_client, file, PNG)
    page = client.get(created["link_path"])
    assert 'data-preview="image"' in page.content.decode()
    assert "blob:" in page["Content-Security-Policy"]


@pytest.mark.django_db
def test_DO1_support_view_still_metadata_only(space, alice, carol, portal, client):
    """Versions, trash and previews add no way for support to read contents."""
    owner = alice.memberships.get()
    portal.store_file(owner, space, b"v1 secret body", name="notes.txt")
    live = portal.store_file(owner, space, b"v2 secret body", name="notes.txt")
    from officium.portal import files

    files.trash_file(owner, live)
    support = portal.make_user("support@officium.example", "Sam", is_staff=True)
    client.force_login(support)
    page = client.get("/support/portal/files/").content.decode()
    assert page.count("notes.txt") == 2 and "secret body" not in page
    assert "/preview/" not in page and "/download/" not in page
    for url in (f"/o/{ORG}/portal/spaces/{space.pk}/files/{live.pk}/preview/",
                f"{API}/files/{live.pk}/preview", f"{API}/files/{live.pk}/versions"):
        assert client.get(url).status_code == 404  # support is no member of any space
