"""PF4 / DO3: importing from a WebDAV server (wsgidav on loopback, started here) only with the
person's authorization: the app password sealed, used only for the import they started,
revocable; every import audited; hostile servers give a clear failure and leave nothing."""

from __future__ import annotations

import hashlib
import logging
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.db import connection

from officium.portal import imports
from officium.portal.models import File, Folder, ImportJob, ImportSource, Upload
from officium.privacy.audit.models import AuditEntry

ORG = "alpha"
API = f"/api/portal/orgs/{ORG}"
APP_PASSWORD = "dav-app-pass-7Q2x9"


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


class _Threaded(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


def serve(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, server_class=_Threaded, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def dav_root(tmp_path) -> Path:
    root = tmp_path / "dav"
    (root / "Documents" / "2026").mkdir(parents=True)
    (root / "Documents" / "2026" / "invoice.pdf").write_bytes(b"%PDF-1.4 invoice " * 60000)
    (root / "Documents" / "notes.txt").write_bytes("notes ✓\n".encode() * 100)
    (root / "Documents" / "empty.txt").write_bytes(b"")
    (root / "Private").mkdir()
    (root / "Private" / "diary.txt").write_bytes(b"not chosen")
    return root


@pytest.fixture
def webdav(dav_root) -> Iterator[str]:
    from wsgidav.wsgidav_app import WsgiDAVApp

    app = WsgiDAVApp({
        "host": "127.0.0.1", "port": 0,
        "provider_mapping": {"/dav": str(dav_root)},
        "simple_dc": {"user_mapping": {"/dav": {"carol": {"password": APP_PASSWORD}}}},
        "http_authenticator": {"domain_controller": None, "accept_basic": True,
                               "accept_digest": False, "default_to_digest": False},
        "verbose": 1, "logging": {"enable_loggers": []}, "dir_browser": {"enable": False},
        "lock_storage": True, "property_manager": True,
    })
    yield from serve(app)


def _authorize(client, base_url: str, password: str = APP_PASSWORD):
    return client.post(f"{API}/import-sources", {"label": "Carol's Nextcloud", "base_url": base_url,
                                                 "username": "carol", "password": password},
                       content_type="application/json")


def _start(client, source_id: int, space, paths=("Documents",)):
    return client.post(f"{API}/imports", {"source_id": source_id, "space_id": space.pk,
                                          "paths": list(paths)}, content_type="application/json")


@pytest.mark.django_db(transaction=True)
def test_DO3_import_only_after_authorization_and_files_arrive_encrypted(
        webdav, dav_root, space, carol, carol_client, portal, portal_files, caplog):
    caplog.set_level(logging.DEBUG)
    # no authorization: nothing to import from
    assert _start(carol_client, 999, space).status_code == 404
    made = _authorize(carol_client, webdav + "/dav/")
    assert made.status_code == 201 and "password" not in made.json()
    source = ImportSource.objects.get()
    started = _start(carol_client, source.pk, space)
    assert started.status_code == 201
    job = ImportJob.objects.get()
    assert job.status == "done", job.error  # the tasks run at once in tests
    assert (job.files_done, job.files_failed) == (3, 0)
    docs = Folder.objects.get(name="Documents", parent=None, space=space)
    year = Folder.objects.get(name="2026", parent=docs)
    invoice = File.objects.get(folder=year, name="invoice.pdf")
    data = (dav_root / "Documents" / "2026" / "invoice.pdf").read_bytes()
    assert invoice.sha256 == hashlib.sha256(data).hexdigest() and invoice.uploaded_by == carol
    body = carol_client.get(f"{API}/files/{invoice.pk}/content")
    assert b"".join(body.streaming_content) == data
    assert not File.objects.filter(name="diary.txt").exists()  # only the chosen folder
    stored = b"".join(portal.stored_bytes(portal_files))
    assert b"invoice" not in stored and b"notes" not in stored
    source.refresh_from_db()
    assert source.last_used_at is not None
    events = list(AuditEntry.objects.values_list("event", flat=True))
    assert {"portal.import_authorized", "portal.import_started", "portal.import_finished"} <= set(events)
    # the app password: never in the database in plaintext, nor in any log record
    _assert_nowhere(APP_PASSWORD, caplog)
    # idempotent: running the job again, or starting the same import again, imports nothing twice
    ImportJob.objects.filter(pk=job.pk).update(status="running")
    imports.run_job(job.pk)
    assert _start(carol_client, source.pk, space).status_code == 201
    assert ImportJob.objects.order_by("-pk").first().status == "done"
    assert File.objects.filter(name="invoice.pdf").count() == 1
    assert File.objects.count() == 3


def _assert_nowhere(secret: str, caplog) -> None:
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from the schema)
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, (bytes, memoryview)):
                        value = bytes(value)
                        assert secret.encode() not in value, table
                    else:
                        assert secret not in str(value), table
    assert secret not in caplog.text


