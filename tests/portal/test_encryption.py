"""DO1: file contents are encrypted so that the operator cannot read them; names, extensions
and sizes stay visible for support."""

from __future__ import annotations

import hashlib
import socket

import pytest

from officium.portal import uploads
from officium.portal.models import File, Upload

ORG = "alpha"
MARKER = b"PLAINTEXT-MARKER-do1-"


def _plaintext(size: int) -> bytes:
    return (MARKER * (size // len(MARKER) + 1))[:size]


def _assert_no_plaintext(blobs: list[bytes]) -> None:
    assert blobs, "nothing was stored"
    for blob in blobs:
        assert MARKER not in blob
        assert MARKER[:12] not in blob


@pytest.mark.django_db
def test_DO1_plaintext_never_on_disk_during_or_after_upload(space, carol_client, portal,
                                                            portal_files):
    data = _plaintext(400_000)
    location = portal.api_create(carol_client, ORG, space, data, name="secret.txt").json()["location"]
    # Stop mid-record: the buffered tail exists, and is only ever stored sealed.
    portal.api_patch(carol_client, location, 0, data[:100_001])
    _assert_no_plaintext(portal.stored_bytes(portal_files))
    upload = Upload.objects.get()
    assert MARKER not in bytes(upload.sealed_state) and MARKER not in bytes(upload.stream_header)
    portal.api_patch(carol_client, location, 100_001, data[100_001:])
    _assert_no_plaintext(portal.stored_bytes(portal_files))
    file = File.objects.get()
    assert MARKER not in bytes(file.wrapped_key)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def s3_bucket(settings):
    """moto's S3 server on a free local port, as the portal's django-storages backend."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    options = {"bucket_name": "officium-portal", "endpoint_url": endpoint, "access_key": "testing",
               "secret_key": "testing", "region_name": "us-east-1", "location": "tenant-files"}
    client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="testing",
                          aws_secret_access_key="testing", region_name="us-east-1")
    client.create_bucket(Bucket="officium-portal")
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}}
    yield client
    server.stop()


def _bucket_objects(client) -> dict[str, bytes]:
    listing = client.list_objects_v2(Bucket="officium-portal").get("Contents", [])
    return {item["Key"]: client.get_object(Bucket="officium-portal", Key=item["Key"])["Body"].read()
            for item in listing}


@pytest.mark.django_db
def test_DO1_plaintext_never_in_the_s3_bucket(space, carol_client, bob_client, portal, s3_bucket):
    data = _plaintext(6 * 1024 * 1024 + 999)  # > 5 MiB: segments are joined by part copies
    location = portal.api_create(carol_client, ORG, space, data, name="ledger.csv").json()["location"]
    cut = 5 * 1024 * 1024 + 17
    assert portal.api_patch(carol_client, location, 0, data[:cut]).status_code == 200
    during = {k: v for k, v in _bucket_objects(s3_bucket).items()
              if str(Upload.objects.get().blob) in k}
    assert any(".parts/" in key for key in during)
    _assert_no_plaintext(list(during.values()))
    done = portal.api_patch(carol_client, location, cut, data[cut:])
    assert done.status_code == 200 and done.json()["complete"], done.content
    after = {k: v for k, v in _bucket_objects(s3_bucket).items() if str(File.objects.get().blob) in k}
    assert list(after) == [f"tenant-files/portal/{space.organization_id}/{File.objects.get().blob}"]
    _assert_no_plaintext(list(after.values()))

    file_id = done.json()["file_id"]
    url = f"/api/portal/orgs/{ORG}/files/{file_id}/content"
    assert b"".join(bob_client.get(url).streaming_content) == data
    ranged = bob_client.get(url, headers={"Range": "bytes=5242870-5242900"})
    assert ranged.status_code == 206
    assert b"".join(ranged.streaming_content) == data[5242870:5242901]


@pytest.mark.django_db
def test_DO1_s3_small_segments_are_joined_by_streaming(space, alice, portal, s3_bucket):
    import io

    data = _plaintext(300_000)
    actor = alice.memberships.get()
    upload = uploads.start_upload(actor, space, name="small.txt", size=len(data),
                                  sha256=hashlib.sha256(data).hexdigest())
    for start in range(0, len(data), 70_000):
        result = uploads.receive_chunk(actor, upload, start, io.BytesIO(data[start:start + 70_000]),
                                       len(data[start:start + 70_000]))
        upload.offset = result.offset
    assert result.file is not None
    mine = {k: v for k, v in _bucket_objects(s3_bucket).items() if str(result.file.blob) in k}
    assert list(mine) == [f"tenant-files/portal/{space.organization_id}/{result.file.blob}"]
    _assert_no_plaintext(list(mine.values()))


@pytest.mark.django_db
def test_DO1_support_view_shows_metadata_only(space, alice, portal, client):
    from officium.accounts.models import User

    data = _plaintext(50_000)
    file = portal.store_file(alice.memberships.get(), space, data, name="Q3 figures.xlsx")
    support = User.objects.create_user("support@officium.example", "x" * 12, is_staff=True,
                                       is_active=True)
    client.force_login(support)
    page = client.get("/support/portal/files/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Q3 figures.xlsx" in body and "xlsx" in body and "50000" in body
    assert MARKER.decode() not in body and file.sha256 not in body
    # Support is no member of any space: no page of the portal decrypts anything for them.
    assert client.get(f"/o/{ORG}/portal/spaces/{space.pk}/files/{file.pk}/download/").status_code == 404
    assert client.get(f"/api/portal/orgs/{ORG}/files/{file.pk}/content").status_code in (401, 404)


@pytest.mark.django_db
def test_DO1_support_view_is_staff_only(alice_client):
    assert alice_client.get("/support/portal/files/").status_code == 404
