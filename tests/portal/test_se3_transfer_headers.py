"""SE3 on the transfer headers: numbers too long for int() and ranges of an empty file get a
clear answer (never a 500, never an invalid 206), and nothing is written."""

from __future__ import annotations

import os

import pytest

from officium.portal.models import File, Upload

ORG = "alpha"
HUGE = "9" * 5000  # past Python's 4,300-digit int() limit


def _url(file: File) -> str:
    return f"/api/portal/orgs/{ORG}/files/{file.pk}/content"


@pytest.mark.django_db
def test_SE3_upload_offset_of_thousands_of_digits_is_a_400_naming_the_header(space, carol_client, portal,
                                                                            portal_files):
    data = os.urandom(1000)
    location = portal.api_create(carol_client, ORG, space, data).json()["location"]
    stored = portal.stored_bytes(portal_files)  # the started upload's header, nothing more
    for offset in (HUGE, "1" + "0" * 30, "\u0661\u0662", "\u00b2", "-1", "0x10"):
        response = carol_client.generic("PATCH", location, data=data[:10],
                                        content_type="application/offset+octet-stream",
                                        headers={"Upload-Offset": offset})
        assert response.status_code == 400, (offset[:20], response.content[:200])
        assert response.json()["field"] == "Upload-Offset"
    assert Upload.objects.get().offset == 0 and not File.objects.exists()
    assert portal.stored_bytes(portal_files) == stored


@pytest.mark.django_db
@pytest.mark.parametrize(("header", "status", "content_range"), [
    (f"bytes={HUGE}-", 416, "bytes */100"),            # starts past any end
    (f"bytes=0-{HUGE}", 206, "bytes 0-99/100"),         # ends past the end: up to the end
    (f"bytes=-{HUGE}", 206, "bytes 0-99/100"),          # the last "huge" bytes: all of them
    (f"bytes=10-{HUGE}", 206, "bytes 10-99/100"),
    ("bytes=\u0661-\u0662", 200, None),                 # not ASCII digits: not a range we serve
])
def test_SE3_range_of_thousands_of_digits_is_answered(space, alice, bob_client, portal,
                                                      header, status, content_range):
    data = os.urandom(100)
    file = portal.store_file(alice.memberships.get(), space, data)
    response = bob_client.get(_url(file), headers={"Range": header})
    assert response.status_code == status, response.content[:200]
    assert response.get("Content-Range") == content_range
    if status == 416:
        assert response.json()["code"] == "range_not_satisfiable"
    else:
        start = int(content_range.split()[1].split("-")[0]) if content_range else 0
        assert b"".join(response.streaming_content) == data[start:]


@pytest.mark.django_db
def test_SE3_suffix_range_of_an_empty_file_answers_the_whole_empty_file(space, alice, bob_client, portal):
    """RFC 9110 14.1.1: satisfiable, but there is no byte to select; a 206 would need a
    Content-Range of no bytes, which cannot be written: answer 200 with the (empty) file."""
    file = portal.store_file(alice.memberships.get(), space, b"")
    response = bob_client.get(_url(file), headers={"Range": "bytes=-5"})
    assert response.status_code == 200
    assert "Content-Range" not in response and response["Content-Length"] == "0"
    assert b"".join(response.streaming_content) == b""
    start = bob_client.get(_url(file), headers={"Range": "bytes=0-"})
    assert start.status_code == 416 and start["Content-Range"] == "bytes */0"