@pytest.mark.django_db(transaction=True)
def test_DO3_revoked_authorization_stops_the_next_import(webdav, space, carol_client):
    source_id = _authorize(carol_client, webdav + "/dav/").json()["id"]
    assert carol_client.delete(f"{API}/import-sources/{source_id}").status_code == 204
    source = ImportSource.objects.get()
    assert bytes(source.sealed_secret) == b"" and source.revoked_at is not None
    refused = _start(carol_client, source_id, space)
    assert refused.status_code == 400 and refused.json()["field"] == "source_id"
    # a job queued before the revocation fails instead of using it
    job = ImportJob.objects.create(organization_id=space.organization_id, source=source,
                                   space=space, started_by=source.owner, paths=["Documents"])
    assert imports.run_job(job.pk) == "failed"
    job.refresh_from_db()
    assert "revoked" in job.error and not File.objects.exists()
    assert AuditEntry.objects.filter(event="portal.import_failed").exists()
    page = carol_client.get(f"/o/{ORG}/portal/imports/").content.decode()
    assert "Revoked" in page


@pytest.mark.django_db(transaction=True)
def test_DO3_only_the_person_who_authorized_uses_a_source(webdav, space, carol_client, bob_client):
    source_id = _authorize(carol_client, webdav + "/dav/").json()["id"]
    assert _start(bob_client, source_id, space).status_code == 404
    assert bob_client.get(f"{API}/import-sources").json() == []
    assert bob_client.delete(f"{API}/import-sources/{source_id}").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_PF4_bad_authorizations_are_refused_and_nothing_written(carol_client, settings):
    for base_url, field in (("ftp://files.example/", "base_url"),
                            ("https://user:pw@dav.example/", "base_url"),
                            ("", "base_url")):
        answer = _authorize(carol_client, base_url)
        assert answer.status_code == 400 and answer.json()["field"] == field
    assert _authorize(carol_client, "https://dav.example/", password="").json()["field"] == "password"
    settings.OFFICIUM_PORTAL_IMPORT_PRIVATE_HOSTS = False  # as in production
    private = _authorize(carol_client, "https://127.0.0.1:8443/dav/")
    assert private.status_code == 400 and "private" in private.json()["message"]
    assert not ImportSource.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_PF4_unreachable_server_fails_clearly(space, carol_client):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source_id = _authorize(carol_client, f"http://127.0.0.1:{port}/dav/").json()["id"]
    assert _start(carol_client, source_id, space).status_code == 201
    job = ImportJob.objects.get()
    assert job.status == "failed" and "could not be reached" in job.error
    assert not File.objects.exists() and not Upload.objects.exists()


# --- a hostile WebDAV server -------------------------------------------------------------

