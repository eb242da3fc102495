"""WT5/WT6 on pages: a member requests leave (balance shown) and asks corrections from a
timesheet day; both follow and withdraw their requests; the manager decides on the requests
page; errors show on the form with nothing written; emails go through the outbox."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from officium.attendance import services as attendance
from officium.mail.models import OutboxEmail
from officium.notifications.models import Notification
from officium.privacy.audit.models import AuditEntry
from officium.workforce import corrections, leave
from officium.workforce.models import Correction, LeaveRequest, LeaveType, TimesheetDay

pytestmark = pytest.mark.django_db


@pytest.fixture
def annual(berlin):
    return LeaveType.objects.create(organization=berlin, name="Annual leave", yearly_days=5,
                                    created_at=datetime(2026, 1, 1, tzinfo=UTC))


def html(response):
    return response.content.decode()


def test_WT6_member_requests_leave_on_a_page_with_the_balance_shown(alice_m, bob_m, annual, at, bob_client):
    at("2026-01-05T08:00")
    page = bob_client.get("/o/alpha/leave/")
    assert page.status_code == 200
    text = html(page)
    assert "Annual leave" in text and 'id="leave-form"' in text and "Your request goes to" in text
    sent = bob_client.post("/o/alpha/leave/", {"leave_type_id": annual.pk, "starts_on": "2026-01-14",
                                               "ends_on": "2026-01-16", "reason": "Family"})
    assert sent.status_code == 302
    made = LeaveRequest.objects.get()
    assert (made.days, made.state, made.member_id) == (3, "pending", bob_m.pk)
    assert "leave request" in OutboxEmail.objects.filter(to_address=alice_m.user.email).latest("pk").subject
    followed = html(bob_client.get("/o/alpha/leave/"))
    assert f'data-leave="{made.pk}" data-state="pending"' in followed and "Waiting for the manager" in followed
    assert '<strong class="remaining">2</strong> of 5 days left (0 taken, 3 waiting)' in followed


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"starts_on": "2026-01-16", "ends_on": "2026-01-14"}, "ends_on", "on or after its first day"),
    ({"starts_on": "2026-02-02", "ends_on": "2026-02-13"}, "ends_on", "10 working days asked, 5 left"),
    ({"starts_on": "2026-01-17", "ends_on": "2026-01-18"}, "starts_on", "no working day"),
    ({"starts_on": "someday", "ends_on": "2026-01-18"}, "starts_on", "Enter a valid date"),
])
def test_WT6_bad_leave_on_the_page_shows_on_the_field_nothing_written(bob_m, annual, at, bob_client, form, field,
                                                                     message):
    at("2026-01-05T08:00")
    answer = bob_client.post("/o/alpha/leave/", {"leave_type_id": annual.pk, **form})
    assert answer.status_code == 400
    errors = answer.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert not LeaveRequest.objects.exists() and not OutboxEmail.objects.exists()


def test_WT6_member_withdraws_leave_and_the_manager_is_told(alice_m, bob_m, annual, at, bob_client, alice_client):
    at("2026-01-05T08:00")
    made = leave.request_leave(bob_m, {"leave_type_id": annual.pk, "starts_on": "2026-01-14",
                                       "ends_on": "2026-01-14"})
    assert alice_client.post(f"/o/alpha/leave/{made.pk}/cancel/").status_code == 404  # not alice's
    assert bob_client.post(f"/o/alpha/leave/{made.pk}/cancel/").status_code == 302
    made.refresh_from_db()
    assert made.state == "cancelled"
    assert AuditEntry.objects.filter(event="workforce.leave_cancelled", subject_id=bob_m.user_id).exists()
    assert "withdrawn" in OutboxEmail.objects.filter(to_address=alice_m.user.email).latest("pk").subject
    again = bob_client.post(f"/o/alpha/leave/{made.pk}/cancel/", follow=True)
    assert "already decided or withdrawn" in html(again)
    [balance] = leave.balances(bob_m, 2026)
    assert balance["remaining"] == 5 and balance["pending"] == 0


def test_WT6_approved_leave_withdrawn_before_it_starts_leaves_the_timesheet(alice_m, bob_m, annual, at,
                                                                           bob_client):
    at("2026-01-05T08:00")
    made = leave.request_leave(bob_m, {"leave_type_id": annual.pk, "starts_on": "2026-01-14",
                                       "ends_on": "2026-01-14"})
    leave.decide(alice_m, made, "approve")
    assert TimesheetDay.objects.get(member=bob_m, day=date(2026, 1, 14)).leave_minutes == 480
    assert bob_client.post(f"/o/alpha/leave/{made.pk}/cancel/").status_code == 302
    assert not TimesheetDay.objects.filter(member=bob_m, day=date(2026, 1, 14)).exists()
    started = leave.request_leave(bob_m, {"leave_type_id": annual.pk, "starts_on": "2026-01-05",
                                          "ends_on": "2026-01-05"})
    leave.decide(alice_m, started, "approve")
    answer = bob_client.post(f"/o/alpha/leave/{started.pk}/cancel/", follow=True)
    assert "This leave has started" in html(answer)
    started.refresh_from_db()
    assert started.state == "approved"


def test_WT6_manager_approves_leave_on_the_requests_page(alice_m, bob_m, annual, at, alice_client, bob_client):
    at("2026-01-05T08:00")
    made = leave.request_leave(bob_m, {"leave_type_id": annual.pk, "starts_on": "2026-01-14",
                                       "ends_on": "2026-01-15"})
    page = html(alice_client.get("/o/alpha/requests/"))
    assert f'data-leave="{made.pk}"' in page and "Annual leave" in page
    assert bob_client.get("/o/alpha/requests/").status_code == 403  # members decide nothing
    assert bob_client.post(f"/o/alpha/leave/{made.pk}/decision/", {"decision": "approve"}).status_code == 403
    done = alice_client.post(f"/o/alpha/leave/{made.pk}/decision/",
                             {"decision": "approve", "next": "/o/alpha/requests/"})
    assert done.status_code == 302 and done["Location"] == "/o/alpha/requests/"
    made.refresh_from_db()
    assert made.state == "approved"
    assert "approved" in OutboxEmail.objects.filter(to_address=bob_m.user.email).latest("pk").subject
    told = Notification.objects.get(recipient=bob_m.user, kind="leave.approved")
    assert told.url.startswith("/o/alpha/timesheets/") and "from 2026-01-14 was approved" in told.title
    asked = Notification.objects.get(recipient=alice_m.user, kind="leave.requested")
    assert asked.url == "/o/alpha/requests/" and "2 days of Annual leave" in asked.title
    assert TimesheetDay.objects.get(member=bob_m, day=date(2026, 1, 14)).leave_type == annual
    assert "No leave request is waiting for you" in html(alice_client.get("/o/alpha/requests/"))
    away = alice_client.post(f"/o/alpha/leave/{made.pk}/decision/",
                             {"decision": "approve", "next": "https://evil.example/"})
    assert away["Location"] == "/o/alpha/requests/"  # already decided; never sent off-site


@pytest.fixture
def forgot(alice_m, bob_m, berlin, at):
    """Bob checked in on Wednesday 14 January 2026 at 08:00 Berlin time and never checked out."""
    attendance.change_settings(alice_m, "accept", None)
    at("2026-01-14T07:00")
    record = attendance.check_in(bob_m, "in", None)
    at("2026-01-15T09:00")
    return record


def test_WT5_member_asks_a_correction_from_a_timesheet_day(alice_m, bob_m, forgot, bob_client, alice_client):
    sheet = html(bob_client.get("/o/alpha/timesheets/?view=week&day=2026-01-14"))
    assert "/o/alpha/corrections/?day=2026-01-14" in sheet  # the day's "Fix" link
    page = bob_client.get("/o/alpha/corrections/?day=2026-01-14")
    text = html(page)
    assert f'<option value="{forgot.pk}"' in text and "2026-01-14 08:00 CET check-in" in text
    assert "Local time, Europe/Berlin" in text
    sent = bob_client.post("/o/alpha/corrections/", {
        "kind": "missing_check_out", "record_id": forgot.pk, "occurred_at": "2026-01-14T17:00",
        "reason": "Forgot to check out"})
    assert sent.status_code == 302, sent.context["form"].errors if sent.context else sent
    made = Correction.objects.get()
    assert made.occurred_at == datetime(2026, 1, 14, 16, tzinfo=UTC) and made.state == "pending"
    assert "correction is waiting" in OutboxEmail.objects.filter(to_address=alice_m.user.email).latest("pk").subject
    followed = html(bob_client.get("/o/alpha/corrections/"))
    assert f'data-correction="{made.pk}" data-state="pending"' in followed and "2026-01-14 17:00 CET" in followed
    waiting = html(alice_client.get("/o/alpha/requests/"))
    assert f'data-correction="{made.pk}"' in waiting and "(recorded 2026-01-14 08:00 CET)" in waiting
    done = alice_client.post(f"/o/alpha/timesheets/corrections/{made.pk}/decision/",
                             {"decision": "approve", "next": "/o/alpha/requests/"})
    assert done["Location"] == "/o/alpha/requests/"
    assert TimesheetDay.objects.get(member=bob_m, day=date(2026, 1, 14)).worked_minutes == 9 * 60
    assert Notification.objects.filter(recipient=alice_m.user, kind="correction.requested").count() == 1
    assert Notification.objects.filter(recipient=bob_m.user, kind="correction.approved").count() == 1


@pytest.mark.parametrize(("form", "field"), [
    ({"occurred_at": "2026-01-14T07:00"}, "occurred_at"),   # before the check-in
    ({"occurred_at": "2027-01-14T17:00"}, "occurred_at"),   # in the future
    ({"occurred_at": "half past five"}, "occurred_at"),
    ({"reason": ""}, "reason"),
    ({"record_id": ""}, "record_id"),
    ({"kind": "everything"}, "kind"),
])
def test_WT5_bad_corrections_on_the_page_show_on_the_field_nothing_written(forgot, bob_client, form, field):
    data = {"kind": "missing_check_out", "record_id": forgot.pk, "occurred_at": "2026-01-14T17:00",
            "reason": "Forgot", **form}
    answer = bob_client.post("/o/alpha/corrections/", data)
    assert answer.status_code == 400 and field in answer.context["form"].errors, answer.context["form"].errors
    assert not Correction.objects.exists() and not OutboxEmail.objects.exists()


def test_WT5_member_withdraws_a_waiting_correction(bob_m, forgot, bob_client, alice_client):
    made = corrections.request_correction(bob_m, {"kind": "missing_check_out", "record_id": forgot.pk,
                                                  "occurred_at": "2026-01-14T17:00+01:00", "reason": "Forgot"})
    assert alice_client.post(f"/o/alpha/corrections/{made.pk}/cancel/").status_code == 404
    assert bob_client.post(f"/o/alpha/corrections/{made.pk}/cancel/").status_code == 302
    made.refresh_from_db()
    assert made.state == "cancelled"
    assert AuditEntry.objects.filter(event="workforce.correction_cancelled").count() == 1
    assert "No correction is waiting for you" in html(alice_client.get("/o/alpha/requests/"))


def test_WT3_client_contacts_get_no_leave_or_correction_pages(clara_m, client):
    client.force_login(clara_m.user)
    for path in ("/o/alpha/leave/", "/o/alpha/corrections/", "/o/alpha/requests/", "/o/alpha/timesheets/"):
        assert client.get(path).status_code in (403, 404), path
    dashboard = html(client.get("/o/alpha/"))
    assert "/o/alpha/leave/" not in dashboard and "/o/alpha/timesheets/" not in dashboard


def test_WT4_pages_are_linked_from_the_dashboard_and_the_timesheet(bob_client, alice_client, berlin):
    member = html(bob_client.get("/o/alpha/"))
    assert all(link in member for link in ("/o/alpha/timesheets/", "/o/alpha/leave/", "/o/alpha/corrections/"))
    assert "/o/alpha/requests/" not in member
    assert "/o/alpha/requests/" in html(alice_client.get("/o/alpha/"))
    sheet = html(bob_client.get("/o/alpha/timesheets/"))
    assert "/o/alpha/leave/" in sheet and "/o/alpha/corrections/" in sheet
