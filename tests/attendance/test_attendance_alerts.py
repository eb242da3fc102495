"""LO4: geofence enter/exit alerts and ETA notifications, in the app and by email, to the people
entitled to them (the manager with location rights, the administrators) and nobody else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from officium.attendance import reading, services
from officium.attendance.coordinates import Fix
from officium.attendance.models import LocationEvent, Notification

pytestmark = pytest.mark.django_db


def recipients(kind):
    return {n.recipient.user.email for n in Notification.objects.filter(kind=kind)}


def test_LO4_enter_and_exit_alerts_reach_the_entitled(alice_m, adam, bob_m, hq, points, grant, django_capture_on_commit_callbacks):
    grant(alice_m)
    with django_capture_on_commit_callbacks(execute=True):
        services.check_in(bob_m, "in", Fix(*points.inside))
    assert recipients("enter") == {"alice@alpha.example", "adam@alpha.example"}
    assert {m.to[0] for m in mail.outbox} == {"alice@alpha.example", "adam@alpha.example"}
    assert "Bob Berg arrived at HQ" in mail.outbox[0].subject
    assert "52.52" not in mail.outbox[0].body  # names, never coordinates
    LocationEvent.objects.update(occurred_at=timezone.now() - timedelta(hours=1))
    services.check_in(bob_m, "out", Fix(*points.outside))
    assert recipients("exit") == {"alice@alpha.example", "adam@alpha.example"}


def test_LO4_manager_without_the_right_gets_no_alerts(mia, adam, bob_m, hq, points, grant):
    services.check_in(bob_m, "in", Fix(*points.inside))
    assert recipients("enter") == {"adam@alpha.example", "alice@alpha.example"}  # the administrators
    assert reading.notifications(mia) == []
    grant(mia)
    services.check_in(bob_m, "out", Fix(*points.far_away))
    assert "mia@alpha.example" in recipients("exit")


def test_LO4_no_alert_while_paused_or_for_an_undecided_fix(adam, bob_m, hq, points):
    services.check_in(bob_m, "in", Fix(*points.straddling))
    services.set_privacy_mode(bob_m, True)
    services.check_in(bob_m, "in", Fix(*points.inside))
    assert not Notification.objects.exists()


def test_LO4_eta_from_the_last_fixes(adam, alice_m, bob_m, bob_device, hq, api, grant, alice_client):
    grant(alice_m)
    start = timezone.now() - timedelta(minutes=5)
    # 3 km south, then 2.4 km south five minutes later: closing at 2 m/s, 2.25 km to the fence.
    batch = [{"id": "a", "kind": "sync", "at": start.isoformat(), "lat": 52.493, "lon": 13.405, "accuracy": 5},
             {"id": "b", "kind": "sync", "at": (start + timedelta(minutes=5)).isoformat(),
              "lat": 52.4984, "lon": 13.405, "accuracy": 5}]
    assert api(bob_device.client, "post", "/device/events", {"events": batch}).json()["stored"] == 2
    eta = Notification.objects.get(kind="eta", recipient__user__email="alice@alpha.example")
    assert 15 <= eta.eta_minutes <= 25
    answer = api(alice_client, "get", f"/orgs/alpha/members/{bob_m.pk}/eta?site_id={hq.pk}").json()
    assert 15 <= answer["eta_minutes"] <= 25
    page = alice_client.get("/o/alpha/attendance/notifications/")
    assert b"is about" in page.content and b"HQ" in page.content


def test_LO4_eta_refused_without_the_right(alice_client, bob_m, bob_device, hq, api):
    response = api(alice_client, "get", f"/orgs/alpha/members/{bob_m.pk}/eta?site_id={hq.pk}")
    assert response.status_code == 403


def test_LO4_notifications_are_private_to_their_recipient(adam, bob_m, bob_client, hq, points, api):
    services.check_in(bob_m, "in", Fix(*points.inside))
    assert api(bob_client, "get", "/orgs/alpha/notifications").json() == []


@pytest.mark.django_db
def test_UX4_an_alert_is_also_an_in_app_notification(alice, bob, alice_org):
    from officium.attendance import alerts
    from officium.attendance.models import AlertKind, Site
    from officium.notifications.services import inbox

    site = Site.objects.create(organization=alice_org, name="HQ", shape="circle", center_latitude=52.52,
                               center_longitude=13.405, radius_m=150)
    bob_m = bob.memberships.get()
    recipients = alerts.entitled_recipients(bob_m)
    assert recipients  # bob reports to alice
    alerts.notify(bob_m, [(AlertKind.ENTER, site, None)])
    for recipient in recipients:
        told = inbox(recipient.user).get()
        assert told.kind == "attendance.enter" and "entered HQ" in told.title
        assert told.url == "/o/alpha/attendance/notifications/"
