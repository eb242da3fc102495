"""UX3: the dashboard shows the tasks due next: a member their own (a late one marked), a
dispatcher the organization's, local times with the zone named; nothing open, no panel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from officium.accounts import localtime
from officium.fieldwork import services


@pytest.mark.django_db
def test_UX3_the_dashboard_shows_the_tasks_due_next_with_local_times(task, alice_m, bob_m, alice_client,
                                                                      bob_client):
    now = datetime.now(UTC)
    services.create_task(alice_m, services.TaskData(
        title="Overdue boiler", assignee_ids=(bob_m.pk,), window_start=now - timedelta(hours=3),
        window_end=now - timedelta(hours=1)))
    services.create_task(alice_m, services.TaskData(title="Nobody's yet", window_start=now + timedelta(days=1)))
    mine = bob_client.get("/o/alpha/").content.decode()
    assert 'data-panel="fieldwork.tasks_due"' in mine
    assert "<strong>2</strong> open for you" in mine and "1 late" in mine
    assert "Fix the pump" in mine and "Overdue boiler" in mine and "Nobody&#x27;s yet" not in mine
    berlin = localtime.zone_for(bob_m.organization)
    assert str(berlin) == "Europe/Berlin"
    assert localtime.format_datetime(task.window_start, berlin) in mine  # "2026-12-05 21:40 CET"
    everyone = alice_client.get("/o/alpha/").content.decode()
    assert "<strong>3</strong> open in the organization" in everyone and "Nobody&#x27;s yet" in everyone


@pytest.mark.django_db
def test_UX3_no_open_task_no_tasks_panel(bob_m, bob_client):
    assert 'data-panel="fieldwork.tasks_due"' not in bob_client.get("/o/alpha/").content.decode()
