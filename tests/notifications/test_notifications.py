"""UX4: in-app notifications with an unread count, email per each person's setting, through
the one outbox."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from officium.mail.models import OutboxEmail
from officium.notifications import digest, services
from officium.notifications.models import EmailMode, Notification, NotificationSetting

pytestmark = pytest.mark.django_db


def _emails(user, category):
    return OutboxEmail.objects.filter(to_address=user.email, category=category)


def test_UX4_notify_lists_it_and_counts_it_unread_in_the_header(alice, alice_org, alice_client):
    services.notify(alice, alice_org, "leave.approved", "Your leave was approved",
                    url="/o/alpha/timesheets/", body="2 days from Monday.")
    page = alice_client.get("/notifications/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Your leave was approved" in html and "2 days from Monday." in html
    assert 'id="unread-count"' in html and ">1</span>" in html
    assert 'id="unread-count"' in alice_client.get("/accounts/security/").content.decode()


def test_UX4_opening_one_marks_it_read_and_follows_its_link(alice, alice_org, alice_client):
    row = services.notify(alice, alice_org, "rights.due", "A request is due", url="/o/alpha/")
    response = alice_client.post(f"/notifications/{row.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/o/alpha/"
    row.refresh_from_db()
    assert row.read_at is not None
    assert 'id="unread-count"' not in alice_client.get("/notifications/").content.decode()


def test_UX4_someone_elses_notification_is_404_and_stays_unread(alice, alice_org, bob_client):
    row = services.notify(alice, alice_org, "rights.due", "A request is due")
    assert bob_client.post(f"/notifications/{row.pk}/open/").status_code == 404
    assert bob_client.post("/api/notifications/read", data=json.dumps({"ids": [row.pk]}),
                           content_type="application/json").json()["changed"] == 0
    row.refresh_from_db()
    assert row.read_at is None


def test_UX4_mark_all_read(alice, alice_org, alice_client):
    for n in range(3):
        services.notify(alice, alice_org, "test", f"Item {n}")
    assert alice_client.post("/notifications/read/").status_code == 302
    assert services.unread_count(alice) == 0


def test_UX4_api_lists_pages_and_marks_read(alice, alice_org, alice_client):
    rows = [services.notify(alice, alice_org, "test", f"Item {n}") for n in range(5)]
    first = alice_client.get("/api/notifications/?limit=2").json()
    assert first["unread"] == 5 and [i["title"] for i in first["items"]] == ["Item 4", "Item 3"]
    assert first["items"][0]["organization"] == "alpha"
    second = alice_client.get(f"/api/notifications/?limit=2&before={first['next_before']}").json()
    assert [i["title"] for i in second["items"]] == ["Item 2", "Item 1"]
    marked = alice_client.post("/api/notifications/read", data=json.dumps({"ids": [rows[0].pk]}),
                               content_type="application/json").json()
    assert marked == {"changed": 1, "unread": 4}
    unread = alice_client.get("/api/notifications/?unread_only=true&limit=50").json()
    assert len(unread["items"]) == 4 and unread["next_before"] is None
    bad = alice_client.get("/api/notifications/?limit=0")
    assert bad.status_code == 400 and bad.json()["field"] == "limit"


def test_UX4_email_setting_bad_value_is_refused_naming_the_field_and_writes_nothing(alice, alice_client):
    response = alice_client.put("/api/notifications/settings", data=json.dumps({"email": "hourly"}),
                                content_type="application/json")
    assert response.status_code == 400 and response.json()["field"] == "email"
    assert not NotificationSetting.objects.exists()
    page = alice_client.post("/notifications/settings/", {"email": "hourly"})
    assert page.status_code == 400 and not NotificationSetting.objects.exists()
    assert alice_client.get("/api/notifications/settings").json() == {"email": "digest"}


def test_UX4_instant_emails_each_one_through_the_outbox_in_the_callers_transaction(alice, alice_org, alice_client):
    assert alice_client.post("/notifications/settings/", {"email": "instant"}).status_code == 302
    with transaction.atomic():
        services.notify(alice, alice_org, "leave.approved", "Your leave was approved", url="/o/alpha/")
        transaction.set_rollback(True)  # the change that would have told her did not happen
    assert not Notification.objects.exists() and not _emails(alice, "notification").exists()
    services.notify(alice, alice_org, "leave.approved", "Your leave was approved", url="/o/alpha/")
    mail = _emails(alice, "notification").get()
    assert "Your leave was approved" in mail.subject and "/o/alpha/" in mail.body
    assert Notification.objects.get().emailed_at is not None
    assert digest.send_digests() == 0  # already emailed: not again in a digest


def test_UX4_daily_digest_lists_unread_once_and_skips_off_and_read(alice, bob, alice_org):
    services.set_email_mode(bob, EmailMode.OFF)
    read = services.notify(alice, alice_org, "test", "Already read")
    services.mark_read(alice, [read.pk])
    services.notify(alice, alice_org, "test", "First news", url="/o/alpha/")
    services.notify(alice, alice_org, "test", "Second news")
    services.notify(bob, alice_org, "test", "Bob does not want mail")
    old = services.notify(alice, alice_org, "test", "Too old for a digest")
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert not _emails(alice, "notification").exists()  # the default is the digest, not instant
    assert digest.send_digests() == 1
    mail = _emails(alice, "notification_digest").get()
    assert "2 notifications" in mail.subject
    assert "First news" in mail.body and "Second news" in mail.body and "/o/alpha/" in mail.body
    assert "Already read" not in mail.body and "Too old" not in mail.body
    assert digest.send_digests() == 0  # a rerun (or a second worker) sends nothing twice
    assert not OutboxEmail.objects.filter(to_address=bob.email).exists()


def test_UX4_digest_job_is_on_the_worker_scheduler():
    from officium.worker.scheduler import jobs

    job = next(j for j in jobs() if j.name == "notifications.digest")
    assert job.interval == timedelta(days=1)


def test_UX4_a_link_must_stay_inside_officium(alice, alice_org):
    for url in ("https://evil.example/", "//evil.example/x"):
        with pytest.raises(ValueError):
            services.notify(alice, alice_org, "test", "Bad link", url=url)
    assert not Notification.objects.exists()


def test_UX4_erasure_and_export_know_notifications():
    from officium.privacy.registry import registrations

    reg = next(r for r in registrations() if r.model is Notification)
    assert reg.data_type == "notification"


def test_UX4_count_changes_when_the_manager_approves_leave(alice, bob, alice_org, alice_client, bob_client):
    import datetime as dt

    from officium.workforce import leave
    from officium.workforce.models import LeaveType

    annual = LeaveType.objects.create(organization=alice_org, name="Annual", yearly_days=25)
    monday = dt.date.today() + dt.timedelta(days=14)  # noqa: DTZ011
    monday += dt.timedelta(days=(7 - monday.weekday()) % 7)
    made = leave.request_leave(bob.memberships.get(), {
        "leave_type_id": annual.pk, "starts_on": monday.isoformat(), "ends_on": monday.isoformat()})
    told = services.inbox(alice).get()
    assert told.kind == "leave.requested" and told.url == "/o/alpha/timesheets/"
    assert 'id="unread-count"' not in bob_client.get("/o/alpha/").content.decode()
    leave.decide(alice.memberships.get(), made, "approve")
    page = bob_client.get("/o/alpha/").content.decode()
    assert 'id="unread-count"' in page and "Your annual from" in page
    assert services.inbox(bob).get().kind == "leave.approved"
