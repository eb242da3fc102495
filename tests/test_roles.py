"""SE2: every route, as every role, is allowed or refused exactly as its app declares.

Generated like the cross-tenant test: every page (GET and POST) and every API operation (with
a body from its OpenAPI schema) is requested on alice's organization and alice's objects as
each role of ``ROLES``; the outcome must be the one declared in the ``ROLES`` table of
tests/samples/<app>.py (the roles that get through; everyone else is refused). A route missing
from the tables fails the test with the line to add, so a new route declares who may use it.

Each request runs in a savepoint that is rolled back, so every role meets the same data.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client
from tests import factories
from tests.conftest import sample_modules
from tests.openapi_bodies import body_for, operation
from tests.test_tenancy import KWARG, body_references, iter_routes

from officium.accounts import services
from officium.accounts.roles import Role

ROLES = ("owner", "admin", "privacy_officer", "manager", "member", "client", "outsider",
         "anonymous")
PAGE_METHODS = ("get", "post")
API_METHODS = ("get", "post", "put", "patch", "delete")
# Answers that mean "access granted, the input was then judged" rather than "refused".
INPUT_COMPLAINTS = {400, 409, 410, 413, 416, 422}


@pytest.fixture
def cast(world) -> dict[str, SimpleNamespace]:
    """One person per role: alice owns, bob is a member, charlie is the outsider."""
    people = {"owner": world.alice, "member": world.bob, "outsider": world.charlie}
    for role in (Role.ADMIN, Role.PRIVACY_OFFICER, Role.MANAGER, Role.CLIENT):
        people[str(role)] = factories.member(world.alice_org, role).user
    cast = {"anonymous": SimpleNamespace(user=None, page=Client(raise_request_exception=False),
                                         api=Client(raise_request_exception=False))}
    for role, person in people.items():
        _, raw = services.create_api_token(person, f"{role} matrix")
        cast[role] = SimpleNamespace(
            user=person, page=Client(raise_request_exception=False),
            api=Client(raise_request_exception=False, headers={"authorization": f"Bearer {raw}"}))
        cast[role].page.force_login(person)
    return cast


def declared_table() -> dict[str, frozenset[str]]:
    table: dict[str, frozenset[str]] = {}
    for module in sample_modules():
        for key, roles in getattr(module, "ROLES", {}).items():
            assert key not in table, f"{key} is declared twice in tests/samples/"
            table[key] = frozenset(roles)
    return table


@pytest.mark.django_db
def test_SE2_every_route_as_every_role_is_allowed_or_refused_as_declared(world, cast,
                                                                         tenancy_samples):
    samples, secrets = tenancy_samples
    declared = declared_table()
    references = body_references(samples, world)  # ids in bodies name alice's own objects
    observed: dict[str, set[str]] = {}
    failures: list[str] = []
    for route in iter_routes():
        if route.startswith(("^static", "static")):
            continue
        url = _url(route, samples, secrets, world)
        # An API route is sent each method its operations declare (the others are 405s, which
        # SE3 covers); a page, and the API's own documentation pages, GET and POST.
        api_methods = [m for m in API_METHODS if operation(route, m) is not None]
        is_api = bool(api_methods)
        for method in api_methods or PAGE_METHODS:
            key = f"{method.upper()} /{route}"
            body = body_for(route, method, references) if is_api else None
            outcomes = {role: _outcome(cast[role], is_api, method, url, body, route)
                        for role in ROLES}
            if "absent" in outcomes.values() and "allowed" not in outcomes.values():
                continue  # the page does not answer this method (405 once past its checks)
            failures += [f"{key} as {role}: server error" for role, o in outcomes.items()
                         if o == "error"]
            observed[key] = {role for role, outcome in outcomes.items() if outcome == "allowed"}
    for key, allowed in observed.items():
        if key not in declared:
            failures.append(f"{key} is not declared: add to ROLES in tests/samples/<app>.py: "
                            f"{key!r}: {sorted(allowed)}")
        elif declared[key] != allowed:
            failures.append(f"{key}: allowed for {sorted(allowed)}, declared {sorted(declared[key])}")
    failures += [f"{key} is declared but no longer answers" for key in declared.keys() - observed]
    assert not failures, "\n".join(failures)


def _outcome(person: SimpleNamespace, is_api: bool, method: str, url: str, body: object,
             route: str) -> str:
    client = person.api if is_api else person.page
    if person.user is not None and not is_api and "logout" in route:
        client.force_login(person.user)
    with transaction.atomic():
        if body is None:
            response = getattr(client, method)(url)
        else:
            response = getattr(client, method)(url, data=json.dumps(body),
                                               content_type="application/json")
        transaction.set_rollback(True)
    _forget_rolled_back_keys()
    if person.user is not None and not is_api:
        client.force_login(person.user)  # a page may have signed the person out
    status = response.status_code
    if status == 405:
        return "absent"
    if status >= 500:
        return "error"
    if status in (401, 403, 404):
        return "refused"
    if status in (301, 302) and response["Location"].startswith("/accounts/login/"):
        return "refused"
    if status < 400 or status in INPUT_COMPLAINTS:
        return "allowed"
    return "refused"


def _forget_rolled_back_keys() -> None:
    """Keys unwrapped inside a rolled-back savepoint must not be reused from the cache."""
    from officium.privacy.vault.keys import clear_cache

    clear_cache()


def _url(route: str, samples: dict, secrets: dict, world: SimpleNamespace) -> str:
    def value(match) -> str:
        name = match.group("name")
        return str((samples.get(name) or secrets[name])(world))

    return "/" + KWARG.sub(value, route).replace("^", "").replace("$", "")
