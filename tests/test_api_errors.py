"""SE3 and the one error mechanism: bad input is a 4xx naming the field with nothing written,
every /api/ answer is JSON ``{"code", "message", "field"}``, and the OpenAPI document says so."""

from __future__ import annotations

import importlib.util
import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db.models import Model
from django.test import Client
from django.utils import timezone
from tests.conftest import PASSWORD

from officium.accounts.models import ApiToken, Invitation
from officium.attendance import services as attendance
from officium.attendance.models import Device, LocationEvent, Site
from officium.portal.models import Folder, Space
from officium.privacy.rights.models import RightsRequest

ORG = "alpha"
ROOT = Path(__file__).resolve().parents[1]


def post(client: Client, path: str, body: str | bytes, **extra: object):
    return client.post(path, body, content_type="application/json", **extra)


def counts(*models: type[Model]) -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in models}


WRITTEN = (Site, Device, Space, Folder, RightsRequest, Invitation, LocationEvent, ApiToken)


@pytest.fixture
def alice_space(alice):
    from officium.portal import services

    return services.create_space(alice.memberships.get(), "Alpha documents")


@pytest.fixture
def connection_code(alice, bob) -> str:
    _code, raw = attendance.create_connection_code(alice.memberships.get(), bob.memberships.get())
    return raw


@pytest.fixture
def device_client(connection_code) -> Client:
    _device, token = attendance.connect_device(connection_code, "Bob's phone", "android")
    return Client(headers={"Authorization": f"Bearer {token}"})


def json_string_endpoints(space_id: int, code: str) -> list[tuple[str, dict, str, str]]:
    """(path, valid body, string field to spoil, client) over six endpoints, one public."""
    return [
        (f"/api/attendance/orgs/{ORG}/sites",
         {"name": "HQ", "center_latitude": 52.5, "center_longitude": 13.4, "radius_m": 100}, "name", "alice"),
        (f"/api/portal/orgs/{ORG}/spaces", {"name": "Tax"}, "name", "alice"),
        (f"/api/portal/orgs/{ORG}/spaces/{space_id}/folders", {"name": "2025"}, "name", "alice"),
        ("/api/attendance/device/connect", {"code": code, "name": "Phone"}, "name", "anonymous"),
        ("/api/privacy/rights/public/requests",
         {"email": "someone@example.org", "request_type": "access", "residence_country": "DE",
          "details": "my data"}, "details", "anonymous"),
        ("/api/privacy/rights/requests",
         {"request_type": "access", "residence_country": "DE", "password": PASSWORD,
          "details": "my data"}, "details", "bob"),
        (f"/api/orgs/{ORG}/members", {"email": "new@alpha.example", "role": "member"}, "email", "alice"),
    ]


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "a\\u0000b"])
def test_SE3_lone_surrogate_or_nul_in_any_json_string_is_a_400_naming_the_field(
        alice_client, bob_client, alice_space, connection_code, escape):
    clients = {"alice": alice_client, "bob": bob_client, "anonymous": Client()}
    for path, body, field, who in json_string_endpoints(alice_space.pk, connection_code):
        before = counts(*WRITTEN)
        text = json.dumps(body).replace(json.dumps(body[field]), f'"x{escape}y"')
        response = post(clients[who], path, text)
        assert response.status_code == 400, (path, response.content)
        answer = response.json()
        assert answer["field"] == field and answer["code"] == "malformed_body", (path, answer)
        assert counts(*WRITTEN) == before, path
        # the same request with a valid string is accepted: the refusal was about the string
    ok = post(alice_client, f"/api/portal/orgs/{ORG}/spaces", json.dumps({"name": "x\u00e9y"}))
    assert ok.status_code == 201


def test_SE3_surrogate_bytes_and_keys_are_refused_too(alice_client):
    before = counts(Space)
    raw = b'{"name": "x\xed\xa0\x80y"}'  # a surrogate encoded as if it were UTF-8
    response = post(alice_client, f"/api/portal/orgs/{ORG}/spaces", raw)
    assert response.status_code == 400 and response.json()["code"] == "malformed_body"
    nested = post(alice_client, f"/api/portal/orgs/{ORG}/spaces",
                  '{"name": "ok", "extra": [{"\\ud800": 1}]}')
    assert nested.status_code == 400 and nested.json()["field"].startswith("extra.0.")
    assert counts(Space) == before


@pytest.mark.parametrize("name", ["evil\u0000name", "gpj.\u202eexe", "line\r\nBcc: x@y.z",
                                  "tab\there", "\u2066isolate"])
