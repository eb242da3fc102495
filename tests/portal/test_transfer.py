"""DO2: large files upload and download as streams, resumable, with integrity checked."""

from __future__ import annotations

import hashlib
import os

import pytest

from officium.portal import uploads
from officium.portal.models import File, Upload
from officium.privacy.audit.models import AuditEntry

ORG = "alpha"


class CutStream:
    """A request body whose connection drops after ``keep`` bytes (as gunicorn reports it)."""

    def __init__(self, data: bytes, keep: int) -> None:
        self.data, self.keep, self.position = data, keep, 0

    def read(self, size: int = -1) -> bytes:
        if self.position >= self.keep:
            raise OSError("connection reset by peer")
        size = self.keep - self.position if size < 0 else min(size, self.keep - self.position)
        piece = self.data[self.position:self.position + size]
        self.position += len(piece)
        return piece

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def _create(client, space, data, portal, **extra):
    response = portal.api_create(client, ORG, space, data, **extra)
    assert response.status_code == 201, response.content
    return response.json()["location"]


@pytest.mark.django_db
def test_DO2_upload_cut_halfway_resumes_from_confirmed_offset(space, carol_client, bob_client,
                                                              portal, portal_files):
    data = os.urandom(3 * 1024 * 1024 + 12345)
    location = _create(carol_client, space, data, portal)
    half = len(data) // 2
    cut = portal.api_patch(carol_client, location, 0, b"",
                           **{"wsgi.input": CutStream(data, half), "CONTENT_LENGTH": str(len(data))})
    assert cut.status_code == 200  # the server kept what arrived
    head = carol_client.head(location)
    assert head.status_code == 200
    confirmed = int(head["Upload-Offset"])
    assert confirmed == half
    assert carol_client.get(location).json()["offset"] == half

    resumed = portal.api_patch(carol_client, location, confirmed, data[confirmed:])
    assert resumed.status_code == 200, resumed.content
    body = resumed.json()
    assert body["complete"] and body["sha256"] == hashlib.sha256(data).hexdigest()
    assert not Upload.objects.exists()

    file = File.objects.get(pk=body["file_id"])
    downloaded = bob_client.get(f"/api/portal/orgs/{ORG}/files/{file.pk}/content")
    assert downloaded.status_code == 200
    assert b"".join(downloaded.streaming_content) == data


@pytest.mark.django_db
def test_DO2_sha256_rederived_when_the_running_hash_is_elsewhere(space, carol_client, portal):
    """A resume handled by another worker process: the digest comes from the stored object."""
    data = os.urandom(300_000)
    location = _create(carol_client, space, data, portal)
    assert portal.api_patch(carol_client, location, 0, data[:100_000]).status_code == 200
    uploads._hashes.clear()
    done = portal.api_patch(carol_client, location, 100_000, data[100_000:])
    assert done.status_code == 200 and done.json()["complete"]


@pytest.mark.django_db
def test_DO2_sha256_mismatch_discards_the_upload(space, carol_client, portal, portal_files,
                                                django_capture_on_commit_callbacks):
    data = os.urandom(200_000)
    response = carol_client.post(f"/api/portal/orgs/{ORG}/spaces/{space.pk}/uploads",
                                 {"name": "x.bin", "size": len(data), "sha256": "ab" * 32},
                                 content_type="application/json")
    location = response.json()["location"]
    with django_capture_on_commit_callbacks(execute=True):
        done = portal.api_patch(carol_client, location, 0, data)
    assert done.status_code == 400
    assert done.json()["field"] == "sha256"
    assert not Upload.objects.exists() and not File.objects.exists()
    assert portal.stored_bytes(portal_files) == []
    assert AuditEntry.objects.filter(event="portal.upload_discarded").exists()


@pytest.mark.django_db
def test_DO2_chunked_upload_in_many_pieces(space, carol_client, portal):
    data = os.urandom(1_000_003)
    location = _create(carol_client, space, data, portal)
    offset = 0
    for size in (1, 65535, 65536, 65537, 300_000, 10):
        chunk = data[offset:offset + size]
        answer = portal.api_patch(carol_client, location, offset, chunk)
        assert answer.status_code == 200 and int(answer["Upload-Offset"]) == offset + size
        offset += size
    done = portal.api_patch(carol_client, location, offset, data[offset:])
    assert done.json()["complete"]
    file = File.objects.get(pk=done.json()["file_id"])
    assert len(file_chunks := Upload.objects.all()) == 0 and file.size == len(data)
    del file_chunks


