"""SE3: no tenant ever sees another tenant's data.

Generated: every URL pattern and API route of the project is requested by charlie (an outsider
with an organization of his own) with alice's objects in the URL, with every method. A URL that
names an object of alice's must answer 404 (or 403/405); no answer may contain alice's data.
A new view is covered by adding it to the URL conf; a new URL kwarg needs a sample in
tests/samples/<app>.py, or this test fails and says so.

Every API request carries a body its operation's schema accepts (tests/openapi_bodies.py), so
a handler that takes a body runs its lookups instead of answering 422; a body property that
names an object (``BODY_FIELDS`` in the samples) carries alice's object, sent to charlie's own
organization too, where a handler must refuse it.
"""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from tests.conftest import sample_modules
from tests.openapi_bodies import body_for

KWARG = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
METHODS = ("get", "post", "put", "patch", "delete")


def iter_routes(resolver: URLResolver | None = None, prefix: str = ""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from iter_routes(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def test_SE3_every_route_is_listed():
    routes = list(iter_routes())
    assert any(r.startswith("api/") for r in routes)
    assert any("<slug:org>" in r for r in routes)


@pytest.mark.django_db
def test_SE3_outsider_gets_404_for_every_route_with_alices_objects(world, tenancy_samples):
    samples, secrets = tenancy_samples
    references = body_references(samples, world)
    charlie = Client()
    charlie.force_login(world.charlie)
    api = Client(headers={"authorization": f"Bearer {world.charlie_raw_token}"})
    markers = [world.alice_org.name, world.bob.email, world.alice.email, world.bob.phone]
    failures = []
    for route in iter_routes():
        if route.startswith("^static") or route.startswith("static"):
            continue
        names = [m.group("name") for m in KWARG.finditer(route)]
        missing = [n for n in names if n not in samples and n not in secrets]
        assert not missing, f"{route}: add a sample for {missing} in tests/samples/"
        is_api = route.startswith("api/")
        client = api if is_api else charlie
        for url, method, body, names_objects in _attempts(route, names, samples, secrets, world,
                                                          references):
            charlie.force_login(world.charlie)  # the logout route signs him out
            response = send(client, method, url, body)
            text = response.content.decode(errors="replace")
            leaked = [m for m in markers if m and m in text]
            if leaked:
                failures.append(f"{method.upper()} {url}: shows {leaked}")
            if is_api and body is not None and response.status_code == 422:
                failures.append(f"{method.upper()} {url}: 422, the generated body was refused "
                                f"before the handler ran: {text[:200]}")
            if is_api and body is not None and _refers(body, references) and response.status_code < 400:
                failures.append(f"{method.upper()} {url}: {response.status_code} for a body naming "
                                f"alice's objects {body}")
            # 403 too must match the answer for a nonexistent object, or it tells that alice's
            # object exists (and that the lookup found it: a guard further down refused).
            if names_objects and response.status_code not in (404, 405):
                ghost = send(client, method, _ghost_url(route, samples, secrets, world), body)
                if response.status_code != ghost.status_code or response.status_code < 400:
                    failures.append(f"{method.upper()} {url}: {response.status_code}, expected 404 "
                                    f"(a nonexistent object answers {ghost.status_code})")
    assert not failures, "\n".join(failures)


def _ghost_url(route, samples, secrets, world):
    """The same URL naming objects that do not exist at all."""
    def value(match):
        name = match.group("name")
        if name in secrets:
            return str(secrets[name](world))
        if name == "org":
            return world.charlie_org.slug
        return "987654321" if match.group("conv") == "int" else "no-such-object"

    return "/" + KWARG.sub(value, route).replace("^", "").replace("$", "")


def send(client, method, url, body):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def body_references(samples, world):
    """Body property -> alice's object id, from each app's ``BODY_FIELDS`` (property -> the
    URL kwarg sample naming the same kind of object)."""
    fields = {}
    for module in sample_modules():
        fields.update(getattr(module, "BODY_FIELDS", {}))
    return {field: (lambda sample=samples[kwarg]: sample(world)) for field, kwarg in fields.items()}


def _refers(body, references):
    return isinstance(body, dict) and any(key in references for key in body)


def _attempts(route, names, samples, secrets, world, references):
    """Alice's slug with alice's objects; and charlie's own slug with alice's objects, the
    attack a view that forgets to scope its lookup would let through. API requests carry a
    valid body (alice's objects in the properties that name objects)."""
    variants = [{}]
    takes_alices_ids = route.startswith("api/") and any(
        _refers(body_for(route, method, references), references) for method in METHODS)
    if "org" in names and (len([n for n in names if n in samples]) > 1 or takes_alices_ids):
        variants.append({"org": world.charlie_org.slug})
    for override in variants:
        def value(match, override=override):
            name = match.group("name")
            if name in override:
                return str(override[name])
            return str((samples.get(name) or secrets[name])(world))

        url = "/" + KWARG.sub(value, route).replace("^", "").replace("$", "")
        names_objects = any(n in samples and n not in override for n in names)
        for method in METHODS:
            body = body_for(route, method, references) if route.startswith("api/") else None
            yield url, method, body, names_objects