def _listing(entries: list[tuple[str, bool, int]]) -> bytes:
    parts = []
    for href, folder, size in entries:
        kind = "<d:collection/>" if folder else ""
        length = "" if folder else f"<d:getcontentlength>{size}</d:getcontentlength>"
        parts.append(f"<d:response><d:href>{href}</d:href><d:propstat><d:prop><d:resourcetype>"
                     f"{kind}</d:resourcetype>{length}</d:prop><d:status>HTTP/1.1 200 OK</d:status>"
                     f"</d:propstat></d:response>")
    return ('<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">' + "".join(parts)
            + "</d:multistatus>").encode()


def hostile_app(listing: bytes, body_of) -> object:
    def app(environ, start_response):
        if environ["REQUEST_METHOD"] == "PROPFIND":
            start_response("207 Multi-Status", [("Content-Type", "application/xml")])
            return [listing]
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return body_of(environ["PATH_INFO"])
    return app


@pytest.fixture
def hostile(request) -> Iterator[str]:
    listing, body_of = request.param
    yield from serve(hostile_app(listing, body_of))


def _endless(_path):
    while True:
        yield b"A" * 65536


ESCAPES = _listing([("/dav/", True, 0), ("/dav/../../etc/passwd", False, 10)])
OTHER_HOST = _listing([("/dav/", True, 0), ("http://evil.example/dav/x.txt", False, 10)])
ENCODED = _listing([("/dav/", True, 0), ("/dav/a%2F..%2F..%2Fx.txt", False, 10)])
LIAR = _listing([("/dav/", True, 0), ("/dav/small.txt", False, 1000)])
HUGE = _listing([("/dav/", True, 0), ("/dav/huge.bin", False, 10 ** 15)])
BOMB = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
        b'<d:multistatus xmlns:d="DAV:"><d:response><d:href>/dav/&b;</d:href></d:response>'
        b"</d:multistatus>")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("hostile, words", [
    ((ESCAPES, lambda p: [b"root:x"]), "outside the chosen folder"),
    ((OTHER_HOST, lambda p: [b"x"]), "outside the chosen folder"),
    ((ENCODED, lambda p: [b"x"]), "outside the chosen folder"),
    ((BOMB, lambda p: [b"x"]), "entities"),
], indirect=["hostile"])
def test_PF4_hostile_listing_fails_the_import_and_leaves_nothing(hostile, words, space, carol_client,
                                                                 portal, portal_files):
    source_id = _authorize(carol_client, hostile + "/dav/").json()["id"]
    _start(carol_client, source_id, space, paths=[""])
    job = ImportJob.objects.get()
    assert job.status == "failed" and words in job.error
    assert not File.objects.exists() and not Upload.objects.exists()
    assert portal.stored_bytes(portal_files) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("hostile, words", [
    ((LIAR, _endless), "more bytes than"),
    ((HUGE, _endless), "over this plan"),
], indirect=["hostile"])
def test_PF4_endless_or_huge_file_is_refused_and_nothing_partial_left(
        hostile, words, space, carol_client, portal, portal_files,
        django_capture_on_commit_callbacks):
    source_id = _authorize(carol_client, hostile + "/dav/").json()["id"]
    _start(carol_client, source_id, space, paths=[""])
    job = ImportJob.objects.get()
    assert job.status == "done" and job.files_failed == 1 and job.files_done == 0
    assert words in job.items.get().error
    assert not File.objects.exists() and not Upload.objects.exists()
    assert portal.stored_bytes(portal_files) == []


REPORT = "quarterly report ✓\n".encode() * 20000


@pytest.fixture
def gzipping() -> Iterator[tuple[str, list[str]]]:
    """A server that compresses a file's answer whatever it was asked (it records what was)."""
    import gzip

    asked: list[str] = []
    listing = _listing([("/dav/", True, 0), ("/dav/report.txt", False, len(REPORT))])
    packed = gzip.compress(REPORT)

    def app(environ, start_response):
        if environ["REQUEST_METHOD"] == "PROPFIND":
            start_response("207 Multi-Status", [("Content-Type", "application/xml")])
            return [listing]
        asked.append(environ.get("HTTP_ACCEPT_ENCODING", ""))
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Encoding", "gzip"),
                                  ("Content-Length", str(len(packed)))])
        return [packed]

    for url in serve(app):
        yield url, asked


