"""Attendance fixtures: alice owns Alpha and is bob's reporting manager; adam administers it;
a circular site in Berlin ("HQ", radius 150 m) and a polygon site ("Yard")."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from officium.accounts.models import Membership, User
from officium.accounts.roles import Role
from officium.attendance import services
from officium.attendance.models import Site

# Points around HQ (52.52, 13.405), radius 150 m.
POINTS = SimpleNamespace(
    inside=(52.5201, 13.4051, 10.0),      # ~13 m from the centre
    outside=(52.5300, 13.4050, 10.0),     # ~1.1 km north
    straddling=(52.52126, 13.4050, 30.0),  # ~140 m out, accuracy 30 m: crosses the edge
    far_away=(48.8566, 2.3522, 10.0),     # Paris
)


@pytest.fixture
def points():
    return POINTS


@pytest.fixture
def hq(alice_org):
    return Site.objects.create(organization=alice_org, name="HQ", shape="circle",
                               center_latitude=52.52, center_longitude=13.405, radius_m=150)


@pytest.fixture
def yard(alice_org):
    corners = [[52.50, 13.30], [52.50, 13.31], [52.51, 13.31], [52.51, 13.30]]
    return Site.objects.create(organization=alice_org, name="Yard", shape="polygon", polygon=corners)


@pytest.fixture
def alice_m(alice):
    return alice.memberships.get()


@pytest.fixture
def bob_m(bob):
    return bob.memberships.select_related("reports_to", "user").get()


def make_member(org, email, first, role, **extra):
    user = User.objects.create_user(email, "correct-horse-battery-staple", first_name=first,
                                    last_name="Example", is_active=True, email_confirmed_at=timezone.now())
    return Membership.objects.create(organization=org, user=user, role=role, **extra)


@pytest.fixture
def mia(alice_org, bob_m):
    """A manager (not an administrator) whom bob reports to instead of alice."""
    mia = make_member(alice_org, "mia@alpha.example", "Mia", Role.MANAGER)
    bob_m.reports_to = mia
    bob_m.save(update_fields=["reports_to"])
    return mia


@pytest.fixture
def adam(alice_org, alice):
    user = User.objects.create_user("adam@alpha.example", "correct-horse-battery-staple",
                                    first_name="Adam", last_name="Admin", is_active=True,
                                    email_confirmed_at=timezone.now())
    Membership.objects.create(organization=alice_org, user=user, role=Role.ADMIN)
    return user


def call(client, method, path, payload=None, **extra):
    """Call /api/attendance<path> with a JSON body."""
    kwargs = {"content_type": "application/json"}
    if payload is not None:
        kwargs["data"] = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return getattr(client, method)(f"/api/attendance{path}", **kwargs, **extra)


@pytest.fixture
def api():
    return call


@pytest.fixture
def bob_device(alice_m, bob_m):
    """Bob's phone, connected with a code alice created: (device, token client)."""
    _, code = services.create_connection_code(alice_m, bob_m)
    device, token = services.connect_device(code, "Bob's phone", "Android 14")
    return SimpleNamespace(device=device, token=token,
                           client=Client(headers={"authorization": f"Bearer {token}"}))


def grant_locations(membership, allowed=True):
    membership.can_see_report_locations = allowed
    membership.save(update_fields=["can_see_report_locations"])


@pytest.fixture
def grant():
    return grant_locations


def next_direction(member_id):
    """"out" when the member is checked in (WT3 refuses a second check-in), else "in"."""
    from django.db.models import Q

    from officium.attendance.models import AttendanceRecord
    last = (AttendanceRecord.objects.filter(Q(accepted=True) | Q(review="pending"), member_id=member_id)
            .order_by("-occurred_at", "-pk").values_list("direction", flat=True).first())
    return "out" if last == "in" else "in"


def clock_member(member, fix, **extra):
    """Check ``member`` in or out, whichever their state allows."""
    return services.check_in(member, next_direction(member.pk), fix, **extra)


@pytest.fixture
def clock():
    return clock_member


@pytest.fixture
def toggle():
    return next_direction
