"""SE1 for documents: deny by default, every download and share audited and visible to the
file's owner and the space's members; share links with expiry, count and revocation."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from officium.portal.models import Share
from officium.privacy.audit.models import AuditEntry
from officium.privacy.vault.crypto import generate_data_key, pack_parts
from officium.privacy.vault.stream import StreamEncryptor, decrypt_all

ORG = "alpha"


def _file_urls(space, file):
    return [f"/o/{ORG}/portal/spaces/{space.pk}/", f"/o/{ORG}/portal/spaces/{space.pk}/upload/",
            f"/o/{ORG}/portal/spaces/{space.pk}/files/{file.pk}/",
            f"/o/{ORG}/portal/spaces/{space.pk}/files/{file.pk}/download/",
            f"/api/portal/orgs/{ORG}/spaces/{space.pk}",
            f"/api/portal/orgs/{ORG}/files/{file.pk}",
            f"/api/portal/orgs/{ORG}/files/{file.pk}/content",
            f"/api/portal/orgs/{ORG}/files/{file.pk}/access"]


@pytest.mark.django_db
def test_SE1_non_members_get_404_even_in_the_same_organization(space, alice, dave_client,
                                                               charlie_client, portal):
    file = portal.store_file(alice.memberships.get(), space, b"private bytes")
    for url in _file_urls(space, file):
        assert dave_client.get(url).status_code == 404, url
        assert charlie_client.get(url).status_code == 404, url
    assert dave_client.get(f"/o/{ORG}/portal/").status_code == 200
    assert "tax return" not in dave_client.get(f"/o/{ORG}/portal/").content.decode()
    assert dave_client.get(f"/api/portal/orgs/{ORG}/spaces").json() == []
    assert not AuditEntry.objects.filter(event="portal.file_downloaded").exists()


@pytest.mark.django_db
def test_SE1_removed_member_loses_access(space, alice, bob, bob_client, portal):
    file = portal.store_file(alice.memberships.get(), space, b"private bytes")
    url = f"/api/portal/orgs/{ORG}/files/{file.pk}/content"
    assert bob_client.get(url).status_code == 200
    member = space.members.get(membership__user=bob)
    assert alice_remove(alice, space, member.pk) == 204
    assert bob_client.get(url).status_code == 404


def alice_remove(alice, space, member_pk):
    from django.test import Client

    client = Client()
    client.force_login(alice)
    return client.delete(f"/api/portal/orgs/{ORG}/spaces/{space.pk}/members/{member_pk}").status_code


@pytest.mark.django_db
def test_SE1_downloads_and_shares_are_audited_and_visible_to_owner_and_members(
        space, carol, carol_client, bob, bob_client, portal):
    file = portal.store_file(carol.memberships.get(), space, b"carol's tax papers", name="tax.pdf")
    b"".join(bob_client.get(f"/api/portal/orgs/{ORG}/files/{file.pk}/content",
                            headers={"Range": "bytes=0-3"}).streaming_content)
    created = bob_client.post(f"/api/portal/orgs/{ORG}/files/{file.pk}/shares",
                              {"expires_in_hours": 2, "max_downloads": 1},
                              content_type="application/json")
    assert created.status_code == 201

    entries = AuditEntry.objects.filter(target_type="portal.file", target_id=str(file.pk))
    downloaded = entries.get(event="portal.file_downloaded")
    assert (downloaded.actor_id, downloaded.subject_id) == (bob.pk, carol.pk)
    assert downloaded.details["range"] == [0, 4]
    assert entries.filter(event="portal.share_created", actor_id=bob.pk).exists()
    for entry in entries:
        assert "tax" not in str(entry.details)  # ids and codes, never content or names

    page_url = f"/o/{ORG}/portal/spaces/{space.pk}/files/{file.pk}/"
    for viewer in (carol_client, bob_client):  # the owner and another member
        page = viewer.get(page_url).content.decode()
        # PF3: the access log in plain words, never event codes
        assert "Bob Berg downloaded part of the file" in page
        assert "Bob Berg created a link with 1 downloads" in page
        assert "portal.file_downloaded" not in page
    log = carol_client.get(f"/api/portal/orgs/{ORG}/files/{file.pk}/access").json()
    assert {e["event"] for e in log} >= {"portal.file_uploaded", "portal.file_downloaded",
                                        "portal.share_created"}


def _browser_encrypt(data: bytes, public_id: str) -> tuple[bytes, bytes]:
    """What the sharer's browser does: a fresh key, the stream format, the link's id as AAD."""
    key = generate_data_key()
    encryptor = StreamEncryptor(key, pack_parts("officium/portal/share", public_id))
    return key, encryptor.header() + encryptor.update(data) + encryptor.finalize()


def _make_share(client, file, data, **options):
    created = client.post(f"/api/portal/orgs/{ORG}/files/{file.pk}/shares",
                          {"expires_in_hours": 2, "max_downloads": 2, **options},
                          content_type="application/json").json()
    key, ciphertext = _browser_encrypt(data, created["public_id"])
    assert len(ciphertext) == created["ciphertext_size"]
    half = len(ciphertext) // 2
    for offset, chunk in ((0, ciphertext[:half]), (half, ciphertext[half:])):
        answer = client.generic("PATCH", created["data_url"], data=chunk,
                                content_type="application/offset+octet-stream",
                                headers={"Upload-Offset": str(offset)})
        assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "active"
    return created, key


@pytest.mark.django_db
def test_SE1_share_link_download_counted_audited_and_server_never_holds_the_key(
        space, alice, bob_client, client, portal, portal_files):
    data = os.urandom(150_000)
    file = portal.store_file(alice.memberships.get(), space, data, name="plans.dwg")
    created, key = _make_share(bob_client, file, data, max_downloads=2)

    page = client.get(created["link_path"])  # no account
    assert page.status_code == 200 and "plans.dwg" in page.content.decode()
    fetched = client.get(created["link_path"] + "data")
    ciphertext = b"".join(fetched.streaming_content)
    aad = pack_parts("officium/portal/share", created["public_id"])
    assert b"".join(decrypt_all(key, aad, lambda o, n: ciphertext[o:o + n])) == data
    # The stored copy is ciphertext under a key the server never saw: not the file's key either.
    assert data[:64] not in b"".join(portal.stored_bytes(portal_files))
    for field in Share._meta.concrete_fields:
        assert key.hex() not in str(getattr(Share.objects.get(), field.attname))

    assert client.get(created["link_path"] + "data").status_code == 200
    assert client.get(created["link_path"] + "data").status_code == 404  # count used up
    assert client.get(created["link_path"]).status_code == 404
    downloads = AuditEntry.objects.filter(event="portal.share_downloaded", target_id=str(file.pk))
    assert downloads.count() == 2 and all(e.actor_id is None for e in downloads)


@pytest.mark.django_db
def test_SE1_share_link_expires_and_revocation_deletes_the_copy(
        space, alice, bob_client, client, portal, portal_files, django_capture_on_commit_callbacks):
    data = os.urandom(10_000)
    file = portal.store_file(alice.memberships.get(), space, data)
    created, _key = _make_share(bob_client, file, data)
    Share.objects.filter(pk=created["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(created["link_path"] + "data").status_code == 404
    Share.objects.filter(pk=created["id"]).update(expires_at=timezone.now() + timedelta(hours=1))
    assert client.get(created["link_path"]).status_code == 200
    assert len(portal.stored_bytes(portal_files)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        revoke = bob_client.post(
            f"/o/{ORG}/portal/spaces/{space.pk}/files/{file.pk}/shares/{created['id']}/revoke/")
    assert revoke.status_code == 302
    assert client.get(created["link_path"]).status_code == 404
    assert client.get(created["link_path"] + "data").status_code == 404
    assert len(portal.stored_bytes(portal_files)) == 1  # only the file itself is left
    assert AuditEntry.objects.filter(event="portal.share_revoked").exists()


@pytest.mark.django_db
def test_share_data_past_its_size_or_malformed_is_refused(space, alice, bob_client, portal):
    data = os.urandom(1000)
    file = portal.store_file(alice.memberships.get(), space, data)
    created = bob_client.post(f"/api/portal/orgs/{ORG}/files/{file.pk}/shares",
                              {"expires_in_hours": 2, "max_downloads": 1},
                              content_type="application/json").json()
    too_long = bob_client.generic("PATCH", created["data_url"], data=b"x" * (created["ciphertext_size"] + 1),
                                  content_type="application/offset+octet-stream",
                                  headers={"Upload-Offset": "0"})
    assert too_long.status_code == 413
    garbage = bob_client.generic("PATCH", created["data_url"], data=b"x" * created["ciphertext_size"],
                                 content_type="application/offset+octet-stream",
                                 headers={"Upload-Offset": "0"})
    assert garbage.status_code == 400
    assert Share.objects.get().status == "revoked"


@pytest.mark.django_db
def test_only_staff_roles_open_spaces_and_manage_members(space, carol_client, carol, bob):
    response = carol_client.post(f"/api/portal/orgs/{ORG}/spaces", {"name": "Mine"},
                                 content_type="application/json")
    assert response.status_code == 403
    response = carol_client.post(f"/api/portal/orgs/{ORG}/spaces/{space.pk}/members",
                                 {"membership_id": bob.memberships.get().pk},
                                 content_type="application/json")
    assert response.status_code == 403