@pytest.mark.django_db(transaction=True)
def test_PF4_import_asks_for_the_bytes_as_stored_and_still_decodes_a_compressed_answer(
        gzipping, space, carol_client):
    url, asked = gzipping
    source_id = _authorize(carol_client, url + "/dav/").json()["id"]
    _start(carol_client, source_id, space, paths=[""])
    job = ImportJob.objects.get()
    assert job.status == "done" and job.files_done == 1, job.error
    assert asked == ["identity"]  # read straight from the connection when the server obliges
    report = File.objects.get(name="report.txt")
    body = carol_client.get(f"{API}/files/{report.pk}/content")
    assert b"".join(body.streaming_content) == REPORT  # a server that compresses anyway: decoded
    assert report.sha256 == hashlib.sha256(REPORT).hexdigest()


@pytest.fixture
def flaky_webdav(dav_root) -> Iterator[str]:
    """wsgidav behind a cut: the first GET of the invoice stops after 700,000 bytes."""
    from wsgidav.wsgidav_app import WsgiDAVApp

    dav = WsgiDAVApp({
        "host": "127.0.0.1", "port": 0, "provider_mapping": {"/dav": str(dav_root)},
        "simple_dc": {"user_mapping": {"/dav": {"carol": {"password": APP_PASSWORD}}}},
        "http_authenticator": {"domain_controller": None, "accept_basic": True,
                               "accept_digest": False, "default_to_digest": False},
        "verbose": 1, "logging": {"enable_loggers": []}, "dir_browser": {"enable": False},
        "lock_storage": True, "property_manager": True})
    cuts = {"left": 1}

    def app(environ, start_response):
        body = dav(environ, start_response)
        if not (environ["REQUEST_METHOD"] == "GET" and environ["PATH_INFO"].endswith("invoice.pdf")
                and cuts["left"]):
            return body
        cuts["left"] -= 1

        def cut():
            sent = 0
            for piece in body:
                yield piece[:700_000 - sent]
                sent += len(piece)
                if sent >= 700_000:
                    raise ConnectionResetError("cut")  # the server drops the connection
        return cut()

    yield from serve(app)


@pytest.mark.django_db(transaction=True)
def test_PF4_import_cut_mid_file_resumes_with_a_range(flaky_webdav, dav_root, space, carol_client):
    source_id = _authorize(carol_client, flaky_webdav + "/dav/").json()["id"]
    _start(carol_client, source_id, space)
    first = ImportJob.objects.get()
    assert first.status == "failed" and "start the import again" in first.error
    kept = Upload.objects.get()
    assert 0 < kept.offset < kept.size  # what arrived before the cut is kept, encrypted
    _start(carol_client, source_id, space)
    second = ImportJob.objects.order_by("-pk").first()
    assert second.status == "done", second.error
    invoice = File.objects.get(name="invoice.pdf")
    data = (dav_root / "Documents" / "2026" / "invoice.pdf").read_bytes()
    assert invoice.sha256 == hashlib.sha256(data).hexdigest()
    assert not Upload.objects.exists() and File.objects.count() == 3


# --- one address per run (no DNS rebinding), deadlines, size guard ------------------------

class _Counting(socketserver.BaseRequestHandler):
    connections = 0

    def handle(self) -> None:
        type(self).connections += 1


@pytest.fixture
def resolver(monkeypatch):
    """Names resolve to the addresses a test gives, one answer per call (the last one
    repeats): a name can start resolving elsewhere after it was checked."""
    answers: dict[str, list[list[str]]] = {}
    calls: list[str] = []

    def fake(host: str, port: int) -> list[str]:
        calls.append(host)
        queue = answers[host]
        return queue.pop(0) if len(queue) > 1 else queue[0]

    monkeypatch.setattr(imports, "_resolve_all", fake)
    return answers, calls


