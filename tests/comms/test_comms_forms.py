"""AC4 (newsletter double opt-in), NO5 (complaints tracked to an answer, privacy contact shown),
NO3 (change of ownership by email and banner), contact and support forms."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from officium.comms.models import (
    Announcement,
    Complaint,
    ComplaintStatus,
    ContactMessage,
    NewsletterSubscription,
    SupportRequest,
)
from officium.mail.models import OutboxEmail
from officium.privacy.consent import services as consent
from officium.privacy.consent.ledger import Subject
from officium.privacy.consent.models import ConsentRecord, Method

pytestmark = pytest.mark.django_db


def link_in(body: str, marker: str) -> str:
    return re.search(rf"https?://[^/\s]+({marker}[^\s]+)", body).group(1)


def test_AC4_newsletter_double_opt_in_stores_only_the_email(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/comms/newsletter/", {"email": "Reader@Example.com"})
        client.post("/comms/newsletter/", {"email": "reader@example.com"})  # double submit
    assert response.status_code == 200
    sub = NewsletterSubscription.objects.get()
    assert sub.email == "reader@example.com" and sub.confirmed_at is None
    stored = {f.name for f in NewsletterSubscription._meta.concrete_fields} - {"id"}
    assert stored == {"email", "subject_id", "created_at", "confirmation_sent_at", "confirmed_at"}
    assert len(mail.outbox) == 1 and "List-Unsubscribe" not in mail.outbox[0].extra_headers
    assert not consent.may_market(Subject(visitor_id=sub.subject_id))  # not before confirming
    path = link_in(mail.outbox[0].body, "/comms/newsletter/confirm/")
    assert client.get(path).status_code == 200  # a scanner's GET confirms nothing
    assert NewsletterSubscription.objects.get().confirmed_at is None
    assert client.post(path).status_code == 200
    sub.refresh_from_db()
    assert sub.confirmed_at is not None
    assert consent.may_market(Subject(visitor_id=sub.subject_id))
    record = ConsentRecord.objects.get(visitor_id=sub.subject_id)
    assert (record.purpose, record.scope, record.method) == ("marketing", "channel:email", Method.EMAIL_LINK)
    client.post(path)
    assert ConsentRecord.objects.count() == 1  # confirming twice records once


def test_AC4_bad_newsletter_input_and_bad_confirmation_links(client):
    response = client.post("/comms/newsletter/", {"email": "not-an-address"})
    assert response.status_code == 400 and "email" in response.context["form"].errors
    assert client.post("/comms/newsletter/confirm/forged-token/").status_code == 400
    assert not NewsletterSubscription.objects.exists() and not ConsentRecord.objects.exists()


def test_newsletter_goes_only_to_confirmed_subscribers_with_unsubscribe(client, django_capture_on_commit_callbacks):
    from officium.comms.services import confirm_newsletter, send_newsletter, subscribe_newsletter

    with django_capture_on_commit_callbacks(execute=True):
        subscribe_newsletter("yes@example.com")
        subscribe_newsletter("later@example.com")
    confirm_newsletter(link_in(mail.outbox[0].body, "/comms/newsletter/confirm/").split("/")[-2])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_newsletter("Issue 1", "Hello") == 1
    assert [m.to for m in mail.outbox] == [["yes@example.com"]]
    assert mail.outbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_contact_form_stores_what_it_asks_once(client):
    page = client.get("/comms/contact/")
    sid = page.context["form"].initial["submission_id"]
    data = {"submission_id": sid, "name": "Vera Visitor", "email": "vera@example.com",
            "message": "Do you offer a discount?"}
    assert client.post("/comms/contact/", data).status_code == 302
    assert client.post("/comms/contact/", data).status_code == 302  # double submit
    assert ContactMessage.objects.count() == 1
    response = client.post("/comms/contact/", {**data, "submission_id": str(uuid.uuid4()), "email": "x"})
    assert response.status_code == 400 and "email" in response.context["form"].errors
    assert ContactMessage.objects.count() == 1


def test_support_form_once(bob_client, bob):
    sid = str(uuid.uuid4())
    for _ in range(2):
        bob_client.post("/comms/support/", {"submission_id": sid, "topic": "Login", "message": "Help"})
    assert SupportRequest.objects.filter(user=bob).count() == 1
    response = bob_client.post("/comms/support/", {"submission_id": str(uuid.uuid4()), "topic": "",
                                                   "message": "Help"})
    assert response.status_code == 400 and "topic" in response.context["form"].errors


def test_NO5_complaint_tracked_to_an_answer_with_the_privacy_contact(bob, bob_client, alice, use_policy,
                                                                     django_capture_on_commit_callbacks):
    use_policy("officetools")
    from officium.privacy.consent.catalogue import policy

    controller = policy().controller
    page = bob_client.get("/comms/complaints/").content.decode()
    assert controller.privacy_email in page and controller.postal_address.split(",")[0] in page
    contact_page = Client().get("/comms/contact/").content.decode()
    assert controller.privacy_email in contact_page
    sid = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        response = bob_client.post("/comms/complaints/", {"submission_id": sid, "topic": "My data",
                                                          "message": "Why was my data shared?"})
        bob_client.post("/comms/complaints/", {"submission_id": sid, "topic": "My data",
                                               "message": "Why was my data shared?"})
    complaint = Complaint.objects.get()
    assert complaint.status == ComplaintStatus.OPEN
    assert response["Location"] == f"/comms/complaints/{complaint.reference}/"
    page = bob_client.get(response["Location"]).content.decode()
    assert controller.privacy_email in page and 'id="complaint-status">Open<' in page
    # alice is not the officer: the staff page is not hers.
    assert Client().get(f"/comms/staff/complaints/{complaint.pk}/").status_code in (302, 404)
    alice.is_staff = True
    alice.save(update_fields=["is_staff"])
    officer = Client()
    officer.force_login(alice)
    assert officer.post(f"/comms/staff/complaints/{complaint.pk}/", {"answer": ""}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(f"/comms/staff/complaints/{complaint.pk}/", {"answer": "We checked: it was not."})
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ANSWERED and complaint.answered_by == alice
    assert any("answered" in m.subject for m in mail.outbox if m.to == [bob.email])
    assert "We checked" in bob_client.get(f"/comms/complaints/{complaint.reference}/").content.decode()
    bob_client.post(f"/comms/complaints/{complaint.reference}/")
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED and complaint.closed_at is not None


def test_NO3_change_of_ownership_reaches_every_user_by_email_and_banner(alice, bob, charlie, client,
                                                                       django_capture_on_commit_callbacks):
    charlie.is_active = False
    charlie.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        call_command("announce_transfer", "--new-owner", "Acme Holdings Ltd")
    announcement = Announcement.objects.get()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, bob.email])
    assert all("Acme Holdings Ltd" in m.body and "List-Unsubscribe" not in m.extra_headers
               for m in mail.outbox)
    assert OutboxEmail.objects.filter(kind="service").count() == 2
    # The banner shows on every page until dismissed.
    bob_browser = Client()
    bob_browser.force_login(bob)
    assert f'id="announcement-{announcement.pk}"' in bob_browser.get("/privacy/consent/").content.decode()
    bob_browser.post("/comms/announcements/dismiss/", {"announcement": announcement.pk})
    bob_browser.post("/comms/announcements/dismiss/", {"announcement": announcement.pk})
    assert f'id="announcement-{announcement.pk}"' not in bob_browser.get("/privacy/consent/").content.decode()
    alice_browser = Client()
    alice_browser.force_login(alice)
    assert f'id="announcement-{announcement.pk}"' in alice_browser.get("/privacy/consent/").content.decode()
    assert bob_browser.post("/comms/announcements/dismiss/", {"announcement": "nope"}).status_code == 400


def test_NO3_empty_owner_is_refused_and_nothing_sent(alice, django_capture_on_commit_callbacks):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="new owner"), django_capture_on_commit_callbacks(execute=True):
        call_command("announce_transfer", "--new-owner", "  ")
    assert not Announcement.objects.exists() and mail.outbox == []


def test_AC4_unconfirmed_addresses_are_deleted_after_the_link_expires():
    from datetime import timedelta

    from django.utils import timezone

    from officium.comms.services import CONFIRM_MAX_AGE, subscribe_newsletter
    from officium.comms.tasks import purge_unconfirmed_subscriptions

    old = subscribe_newsletter("old@example.com")
    subscribe_newsletter("new@example.com")
    NewsletterSubscription.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - CONFIRM_MAX_AGE - timedelta(minutes=1))
    assert purge_unconfirmed_subscriptions.call() == 1
    assert list(NewsletterSubscription.objects.values_list("email", flat=True)) == ["new@example.com"]
