"""Bad input gets a clear 4xx naming the problem, and never leaves a partial file behind."""

from __future__ import annotations

import hashlib
import os

import pytest

from officium.accounts.models import Organization
from officium.portal.models import File, Upload

ORG = "alpha"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["../etc/passwd", "a/b.txt", "..", ".", "C:\\x.txt", "sub\\x",
                                  "evil\x00.txt", "bell\x07", "line\nbreak.txt",
                                  "gpj.\u202eexe", "", "   ", " lead.txt", "x" * 256])
def test_bad_names_are_refused_with_400(space, carol_client, portal, portal_files, name):
    response = portal.api_create(carol_client, ORG, space, b"data", name=name)
    assert response.status_code == 400, name
    assert response.json()["field"] == "name"
    assert not Upload.objects.exists()
    assert portal.stored_bytes(portal_files) == []


@pytest.mark.django_db
def test_bad_folder_names_are_refused(space, carol_client):
    for name in ("../up", "a/b", "\x1b[31m"):
        response = carol_client.post(f"/api/portal/orgs/{ORG}/spaces/{space.pk}/folders",
                                     {"name": name}, content_type="application/json")
        assert response.status_code == 400 and response.json()["field"] == "name"


@pytest.mark.django_db
def test_wrong_offset_answers_409_with_the_confirmed_offset(space, carol_client, portal):
    data = os.urandom(100_000)
    location = portal.api_create(carol_client, ORG, space, data).json()["location"]
    assert portal.api_patch(carol_client, location, 0, data[:40_000]).status_code == 200
    for wrong in (0, 39_999, 40_001):
        response = portal.api_patch(carol_client, location, wrong, data[wrong:wrong + 10])
        assert response.status_code == 409
        assert response["Upload-Offset"] == "40000" and response.json()["offset"] == 40_000
    missing = carol_client.generic("PATCH", location, data=b"x",
                                   content_type="application/offset+octet-stream")
    assert missing.status_code == 400 and missing.json()["field"] == "Upload-Offset"
    assert int(carol_client.head(location)["Upload-Offset"]) == 40_000


@pytest.mark.django_db
def test_chunk_past_declared_size_answers_413(space, carol_client, portal, portal_files):
    data = os.urandom(50_000)
    location = portal.api_create(carol_client, ORG, space, data).json()["location"]
    response = portal.api_patch(carol_client, location, 0, data + b"extra")
    assert response.status_code == 413
    assert "past the declared size" in response.json()["message"]
    assert int(carol_client.head(location)["Upload-Offset"]) == 0
    assert not File.objects.exists()


@pytest.mark.django_db
def test_over_plan_limit_refused_at_creation_with_413(space, carol_client, portal_files):
    Organization.objects.filter(slug=ORG).update(plan="free")
    response = carol_client.post(f"/api/portal/orgs/{ORG}/spaces/{space.pk}/uploads",
                                 {"name": "huge.iso", "size": 101 * 1024 * 1024, "sha256": "0" * 64},
                                 content_type="application/json")
    assert response.status_code == 413
    assert "limited" in response.json()["message"]
    assert not Upload.objects.exists()
    assert not portal_files.exists() or not any(p.is_file() for p in portal_files.rglob("*"))


@pytest.mark.django_db
@pytest.mark.parametrize("payload", [{"size": -1}, {"size": "many"}, {"sha256": "xyz"}])
def test_bad_declarations_are_refused(space, carol_client, payload):
    body = {"name": "a.txt", "size": 3, "sha256": hashlib.sha256(b"abc").hexdigest(), **payload}
    response = carol_client.post(f"/api/portal/orgs/{ORG}/spaces/{space.pk}/uploads", body,
                                 content_type="application/json")
    assert response.status_code in (400, 422)


@pytest.mark.django_db
def test_cancelled_upload_leaves_nothing(space, carol_client, portal, portal_files,
                                         django_capture_on_commit_callbacks):
    data = os.urandom(100_000)
    location = portal.api_create(carol_client, ORG, space, data).json()["location"]
    portal.api_patch(carol_client, location, 0, data[:70_000])
    with django_capture_on_commit_callbacks(execute=True):
        assert carol_client.delete(location).status_code == 204
    assert not Upload.objects.exists()
    assert portal.stored_bytes(portal_files) == []


def _flip(path, offset):
    raw = bytearray(path.read_bytes())
    raw[offset] ^= 0x01
    path.write_bytes(bytes(raw))


@pytest.mark.django_db
def test_tampered_record_is_detected_and_nothing_is_served(space, alice, bob_client, portal,
                                                           portal_files):
    from officium.privacy.vault.stream import record_offset

    data = os.urandom(300_000)
    file = portal.store_file(alice.memberships.get(), space, data)
    (stored,) = [p for p in portal_files.rglob("*") if p.is_file()]
    _flip(stored, record_offset(2) + 100)  # inside record 2 (bytes 131072..196607)
    url = f"/api/portal/orgs/{ORG}/files/{file.pk}/content"

    whole = bob_client.get(url)
    assert whole.status_code == 409
    assert b"integrity" in whole.content and data[:1000] not in whole.content
    ranged = bob_client.get(url, headers={"Range": "bytes=140000-140100"})
    assert ranged.status_code == 409
    untouched = bob_client.get(url, headers={"Range": "bytes=0-1000"})  # other records still open
    assert untouched.status_code == 206 and b"".join(untouched.streaming_content) == data[:1001]
    from officium.privacy.audit.models import AuditEntry

    assert AuditEntry.objects.filter(event="portal.file_integrity_failed").exists()


@pytest.mark.django_db
def test_tampered_record_in_a_large_stream_stops_before_its_bytes(space, alice, portal,
                                                                  portal_files, monkeypatch):
    """Past the pre-verification size the response is already streaming: the iterator stops
    before the bad record, so the server aborts short of Content-Length."""
    from officium.portal import downloads
    from officium.privacy.vault.stream import DEFAULT_RECORD_SIZE, record_offset

    monkeypatch.setattr(downloads, "PREVERIFY_LIMIT", 1000)
    data = os.urandom(5 * DEFAULT_RECORD_SIZE)
    file = portal.store_file(alice.memberships.get(), space, data)
    (stored,) = [p for p in portal_files.rglob("*") if p.is_file()]
    _flip(stored, record_offset(3) + 5)
    served = b""
    with pytest.raises(downloads.Tampered):
        for piece in downloads.open_file(alice.memberships.get(), file, None).chunks:
            served += piece
    assert served == data[:3 * DEFAULT_RECORD_SIZE]