@pytest.mark.django_db(transaction=True)
def test_PF4_import_connects_to_the_address_it_resolved_keeping_the_name(
        dav_root, space, carol_client, resolver):
    from wsgidav.wsgidav_app import WsgiDAVApp

    dav = WsgiDAVApp({
        "host": "127.0.0.1", "port": 0, "provider_mapping": {"/dav": str(dav_root)},
        "simple_dc": {"user_mapping": {"/dav": {"carol": {"password": APP_PASSWORD}}}},
        "http_authenticator": {"domain_controller": None, "accept_basic": True,
                               "accept_digest": False, "default_to_digest": False},
        "verbose": 1, "logging": {"enable_loggers": []}, "dir_browser": {"enable": False},
        "lock_storage": True, "property_manager": True})
    hosts: list[str] = []

    def app(environ, start_response):
        hosts.append(environ.get("HTTP_HOST", ""))
        return dav(environ, start_response)

    answers, calls = resolver
    for base in serve(app):
        port = base.rsplit(":", 1)[1]
        # "dav.test" exists in no DNS: the import can only reach the server at the address
        # it resolved once, while the server still sees the name it was asked by
        answers["dav.test"] = [["127.0.0.1"]]
        source_id = _authorize(carol_client, f"http://dav.test:{port}/dav/").json()["id"]
        _start(carol_client, source_id, space)
        job = ImportJob.objects.get()
        assert job.status == "done", job.error
        assert job.files_done == 3
    assert hosts and set(hosts) == {f"dav.test:{port}"}
    assert calls.count("dav.test") == 1  # resolved once for the whole run


@pytest.mark.django_db(transaction=True)
def test_PF4_name_that_rebinds_to_a_forbidden_address_is_refused_before_connecting(
        space, carol_client, settings, resolver):
    settings.OFFICIUM_PORTAL_IMPORT_PRIVATE_HOSTS = False  # as in production
    answers, _calls = resolver
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Counting.connections = 0
    try:
        port = server.server_address[1]
        # a name that is public when the person authorizes it, loopback when the import runs
        answers["rebind.test"] = [["93.184.216.34"], ["127.0.0.1"]]
        made = _authorize(carol_client, f"https://rebind.test:{port}/dav/")
        assert made.status_code == 201
        _start(carol_client, made.json()["id"], space)
        job = ImportJob.objects.get()
        assert job.status == "failed" and "private network" in job.error
        assert _Counting.connections == 0  # never connected to the forbidden address
        assert not File.objects.exists() and not Upload.objects.exists()
        # refused at authorization when any address is forbidden: loopback, private,
        # link-local (cloud metadata), IPv4-mapped loopback
        for addresses in (["93.184.216.34", "10.0.0.5"], ["169.254.169.254"],
                          ["::ffff:127.0.0.1"], ["::1"]):
            answers["other.test"] = [addresses]
            refused = _authorize(carol_client, "https://other.test/dav/")
            assert refused.status_code == 400 and refused.json()["field"] == "base_url"
            assert "private network" in refused.json()["message"], addresses
        assert ImportSource.objects.count() == 1
    finally:
        server.shutdown()
        server.server_close()


DRIP = _listing([("/dav/", True, 0), ("/dav/slow.bin", False, 100_000)])


def _drip(_path):
    import time

    while True:  # one byte at a time, each well within the per-read timeout
        yield b"A"
        time.sleep(0.02)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("hostile", [(DRIP, _drip)], indirect=True)
