"""Field work fixtures: Alpha in Berlin, bob (member, reports to alice) assigned to a task
with a customer and a destination 3 km from HQ, a two-version-ready form, JSON helpers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from officium.attendance import services as attendance
from officium.attendance.coordinates import Fix
from officium.attendance.models import Site
from officium.fieldwork import services
from officium.fieldwork.models import Form

HQ = Fix(52.5200, 13.4050, 10.0)
DEFINITION = {"fields": [
    {"id": "done", "type": "checkbox", "label": "Work done", "required": True},
    {"id": "hours", "type": "number", "label": "Hours", "required": True, "min": 0, "max": 24},
    {"id": "kind", "type": "choice", "label": "Kind", "choices": ["repair", "install"]},
    {"id": "parts", "type": "multiple_choice", "label": "Parts", "choices": ["pump", "valve", "hose"]},
    {"id": "visit", "type": "date", "label": "Visit day"},
    {"id": "start", "type": "time", "label": "Start"},
    {"id": "remark", "type": "text", "label": "Remark", "max_length": 20},
    {"id": "where", "type": "location", "label": "Where exactly"},
]}


def send(client, method, url, body=None):
    return getattr(client, method)(url, data=json.dumps(body) if body is not None else None,
                                   content_type="application/json")


@pytest.fixture
def berlin(alice_org):
    alice_org.time_zone = "Europe/Berlin"
    alice_org.save(update_fields=["time_zone"])
    return alice_org


@pytest.fixture
def alice_m(alice, berlin):
    return alice.memberships.get()


@pytest.fixture
def bob_m(bob, berlin):
    return bob.memberships.get()


@pytest.fixture
def hq(berlin):
    return Site.objects.create(organization=berlin, name="HQ", shape="circle", center_latitude=52.52,
                               center_longitude=13.405, radius_m=150)


@pytest.fixture
def form(alice_m) -> Form:
    return services.save_form(alice_m, "Service report", DEFINITION).form


@pytest.fixture
def task(alice_m, bob_m, form):
    now = datetime.now(UTC)
    return services.create_task(alice_m, services.TaskData(
        title="Fix the pump", customer_name="Carol Customer", customer_email="carol@customer.example",
        destination_latitude=52.5470, destination_longitude=13.4050, assignee_ids=(bob_m.pk,),
        form_id=form.pk, window_start=now + timedelta(hours=1), window_end=now + timedelta(hours=3)))


@pytest.fixture
def device(alice_m, bob_m):
    _, raw = attendance.create_connection_code(alice_m, bob_m)
    found, token = attendance.connect_device(raw, "Bob's phone", "Android")
    return found, token


def answers(**extra):
    return {"done": True, "hours": 2.5, **extra}