def test_SE3_names_with_control_or_direction_characters_are_refused_on_every_name_field(
        alice_client, alice_space, connection_code, name):
    """The same check (officium.text) as the portal's file names and the pages' forms."""
    before = counts(*WRITTEN)
    for path, body in [
        (f"/api/attendance/orgs/{ORG}/sites",
         {"name": name, "center_latitude": 52.5, "center_longitude": 13.4, "radius_m": 100}),
        (f"/api/portal/orgs/{ORG}/spaces", {"name": name}),
        (f"/api/portal/orgs/{ORG}/spaces/{alice_space.pk}/folders", {"name": name}),
        ("/api/attendance/device/connect", {"code": connection_code, "name": name}),
        ("/api/attendance/device/connect", {"code": connection_code, "name": "Phone", "platform": name}),
    ]:
        response = post(alice_client, path, json.dumps(body))
        assert response.status_code == 400, (path, response.content)
        expected = "platform" if body.get("platform") == name else "name"
        assert response.json()["field"] == expected, (path, response.json())
    assert counts(*WRITTEN) == before


def test_SE3_the_services_refuse_unsafe_names_for_pages_too(alice):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        attendance.save_site(alice.memberships.get(), {
            "name": "HQ\u202e", "center_latitude": 52.5, "center_longitude": 13.4, "radius_m": 100})
    assert "name" in refused.value.message_dict
    assert not Site.objects.exists()


def test_SE3_device_event_whose_utc_time_overflows_is_refused_naming_the_field(device_client):
    events = [{"id": "e1", "kind": "app_open", "at": "0001-01-01T00:00:00+14:00"},
              {"id": "e2", "kind": "app_open", "at": "9999-12-31T23:59:59-14:00"}]
    response = post(device_client, "/api/attendance/device/events", json.dumps({"events": events}))
    assert response.status_code == 200, response.content  # a batch reports each event (LO2)
    answer = response.json()
    assert answer["stored"] == 0
    assert [(r["index"], r["field"]) for r in answer["rejected"]] == [(0, "at"), (1, "at")]
    assert not LocationEvent.objects.exists()