def test_PF4_server_dripping_bytes_is_cut_at_the_file_deadline_and_nothing_kept(
        hostile, space, carol_client, settings, portal, portal_files):
    import time

    settings.OFFICIUM_PORTAL_IMPORT_FILE_SECONDS = 1
    source_id = _authorize(carol_client, hostile + "/dav/").json()["id"]
    started = time.monotonic()
    _start(carol_client, source_id, space, paths=[""])
    assert time.monotonic() - started < 10
    job = ImportJob.objects.get()
    assert job.status == "failed" and "longer than 1 seconds" in job.error
    assert "kept nothing" in job.error
    assert not File.objects.exists() and not Upload.objects.exists()
    assert portal.stored_bytes(portal_files) == []
    assert AuditEntry.objects.filter(event="portal.import_failed").exists()


@pytest.mark.django_db(transaction=True)
def test_PF4_import_over_the_total_size_guard_stops_clearly(webdav, space, carol_client, settings):
    settings.OFFICIUM_PORTAL_IMPORT_MAX_BYTES = 5000  # notes.txt fits, the invoice does not
    source_id = _authorize(carol_client, webdav + "/dav/").json()["id"]
    _start(carol_client, source_id, space)
    job = ImportJob.objects.get()
    assert job.status == "failed" and "more than 5000 bytes" in job.error
    assert not File.objects.filter(name="invoice.pdf").exists() and not Upload.objects.exists()
    assert job.bytes_done <= 5000


# --- the authorization as consent (officexlr: "uploaded automatically with your authorization")

@pytest.mark.django_db(transaction=True)
def test_DO3_authorization_is_consent_in_the_ledger_and_withdrawal_revokes(
        webdav, space, carol, carol_client, use_policy):
    from officium.privacy.consent import ledger
    from officium.privacy.consent.models import ConsentRecord

    use_policy("officexlr")
    subject = ledger.Subject(user_id=carol.pk)
    first = _authorize(carol_client, webdav + "/dav/").json()["id"]
    assert ledger.is_given(subject, "content_import")
    page = carol_client.get("/privacy/consent/").content.decode()
    assert "To import content from another provider" in page
    assert 'id="purpose-content_import"' in page and "Withdraw" in page.split(
        'id="purpose-content_import"')[1].split("</div>")[0]
    second = _authorize(carol_client, webdav + "/dav/").json()["id"]
    # revoking one of two sources: the consent stands; revoking the last withdraws it
    assert carol_client.delete(f"{API}/import-sources/{first}").status_code == 204
    assert ledger.is_given(subject, "content_import")
    assert carol_client.delete(f"{API}/import-sources/{second}").status_code == 204
    assert ledger.state_of(subject, "content_import") == "withdrawn"
    # withdrawing on the consent page revokes every source, and a queued job fails
    third = _authorize(carol_client, webdav + "/dav/").json()["id"]
    source = ImportSource.objects.get(pk=third)
    job = ImportJob.objects.create(organization_id=space.organization_id, source=source,
                                   space=space, started_by=carol, paths=["Documents"])
    answer = carol_client.post("/privacy/consent/", {"kind": "purpose", "purpose": "content_import",
                                                      "action": "withdraw"})
    assert answer.status_code == 302
    source.refresh_from_db()
    assert source.revoked_at is not None and bytes(source.sealed_secret) == b""
    assert imports.run_job(job.pk) == "failed" and not File.objects.exists()
    assert list(ConsentRecord.objects.filter(subject_user_id=carol.pk, purpose="content_import")
                .values_list("state", flat=True).order_by("pk")) == [
        "given", "withdrawn", "given", "withdrawn"]
    assert AuditEntry.objects.filter(event="portal.import_revoked").count() == 3


@pytest.mark.django_db(transaction=True)
def test_DO3_no_consent_record_where_the_policy_does_not_ask_it(webdav, carol, carol_client):
    from officium.privacy.consent.models import ConsentRecord

    assert imports.consent_purpose() is None  # the test policy (officeportal) has no such purpose
    assert _authorize(carol_client, webdav + "/dav/").status_code == 201
    assert not ConsentRecord.objects.filter(purpose="content_import").exists()