@pytest.mark.django_db
def test_DO2_range_downloads(space, alice, bob_client, portal):
    data = os.urandom(200_000)
    file = portal.store_file(alice.memberships.get(), space, data)
    url = f"/api/portal/orgs/{ORG}/files/{file.pk}/content"
    for header, (start, end) in {"bytes=0-0": (0, 1), "bytes=65530-65545": (65530, 65546),
                                 "bytes=131072-": (131072, 200_000), "bytes=-100": (199_900, 200_000),
                                 "bytes=199999-999999": (199_999, 200_000)}.items():
        response = bob_client.get(url, headers={"Range": header})
        assert response.status_code == 206, header
        assert response["Content-Range"] == f"bytes {start}-{end - 1}/200000"
        assert int(response["Content-Length"]) == end - start
        assert b"".join(response.streaming_content) == data[start:end]
    for bad in ("bytes=200000-", "bytes=5-1", "bytes=-0"):
        response = bob_client.get(url, headers={"Range": bad})
        assert response.status_code == 416, bad
        assert response["Content-Range"] == "bytes */200000"
    whole = bob_client.get(url, headers={"Range": "bytes=0-1,5-6"})  # several ranges: whole file
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == data
    assert whole["Repr-Digest"].startswith("sha-256=:")


@pytest.mark.django_db
def test_DO2_page_download_streams_with_range(space, alice, carol_client, portal):
    data = b"0123456789" * 10_000
    file = portal.store_file(alice.memberships.get(), space, data, name="digits.txt")
    url = f"/o/{ORG}/portal/spaces/{space.pk}/files/{file.pk}/download/"
    response = carol_client.get(url, headers={"Range": "bytes=10-19"})
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == data[10:20]
    response = carol_client.get(url)
    assert response.streaming and response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == data


@pytest.mark.django_db
def test_DO2_chunk_bodies_are_streamed_not_buffered(space, carol_client, portal, monkeypatch):
    """The handler reads the request stream in pieces; ``request.body`` is never touched."""
    from django.http import HttpRequest

    def forbidden(self):
        raise AssertionError("request.body was read for a chunk")

    data = os.urandom(2 * uploads.READ_PIECE + 7)
    location = _create(carol_client, space, data, portal)
    monkeypatch.setattr(HttpRequest, "body", property(forbidden))
    done = portal.api_patch(carol_client, location, 0, data)
    assert done.status_code == 200 and done.json()["complete"]


@pytest.mark.django_db
def test_DO2_upload_and_download_in_constant_memory(space, alice, portal, portal_files):
    """A 48 MiB file through the services: Python's peak allocation stays a few MiB."""
    import io
    import tracemalloc

    size = 48 * 1024 * 1024
    actor = alice.memberships.get()
    digest = hashlib.sha256()
    block = os.urandom(1024 * 1024)
    for _ in range(size // len(block)):
        digest.update(block)

    class Repeating(io.RawIOBase):
        """``block`` over and over, ``size`` bytes in all, whatever the reads' sizes."""

        def __init__(self):
            self.left = size

        def read(self, n=-1):
            at = (size - self.left) % len(block)
            n = min(n, self.left, len(block) - at)
            self.left -= n
            return block[at:at + n]

    upload = uploads.start_upload(actor, space, name="big.bin", size=size, sha256=digest.hexdigest())
    tracemalloc.start()
    file = uploads.receive_chunk(actor, upload, 0, Repeating(), size).file
    _, upload_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    from officium.portal.downloads import open_file

    total = sum(len(piece) for piece in open_file(actor, file, None).chunks)
    _, download_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert total == size
    assert upload_peak < 8 * 1024 * 1024, upload_peak
    assert download_peak < 8 * 1024 * 1024, download_peak
