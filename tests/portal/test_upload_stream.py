"""DO2: chunk bodies read straight from the server's socket, and what a cut or failed chunk
leaves: only the confirmed offset, from which the upload resumes and verifies end to end."""

from __future__ import annotations

import hashlib
import io
import os
import socket
import threading

import pytest
from gunicorn.http.body import Body, LengthReader
from gunicorn.http.unreader import SocketUnreader

from officium.portal import storage, uploads
from officium.portal.http import SocketBody
from officium.portal.models import File, Upload
from officium.privacy.vault.stream import DEFAULT_RECORD_SIZE

ORG = "alpha"


def gunicorn_body(early: bytes, length: int):
    """gunicorn's own readers over a real socket, as a worker holds them when the view runs:
    ``early`` is what it received past the headers. Returns (SocketBody, reader, unreader,
    the client's end of the connection)."""
    server, client = socket.socketpair()
    unreader = SocketUnreader(server)
    unreader.unread(early)
    reader = LengthReader(unreader, length)
    Body(reader)  # what wsgi.input wraps; the portal reads beside it
    return SocketBody(reader, unreader), reader, unreader, client


def read_all(body, size: int) -> bytes:
    buffer = bytearray(size)
    view = memoryview(buffer)
    filled = 0
    while filled < size and (got := body.readinto(view[filled:])):
        filled += got
    return bytes(buffer[:filled])


def test_socket_body_reads_buffered_bytes_then_the_socket_and_leaves_the_next_request():
    data = os.urandom(300_000)
    body, reader, unreader, client = gunicorn_body(data[:5000], len(data))
    sender = threading.Thread(target=client.sendall, args=(data[5000:] + b"GET /next",))
    sender.start()
    assert read_all(body, len(data) + 100) == data
    sender.join()
    assert reader.length == 0 and body.readinto(bytearray(10)) == 0
    assert unreader.read(9) == b"GET /next"  # the pipelined request is untouched
    client.close()


def test_socket_body_unread_part_is_skipped_by_gunicorn_as_usual():
    """A chunk refused before its body is read (409, 413): gunicorn discards the rest itself."""
    body, reader, unreader, client = gunicorn_body(b"abcdefgh" + b"NEXT", 8)
    assert body.read(3) == b"abc"
    assert reader.length == 5
    assert reader.read(100) == b"defgh"  # what gunicorn does with an unread body
    assert unreader.read(4) == b"NEXT"
    client.close()


def test_socket_body_cut_connection_returns_what_arrived():
    body, reader, _unreader, client = gunicorn_body(b"", 1000)
    client.sendall(b"x" * 600)
    client.close()
    assert read_all(body, 1000) == b"x" * 600
    assert reader.length == 400


def _create(client, space, data, portal):
    response = portal.api_create(client, ORG, space, data)
    assert response.status_code == 201, response.content
    return response.json()["location"]


@pytest.mark.django_db
@pytest.mark.parametrize("keep", [0, 1, DEFAULT_RECORD_SIZE, uploads.PIECE + 12_345])
def test_DO2_body_cut_mid_chunk_keeps_only_the_confirmed_offset(space, alice, keep):
    data = os.urandom(2 * uploads.PIECE + 70_001)
    actor = alice.memberships.get()
    upload = uploads.start_upload(actor, space, name="cut.bin", size=len(data),
                                  sha256=hashlib.sha256(data).hexdigest())
    body, _reader, _unreader, client = gunicorn_body(b"", len(data))

    def send_then_drop() -> None:
        client.sendall(data[:keep])
        client.close()  # the connection drops mid-chunk

    sender = threading.Thread(target=send_then_drop)
    sender.start()
    result = uploads.receive_chunk(actor, upload, 0, body, len(data))
    sender.join()
    assert result.cut and result.offset == keep and result.file is None
    upload.refresh_from_db()
    assert upload.offset == keep and upload.busy_until is None

    with pytest.raises(uploads.UploadConflict):  # only the confirmed offset is accepted
        uploads.receive_chunk(actor, upload, keep + 1, io.BytesIO(data[keep + 1:]),
                              len(data) - keep - 1)
    done = uploads.receive_chunk(actor, upload, keep, io.BytesIO(data[keep:]), len(data) - keep)
    assert done.file is not None and done.file.sha256 == hashlib.sha256(data).hexdigest()
    assert not Upload.objects.exists()
    from officium.portal.downloads import open_file

    assert b"".join(open_file(actor, done.file, None).chunks) == data


@pytest.mark.django_db
def test_DO2_failed_disk_write_keeps_the_confirmed_offset(space, alice, monkeypatch):
    """The store fails halfway through a chunk: the request fails, nothing past the last
    confirmed offset counts, and the same chunk can be sent again."""
    data = os.urandom(3 * uploads.PIECE + 999)
    actor = alice.memberships.get()
    upload = uploads.start_upload(actor, space, name="disk.bin", size=len(data),
                                  sha256=hashlib.sha256(data).hexdigest())
    first = uploads.receive_chunk(actor, upload, 0, io.BytesIO(data[:1000]), 1000)
    assert first.offset == 1000

    original = storage.LocalBlobStore.append

    def failing(self, name, at, pieces):
        def some():
            for index, piece in enumerate(pieces):
                if index == 10:
                    raise OSError(28, "No space left on device")
                yield piece
        return original(self, name, at, some())

    monkeypatch.setattr(storage.LocalBlobStore, "append", failing)
    with pytest.raises(OSError):
        uploads.receive_chunk(actor, upload, 1000, io.BytesIO(data[1000:]), len(data) - 1000)
    upload.refresh_from_db()
    assert upload.offset == 1000 and upload.busy_until is None

    monkeypatch.setattr(storage.LocalBlobStore, "append", original)
    done = uploads.receive_chunk(actor, upload, 1000, io.BytesIO(data[1000:]), len(data) - 1000)
    assert done.file is not None and File.objects.filter(pk=done.file.pk).exists()


@pytest.mark.django_db
def test_DO2_offset_answer_to_HEAD_has_no_body(space, carol_client, portal):
    data = os.urandom(1000)
    location = _create(carol_client, space, data, portal)
    assert portal.api_patch(carol_client, location, 0, data[:400]).status_code == 200
    head = carol_client.head(location)
    assert head.status_code == 200 and head["Upload-Offset"] == "400"
    assert head.content == b""
