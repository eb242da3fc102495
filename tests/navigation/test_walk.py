"""UX3: every page is reachable from the navigation, and no link leads to a refusal.

The demo is seeded; each demo person (and an anonymous visitor) starts at ``/`` and follows
every link on every page they reach (GET, same site). The walk fails on any link answering
403, 404 or a server error, and on any page (a GET route some walked role may use, per the
role tables in tests/samples/) that no walk reached, less the pages listed below with the
reason no menu links them.
"""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve
from tests.test_roles import declared_table

from officium.accounts.demo import seed_demo
from officium.accounts.models import User

WALKERS = {  # demo login -> the role it has in the role tables
    "owner@acme.example": "owner",
    "outsider@globex.example": "owner",  # Globex's owner is halfway through setup
    "privacy@acme.example": "privacy_officer",
    "manager@acme.example": "manager",
    "member1@acme.example": "member",
    "client@acme.example": "client",
    None: "anonymous",
}
PER_ROUTE = 2  # pages of one URL pattern visited per person (the 3rd member page adds nothing)

# Pages no link needs to reach, each with its reason.
NOT_LINKED = {
    "accounts/confirm/<str:uidb64>/<str:token>/": "reached from the confirmation email",
    "accounts/password/reset/<uidb64>/<token>/": "reached from the reset email",
    "accounts/password/reset/sent/": "shown after asking for a reset",
    "accounts/invitations/<str:token>/": "reached from the invitation email",
    "accounts/login/verify/": "the second sign-in step, after the password",
    "comms/unsubscribe/<str:token>/": "reached from an email's unsubscribe link",
    "comms/newsletter/confirm/<str:token>/": "reached from the confirmation email",
    "comms/complaints/<uuid:reference>/": "reached from the complaint's receipt email",
    "privacy/request/<str:rights_ref>/": "reached from the requester's email",
    "privacy/consent/receipts.json": "machine-readable receipts, linked as a download where offered",
    ".well-known/gpc.json": "read by browsers, not people",
    "s/<str:share_id>/": "a share link handed to its recipient",
    "healthz": "for the load balancer", "readyz": "for the load balancer",
    "o/<slug:org>/logo/": "an image in the header, not a link",
    "privacy/center/requests/<int:rights_request_id>/status.json": "polled by the request page",
    "o/<slug:org>/attendance/location-reads/": "an old address: sends to who read my data (location reads)",
    "app/manifest.webmanifest": "read by the browser (the phone app's manifest link)",
    "app/sw.js": "registered by the phone app's script",
    "o/<slug:org>/portal/spaces/<int:space_id>/upload/": "the upload script's endpoint on the space page",
    "o/<slug:org>/portal/spaces/<int:space_id>/files/<int:file_id>/preview/":
        "shown inside the file's page (image, frame or text), not a link",
}


def _exists(model_path: str):
    def check() -> bool:
        from django.apps import apps

        return apps.get_model(model_path).objects.exists()
    return check


# Pages of objects the demo may not hold yet: they must be reachable once it does.
NEEDS_DEMO_DATA = {
    "o/<slug:org>/portal/spaces/<int:space_id>/files/": _exists("portal.File"),
    "o/<slug:org>/portal/spaces/<int:space_id>/folders/": _exists("portal.Folder"),
    "o/<slug:org>/privacy/child-reports/<int:report_id>/": _exists("privacy.ChildReport"),
}


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def _local(href: str) -> str | None:
    href, _ = urldefrag(href)
    parts = urlsplit(href)
    if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc != "testserver"):
        return None
    if not parts.path.startswith("/") or parts.path.startswith(("/static/", "/api/")):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _route(path: str) -> str | None:
    try:
        return resolve(urlsplit(path).path).route
    except Resolver404:
        return None


def walk(client: Client) -> tuple[set[str], list[str]]:
    """(routes reached, problems) following every link from ``/``."""
    reached: set[str] = set()
    problems: list[str] = []
    seen: set[str] = set()
    per_route: dict[str, int] = {}
    queue: deque[tuple[str, str]] = deque([("/", "(start)")])
    while queue:
        path, origin = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        route = _route(path)
        if route is not None:
            per_route[route] = per_route.get(route, 0) + 1
            if per_route[route] > PER_ROUTE:
                continue
        response = client.get(path)
        first, hops = path, 0
        while response.status_code in (301, 302, 303) and hops < 5:
            target = _local(response["Location"])
            if target is None:
                break
            path, hops = target, hops + 1
            response = client.get(path)
        if response.status_code >= 500:
            problems.append(f"{path} (linked from {origin}) answers {response.status_code}")
            continue
        if response.status_code in (403, 404):
            problems.append(f"{path} (linked from {origin}) answers {response.status_code}")
            continue
        if response.status_code == 200:
            reached.update(r for r in (_route(first), _route(path)) if r is not None)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = Links()
        parser.feed(response.content.decode())
        for href in parser.hrefs:
            target = _local(href)
            if target is not None and target not in seen:
                queue.append((target, path))
    return reached, problems


@pytest.mark.django_db
def test_UX3_every_page_is_reachable_from_the_navigation_and_no_link_is_refused():
    from officium.cli import seed_story

    seed_demo()
    seed_story()
    from officium.accounts.demo import DEMO_PASSWORD
    from officium.operator.demo import seed_operator

    seed_operator(DEMO_PASSWORD)  # the forum's topic and a pending removal request
    reached: dict[str, set[str]] = {}
    problems: list[str] = []
    for email, role in WALKERS.items():
        client = Client(raise_request_exception=False)
        if email is not None:
            client.force_login(User.objects.get(email=email))
        routes, found = walk(client)
        reached[role] = reached.get(role, set()) | routes
        problems += [f"as {email or 'anonymous'}: {p}" for p in found]
    everywhere = set().union(*reached.values())
    unreachable = []
    for key, roles in declared_table().items():
        method, _, route = key.partition(" /")
        if method != "GET" or route.startswith("api/") or route in NOT_LINKED:
            continue
        walked = roles & set(WALKERS.values())
        waits = next((has for prefix, has in NEEDS_DEMO_DATA.items() if route.startswith(prefix)), None)
        if waits is not None and not waits():
            continue
        if walked and route not in everywhere:
            unreachable.append(f"/{route} (for {', '.join(sorted(walked))})")
    report = problems + [f"not reachable from the navigation: {u}" for u in sorted(unreachable)]
    assert not report, "\n".join(report)
