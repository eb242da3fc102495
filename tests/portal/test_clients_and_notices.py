"""Clients find their spaces and ask for new ones (staff are told); PF5: members are told when
files land in their space, once per batch, in the app and by email per their settings."""

from __future__ import annotations

import pytest
from django.utils import timezone

from officium.mail.models import OutboxEmail
from officium.notifications.models import Notification
from officium.notifications.services import set_email_mode
from officium.portal import notices
from officium.portal.models import Arrival, SpaceMember, SpaceRequest

ORG = "alpha"


@pytest.mark.django_db
def test_client_sees_spaces_and_asks_staff_for_a_new_one(space, alice, alice_client, carol,
                                                         carol_client):
    page = carol_client.get(f"/o/{ORG}/portal/").content.decode()
    assert "Carol&#x27;s tax return" in page and 'id="request-space"' in page
    assert carol_client.post(f"/o/{ORG}/portal/requests/",
                             {"name": "", "note": "x"}).status_code == 302
    assert not SpaceRequest.objects.exists()  # an empty name writes nothing
    answer = carol_client.post(f"/o/{ORG}/portal/requests/",
                               {"name": "2026 payroll", "note": "For the new hires"})
    assert answer.status_code == 302
    request = SpaceRequest.objects.get()
    told = Notification.objects.get(recipient=alice, kind="portal.space_requested")
    assert "2026 payroll" in told.title
    # staff open it: the client is a member and is told
    staff_page = alice_client.get(f"/o/{ORG}/portal/").content.decode()
    assert "2026 payroll" in staff_page and "For the new hires" in staff_page
    opened = alice_client.post(f"/o/{ORG}/portal/requests/{request.pk}/answer/", {"decision": "open"})
    assert opened.status_code == 302
    request.refresh_from_db()
    assert request.status == "done"
    assert SpaceMember.objects.filter(space=request.space, membership__user=carol).exists()
    assert Notification.objects.filter(recipient=carol, kind="portal.space_opened").exists()
    assert "2026 payroll" in carol_client.get(f"/o/{ORG}/portal/").content.decode()
    # a client cannot answer requests
    again = SpaceRequest.objects.create(organization_id=request.organization_id,
                                        requested_by=carol, name="More")
    assert carol_client.post(f"/o/{ORG}/portal/requests/{again.pk}/answer/",
                             {"decision": "open"}).status_code == 403


@pytest.mark.django_db
def test_PF5_a_batch_of_files_makes_one_notice_per_member(space, alice, bob, carol, portal,
                                                        django_capture_on_commit_callbacks):
    set_email_mode(carol, "instant")
    owner = alice.memberships.get()
    for n in range(3):
        portal.store_file(owner, space, f"file {n}".encode(), name=f"scan-{n}.pdf")
    assert Arrival.objects.filter(recipient=carol).count() == 3
    assert not Arrival.objects.filter(recipient=alice).exists()  # the uploader is not told
    assert notices.send_digests() == 0  # still quiet-waiting for more of the batch
    with django_capture_on_commit_callbacks(execute=False):
        assert notices.send_digests(timezone.now() + notices.QUIET) == 2  # bob and carol
    told = Notification.objects.get(recipient=carol, kind=notices.KIND)
    assert told.title == "3 new files in Carol's tax return"
    assert "scan-0.pdf" in told.body
    emails = OutboxEmail.objects.filter(to_address=carol.email)
    assert emails.count() == 1  # carol chose instant emails: one for the batch, not three
    # bob kept the default (the daily digest): nothing emailed now
    assert Notification.objects.filter(recipient=bob).count() == 1
    assert not OutboxEmail.objects.filter(to_address=bob.email).exists()
    assert not Arrival.objects.exists()
    assert notices.send_digests(timezone.now() + notices.QUIET) == 0  # told once


@pytest.mark.django_db
def test_PF5_trashed_files_and_left_spaces_are_not_mentioned(space, alice, bob, carol, portal):
    owner = alice.memberships.get()
    from officium.portal import files

    gone = portal.store_file(owner, space, b"x", name="mistake.pdf")
    files.trash_file(owner, gone)
    SpaceMember.objects.filter(space=space, membership__user=bob).delete()
    assert notices.send_digests(timezone.now() + notices.QUIET) == 0
    assert not Notification.objects.filter(kind=notices.KIND).exists()


@pytest.mark.django_db
def test_PF5_versions_of_one_file_in_a_batch_are_one_line(space, alice, carol, portal):
    owner = alice.memberships.get()
    for n in range(3):
        portal.store_file(owner, space, f"draft {n}".encode(), name="agreement.pdf")
    portal.store_file(owner, space, b"other", name="annex.pdf")
    assert notices.send_digests(timezone.now() + notices.QUIET) >= 1
    told = Notification.objects.get(recipient=carol, kind=notices.KIND)
    assert told.title == "2 new files in Carol's tax return"
    assert told.body.splitlines() == ["agreement.pdf (Carol's tax return), 3 versions",
                                      "annex.pdf (Carol's tax return)"]
    Notification.objects.all().delete()
    for n in range(2):
        portal.store_file(owner, space, f"v{n}".encode(), name="annex.pdf")
    notices.send_digests(timezone.now() + notices.QUIET)
    told = Notification.objects.get(recipient=carol, kind=notices.KIND)
    assert told.title == "New versions in Carol's tax return: annex.pdf"
    assert "/files/" in told.url
