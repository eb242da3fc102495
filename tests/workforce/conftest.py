"""Working-time fixtures: Alpha in Berlin with its HQ site (radius 150 m), bob a member who
reports to alice, a clock to set "now", and JSON helpers for both APIs."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from tests.conftest import make_user

from officium.accounts.models import Membership
from officium.accounts.roles import Role
from officium.attendance.coordinates import Fix
from officium.attendance.models import Site

INSIDE = Fix(52.5201, 13.4051, 10.0)


@pytest.fixture
def berlin(alice_org):
    alice_org.time_zone = "Europe/Berlin"
    alice_org.save(update_fields=["time_zone"])
    return alice_org


@pytest.fixture
def hq(berlin):
    return Site.objects.create(organization=berlin, name="HQ", shape="circle", center_latitude=52.52,
                               center_longitude=13.405, radius_m=150)


@pytest.fixture
def alice_m(alice):
    return alice.memberships.select_related("organization").get()


@pytest.fixture
def bob_m(bob):
    return bob.memberships.select_related("organization", "user").get()


@pytest.fixture
def clara_m(alice_org):
    """A client contact of Alpha."""
    user = make_user("clara@client.example", "Clara", "Client")
    return Membership.objects.create(organization=alice_org, user=user, role=Role.CLIENT)


@pytest.fixture
def at(monkeypatch):
    """``at("2026-01-14T07:30")`` (UTC) makes that moment "now" for the services."""
    def set_now(text: str) -> datetime:
        moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
        return moment

    return set_now


def call(client, method, path, payload=None):
    kwargs = {"content_type": "application/json"}
    if payload is not None:
        kwargs["data"] = json.dumps(payload)
    return getattr(client, method)(f"/api{path}", **kwargs)


@pytest.fixture
def api():
    return call


@pytest.fixture
def inside():
    return INSIDE
