"""FW1: tasks with their flow, assignees, customer and destination, list/day/detail; bad
input answers 400 naming the field with nothing written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from tests.fieldwork.conftest import send

from officium.accounts import localtime
from officium.fieldwork import services
from officium.fieldwork.models import Customer, Status, Task, TaskEntry
from officium.privacy.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_FW1_task_is_created_with_assignee_customer_and_window(task, bob_m):
    assert task.status == Status.ASSIGNED and task.assigned_at is not None
    assert list(task.assignments.values_list("member_id", flat=True)) == [bob_m.pk]
    customer = Customer.objects.get(pk=task.customer_id)
    assert customer.email == "carol@customer.example" and customer.opt_out_token
    assert AuditEntry.objects.filter(event="fieldwork.task_created").count() == 1


def test_FW1_status_flow_is_forward_only_and_each_step_timed(task, bob_m):
    services.add_entry(bob_m, task, status="en_route")
    services.add_entry(bob_m, task, status="on_site")
    with pytest.raises(ValidationError) as error:
        services.add_entry(bob_m, task, status="en_route")  # backwards
    assert "status" in error.value.message_dict
    services.add_entry(bob_m, task, status="done")
    task.refresh_from_db()
    assert task.status == Status.DONE
    assert task.assigned_at <= task.en_route_at <= task.on_site_at <= task.finished_at
    with pytest.raises(ValidationError):
        services.add_entry(bob_m, task, status="not_completed")
    assert TaskEntry.objects.filter(task=task).count() == 3


def test_FW1_task_moved_backwards_over_the_api_is_400_naming_status_nothing_written(task, bob_client):
    task_id = task.pk
    url = f"/api/fieldwork/orgs/alpha/tasks/{task_id}/entries"
    assert send(bob_client, "post", url, {"status": "on_site"}).status_code == 201
    response = send(bob_client, "post", url, {"status": "en_route", "note": "going back"})
    assert response.status_code == 400 and response.json()["field"] == "status"
    assert TaskEntry.objects.filter(task_id=task_id).count() == 1
    assert Task.objects.get(pk=task_id).status == Status.ON_SITE


def test_FW1_only_dispatchers_create_tasks(bob_m):
    with pytest.raises(PermissionDenied):
        services.create_task(bob_m, services.TaskData(title="Mine"))


@pytest.mark.parametrize(("data", "field"), [
    ({"title": ""}, "title"),
    ({"title": "X", "priority": "asap"}, "priority"),
    ({"title": "X", "customer_email": "carol@", "customer_name": "Carol"}, "customer_email"),
    ({"title": "X", "destination_latitude": 95.0, "destination_longitude": 1.0}, "latitude"),
    ({"title": "X", "destination_latitude": 50.0}, "destination_latitude"),
    ({"title": "X", "assignee_ids": [999999]}, "assignee_ids"),
    ({"title": "X", "window_start": "2026-01-02T10:00:00+00:00", "window_end": "2026-01-02T09:00:00+00:00"},
     "window_end"),
])
def test_FW1_bad_task_input_is_400_naming_the_field_nothing_written(alice_m, alice_client, data, field):
    response = send(alice_client, "post", "/api/fieldwork/orgs/alpha/tasks", data)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert not Task.objects.exists() and not Customer.objects.exists()


def test_FW1_list_day_and_detail_pages_and_api(task, alice_client, bob_client, charlie_client):
    # The calendar's day is the organization's local day (after 22:00 UTC, Berlin's is tomorrow).
    day = task.window_start.astimezone(localtime.zone_for(task.organization)).date().isoformat()
    listed = alice_client.get("/api/fieldwork/orgs/alpha/tasks", {"day": day}).json()
    assert [t["id"] for t in listed] == [task.pk]
    other_day = (task.window_start + timedelta(days=3)).date().isoformat()
    assert alice_client.get("/api/fieldwork/orgs/alpha/tasks", {"day": other_day}).json() == []
    detail = bob_client.get(f"/api/fieldwork/orgs/alpha/tasks/{task.pk}").json()
    assert detail["customer_name"] == "Carol Customer" and detail["status"] == "assigned"
    page = bob_client.get(f"/o/alpha/tasks/{task.pk}/")
    assert page.status_code == 200 and b"Fix the pump" in page.content and b"CE" in page.content  # zone named
    assert b"Fix the pump" in bob_client.get("/o/alpha/tasks/", {"day": day}).content
    assert charlie_client.get(f"/o/alpha/tasks/{task.pk}/").status_code == 404


def test_FW1_a_task_not_assigned_to_a_member_is_404_for_them(task, alice_m, berlin, client):
    from tests import factories
    other = factories.member(berlin)
    client.force_login(other.user)
    assert client.get(f"/o/alpha/tasks/{task.pk}/").status_code == 404
    assert client.get(f"/api/fieldwork/orgs/alpha/tasks/{task.pk}").status_code == 404


def test_FW1_reassignment_replaces_the_assignees(task, alice_m, berlin):
    from tests import factories
    other = factories.member(berlin)
    services.assign(alice_m, task, [other.pk])
    assert list(task.assignments.values_list("member_id", flat=True)) == [other.pk]


def test_FW1_new_task_page_creates_a_task_in_local_time(alice_m, alice_client, bob_m):
    response = alice_client.post("/o/alpha/tasks/new/", {
        "title": "Install valve", "priority": "high", "window_start": "2026-03-02T09:00",
        "assignees": [str(bob_m.pk)], "customer_name": "Dan", "customer_email": "dan@example.com"})
    assert response.status_code == 302, response.content
    task = Task.objects.get(title="Install valve")
    assert task.window_start == datetime(2026, 3, 2, 8, tzinfo=UTC)  # 09:00 CET


def test_FW1_a_refused_new_task_says_at_the_top_what_to_fix_and_keeps_the_input(alice_m, alice_client):
    """On a phone the page comes back at its top after a refused save: a summary there names and
    links each field to fix, the typed values stay, and the help text names no capability IDs."""
    response = alice_client.post("/o/alpha/tasks/new/", {
        "title": "Fix the gate", "priority": "normal", "window_start": "2026-03-02T10:00",
        "window_end": "2026-03-02T09:00", "customer_name": "Ann"})
    assert response.status_code == 400
    page = response.content.decode()
    summary = page[page.index('id="form-error-summary"'):]
    summary = summary[:summary.index("</div>")]
    assert "Not saved yet" in summary and '<a href="#id_window_end">Window ends</a>' in summary
    assert "Title" not in summary  # only the fields that need fixing
    assert 'value="Fix the gate"' in page and 'value="Ann"' in page
    assert "(FW7)" not in alice_client.get("/o/alpha/tasks/new/").content.decode()
    assert 'id="form-error-summary"' not in alice_client.get("/o/alpha/tasks/new/").content.decode()


def test_FW1_the_task_page_gives_the_assignment_day_not_only_its_time(task, bob_client, berlin):
    """A task assigned two days before its window: "assigned 09:00 CET" alone read as today."""
    two_days_ago = datetime.now(UTC) - timedelta(days=2)
    Task.objects.filter(pk=task.pk).update(assigned_at=two_days_ago)
    page = bob_client.get(f"/o/alpha/tasks/{task.pk}/").content.decode()
    zone = localtime.zone_for(berlin)
    assert f"assigned {localtime.format_datetime(two_days_ago, zone)}" in page