def test_SE3_text_plain_body_is_not_parsed_as_json(alice_client):
    response = alice_client.post(f"/api/portal/orgs/{ORG}/spaces", '{"name": "Tax"}',
                                 content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert not Space.objects.exists()


def test_SE3_oversized_api_body_gets_a_json_413(alice_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = post(alice_client, f"/api/portal/orgs/{ORG}/spaces",
                    json.dumps({"name": "x" * 2000}))
    assert response.status_code == 413 and response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "too_large"
    assert not Space.objects.exists()


def test_SE3_request_validation_is_a_400_naming_the_field(alice_client):
    response = post(alice_client, f"/api/attendance/orgs/{ORG}/sites",
                    json.dumps({"name": "HQ", "radius_m": "wide"}))
    assert response.status_code == 400
    assert response.json()["field"] == "radius_m" and response.json()["code"] == "invalid"
    broken = post(alice_client, f"/api/attendance/orgs/{ORG}/sites", "{not json")
    assert broken.status_code == 400 and broken.json()["code"] == "malformed_body"
    assert not Site.objects.exists()


@contextmanager
def connection_kept() -> Iterator[None]:
    """Call the WSGI application inside the test's transaction: Django closes the database
    connection when a request starts and finishes; its test client turns that off too."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _wsgi(method: str, path: str, headers: dict[str, str] | None = None) -> tuple[str, dict, bytes]:
    """Call the WSGI application as gunicorn does: what it yields is what goes on the wire."""
    from django.core.wsgi import get_wsgi_application

    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "",
               "SERVER_NAME": "testserver", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
               "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
               "wsgi.version": (1, 0), "wsgi.multithread": False, "wsgi.multiprocess": False,
               "wsgi.run_once": False, "HTTP_HOST": "testserver",
               **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in (headers or {}).items()}}
    seen: dict = {}

    def start_response(status: str, response_headers: list, exc_info: object = None) -> None:
        seen["status"], seen["headers"] = status, dict(response_headers)

    with connection_kept():
        chunks = get_wsgi_application()(environ, start_response)
        try:
            body = b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()
    return seen["status"], seen["headers"], body


def test_SE3_head_answers_carry_no_body_on_the_wire(alice, alice_org):
    from officium.accounts.services import create_api_token

    _token, raw = create_api_token(alice, "head")
    for path, auth in [("/accounts/login/", {}), ("/api/openapi.json", {}),
                       ("/static/officium.css", {}), ("/api/no-such-thing", {}),
                       (f"/api/orgs/{ORG}", {"Authorization": f"Bearer {raw}"})]:
        get_status, _get_headers, get_body = _wsgi("GET", path, auth)
        status, headers, body = _wsgi("HEAD", path, auth)
        assert body == b"", (path, status, body[:80])
        assert status == get_status, path
        if get_status.startswith("200"):
            assert get_body and headers.get("Content-Length") in (None, str(len(get_body))), path


def test_unknown_api_paths_and_methods_answer_json(alice_client):
    unknown = Client().get("/api/no/such/path")
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    inside = alice_client.get(f"/api/orgs/{ORG}/members/999999")
    assert inside.status_code == 404 and inside.json() == {"code": "not_found",
                                                           "message": "Not found.", "field": None}
    wrong_method = alice_client.put(f"/api/orgs/{ORG}/members")
    assert wrong_method.status_code == 405 and wrong_method.json()["code"] == "method_not_allowed"
    assert "GET" in wrong_method["Allow"]
    anonymous = Client().get(f"/api/orgs/{ORG}/members")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "unauthenticated"
    page = Client().get("/no/such/page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_domain_error_codes_and_permission_denied(alice_client, bob_client, bob):
    denied = post(bob_client, f"/api/attendance/orgs/{ORG}/sites",
                  json.dumps({"name": "HQ", "center_latitude": 52.5, "center_longitude": 13.4,
                              "radius_m": 100}))
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"
    assert denied.json()["message"]
    body = {"request_type": "access", "residence_country": "DE", "password": PASSWORD}
    first = post(bob_client, "/api/privacy/rights/requests", json.dumps(body))
    assert first.status_code == 201
    again = post(bob_client, "/api/privacy/rights/requests", json.dumps(body))
    assert again.status_code == 409
    answer = again.json()
    assert answer["code"] == "duplicate_request" and answer["field"] == "request_type"
    assert answer["existing"]["ref"] == first.json()["ref"]


def test_unexpected_error_is_a_json_500_without_details(alice, monkeypatch):
    from officium.accounts import api as accounts_api

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internal detail /srv/officium")

    monkeypatch.setattr(accounts_api, "membership_for", broken)
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    response = client.get(f"/api/orgs/{ORG}")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "secret" not in response.content.decode()


def test_openapi_documents_the_error_answer_on_every_operation(client):
    document = client.get("/api/openapi.json").json()
    error = document["components"]["schemas"]["Error"]
    assert {"code", "message", "field"} <= set(error["properties"])
    operations = [(path, method, op) for path, ops in document["paths"].items()
                  for method, op in ops.items()]
    assert len(operations) > 40
    for path, method, op in operations:
        documented = op["responses"]["4XX"]["content"]["application/json"]["schema"]
        assert documented == {"$ref": "#/components/schemas/Error"}, (path, method)


def test_openapi_document_has_no_key_twice(client):
    """A response documented under "200" beside ninja's 200 became two "200" keys in the JSON:
    Swagger UI's parser refuses duplicate keys and /api/docs showed only "Errors"."""
    duplicates: list[str] = []

    def once(pairs: list[tuple[str, object]]) -> dict[str, object]:
        keys = [key for key, _ in pairs]
        duplicates.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    json.loads(client.get("/api/openapi.json").content, object_pairs_hook=once)
    assert duplicates == []


def test_openapi_schema_names_are_unique():
    """Two schema classes of one name would share one OpenAPI component: the second silently
    replaces the first (the rights requests were documented with attendance's RequestOut)."""
    import typing

    from pydantic import BaseModel

    from officium.api import api

    seen: dict[str, set[str]] = {}
    visited: set[int] = set()

    def walk(annotation: object) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if id(annotation) in visited:
                return
            visited.add(id(annotation))
            if annotation.__module__.startswith("officium"):  # not ninja's generated wrappers
                seen.setdefault(annotation.__name__, set()).add(
                    f"{annotation.__module__}.{annotation.__qualname__}")
            for field in annotation.model_fields.values():
                walk(field.annotation)
            return
        for argument in typing.get_args(annotation):
            walk(argument)

    def routers(router):  # ninja keeps a router's children in ``_routers``
        yield router
        for child in router._routers:
            yield from routers(child[1])

    for router in (r for _prefix, top in api._routers for r in routers(top)):
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    walk(model)
                for model in (operation.response_models or {}).values():
                    walk(model)
    assert len(seen) > 20
    duplicated = {name: sorted(where) for name, where in seen.items() if len(where) > 1}
    assert duplicated == {}
    document = Client().get("/api/openapi.json").json()
    rights = document["paths"]["/api/privacy/rights/requests/{rights_request_id}"]["get"]
    assert rights["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/RightsRequestOut")


def _api_fuzz_module():
    spec = importlib.util.spec_from_file_location("bench_api_fuzz", ROOT / "bench" / "api_fuzz.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_SE3_schemathesis_quick_pass_as_a_member_finds_no_server_error_or_violation(
        alice, bob, alice_org):
    """A bounded pass with a fixed seed (bench/api_fuzz.py runs over 1,000 cases per role)."""
    import logging

    from django.core.wsgi import get_wsgi_application

    from officium.accounts.services import create_api_token

    fuzz = _api_fuzz_module()
    _token, member_token = create_api_token(bob, "fuzz")
    _code, raw = attendance.create_connection_code(alice.memberships.get(), bob.memberships.get())
    _device, device_token = attendance.connect_device(raw, "Fuzz phone", "test")
    started = timezone.now()
    quiet = logging.getLogger("django.request")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        with connection_kept():
            tally = fuzz.fuzz(get_wsgi_application(),
                              fuzz.headers_for_role(member_token, device_token),
                              examples=2, seed=12, path_parameters={"org": ORG}, budget_s=45)
    finally:
        quiet.setLevel(level)
    assert tally.cases > 100, tally
    assert any(200 <= status < 300 for status in tally.statuses), tally.statuses
    assert (tally.server_errors, tally.schema_violations) == (0, 0), tally.findings
    assert (timezone.now() - started).total_seconds() < 90
