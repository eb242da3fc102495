"""SE3: no tenant ever sees another tenant's data.

Generated: every URL pattern and API route of the project is requested by charlie (an outsider
with an organization of his own) with alice's objects in the URL, with every method. A URL that
names an object of alice's must answer 404 (or 403/405); no answer may contain alice's data.
A new view is covered by adding it to the URL conf; a new URL kwarg needs a sample in
tests/samples/<app>.py, or this test fails and says so.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

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
        names_objects = any(n in samples for n in names)
        client = api if route.startswith("api/") else charlie
        for url, method in _attempts(route, names, samples, secrets, world):
            charlie.force_login(world.charlie)  # the logout route signs him out
            response = getattr(client, method)(url)
            body = response.content.decode(errors="replace")
            leaked = [m for m in markers if m and m in body]
            if leaked:
                failures.append(f"{method.upper()} {url}: shows {leaked}")
            if names_objects and response.status_code not in (403, 404, 405):
                ghost = getattr(client, method)(_ghost_url(route, samples, secrets, world))
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


def _attempts(route, names, samples, secrets, world):
    """Alice's slug with alice's objects; and charlie's own slug with alice's objects, the
    attack a view that forgets to scope its lookup would let through."""
    variants = [{}]
    if "org" in names and len([n for n in names if n in samples]) > 1:
        variants.append({"org": world.charlie_org.slug})
    for override in variants:
        def value(match, override=override):
            name = match.group("name")
            if name in override:
                return str(override[name])
            return str((samples.get(name) or secrets[name])(world))

        url = "/" + KWARG.sub(value, route).replace("^", "").replace("$", "")
        for method in METHODS:
            yield url, method
