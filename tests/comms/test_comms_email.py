"""Email: two kinds (service/marketing), CO4 one-click unsubscribe, delivery with retries,
the organization's own sender, and one test end to end through a real SMTP server."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client, override_settings
from django.utils import timezone

from officium.comms import unsubscribe
from officium.comms.mail import (
    ConsentMissing,
    MarketingEmail,
    ServiceEmail,
    send_marketing_email,
    send_service_email,
)
from officium.comms.models import OrganizationMailSettings
from officium.comms.senders import open_password
from officium.comms.services import save_mail_settings
from officium.mail import delivery
from officium.mail.models import Kind, OutboxEmail, Status
from officium.mail.tasks import deliver_due_mail
from officium.privacy.consent import services as consent
from officium.privacy.consent.ledger import Subject
from officium.privacy.consent.models import ConsentRecord, Method, State

pytestmark = pytest.mark.django_db


def marketing_to(user) -> MarketingEmail:
    return MarketingEmail.to_user(user, "News from us", "Our new feature.")


def unsubscribe_path(message_or_headers) -> str:
    header = message_or_headers["List-Unsubscribe"]
    url = header.split(",")[0].strip().strip("<>")
    return urlparse(url).path


def test_CO4_marketing_needs_consent_and_nothing_is_queued_without_it(bob):
    with pytest.raises(ConsentMissing):
        send_marketing_email(marketing_to(bob))
    assert not OutboxEmail.objects.exists()


def test_CO4_the_two_kinds_cannot_be_confused(bob):
    consent.set_channel(Subject.of(bob), "email", True)
    with pytest.raises(TypeError):
        send_service_email(marketing_to(bob))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        send_marketing_email(ServiceEmail.to_user(bob, "Hi", "Body"))  # type: ignore[arg-type]
    assert not OutboxEmail.objects.exists()


def test_CO4_marketing_carries_rfc8058_headers_and_service_mail_does_not(bob, django_capture_on_commit_callbacks):
    consent.set_channel(Subject.of(bob), "email", True)
    with django_capture_on_commit_callbacks(execute=True):
        send_marketing_email(marketing_to(bob))
        send_service_email(ServiceEmail.to_user(bob, "Your invoice", "Attached."))
    marketing, service = sorted(mail.outbox, key=lambda m: m.subject)
    assert marketing.subject == "News from us"
    assert marketing.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert marketing.extra_headers["List-Unsubscribe"].startswith("<http")
    assert "List-Unsubscribe" not in service.extra_headers


def test_CO4_one_click_post_withdraws_without_login_once(bob, django_capture_on_commit_callbacks):
    consent.set_channel(Subject.of(bob), "email", True)
    with django_capture_on_commit_callbacks(execute=True):
        send_marketing_email(marketing_to(bob))
    path = unsubscribe_path(mail.outbox[0].extra_headers)
    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get(path)  # a link scanner's GET changes nothing
    assert page.status_code == 200 and "Unsubscribe" in page.content.decode()
    assert consent.may_market(Subject.of(bob))
    response = anonymous.post(path, "List-Unsubscribe=One-Click",
                              content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert not consent.may_market(Subject.of(bob))
    withdrawal = ConsentRecord.objects.filter(subject_user=bob).latest("pk")
    assert (withdrawal.state, withdrawal.method, withdrawal.scope) == (
        State.WITHDRAWN, Method.EMAIL_LINK, "channel:email")
    anonymous.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert ConsentRecord.objects.filter(subject_user=bob).count() == 2  # double submit: once
    with pytest.raises(ConsentMissing):
        send_marketing_email(marketing_to(bob))


def test_CO4_forged_and_expired_tokens_are_refused_and_write_nothing(bob, client, monkeypatch):
    consent.set_channel(Subject.of(bob), "email", True)
    token = unsubscribe.make_token(unsubscribe.Unsubscribe(f"user:{bob.pk}", "marketing"))
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    other_user = unsubscribe.make_token(unsubscribe.Unsubscribe("user:1", "marketing"))
    tampered = other_user.split(":", 1)[0] + ":" + token.split(":", 1)[1]
    for bad in (forged, tampered, "made-up-token"):
        response = client.post(f"/comms/unsubscribe/{bad}/")
        assert response.status_code == 400 and "not valid" in response.content.decode()
    monkeypatch.setattr(unsubscribe, "MAX_AGE", timedelta(seconds=-1))
    response = client.post(f"/comms/unsubscribe/{token}/")
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert ConsentRecord.objects.filter(subject_user=bob).count() == 1
    assert consent.may_market(Subject.of(bob))


def test_CO4_withdrawal_while_queued_cancels_the_email(bob):
    consent.set_channel(Subject.of(bob), "email", True)
    row = send_marketing_email(marketing_to(bob))  # not committed yet: not sent
    consent.set_channel(Subject.of(bob), "email", False)
    assert delivery.deliver(row.pk) == Status.CANCELLED
    assert mail.outbox == []


def test_service_email_stops_only_with_the_account(bob):
    assert send_service_email(ServiceEmail.to_user(bob, "Security notice", "...")) is not None
    bob.is_active = False
    assert send_service_email(ServiceEmail.to_user(bob, "Security notice", "...")) is None
    consent.set_channel(Subject.of(bob), "email", False)  # no marketing consent: irrelevant


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("down")


def test_delivery_retries_with_backoff_then_succeeds(bob, django_capture_on_commit_callbacks):
    with override_settings(EMAIL_BACKEND=f"{__name__}.FailingBackend"):
        with django_capture_on_commit_callbacks(execute=True):
            row = send_service_email(ServiceEmail.to_user(bob, "Receipt", "Thanks."))
        row.refresh_from_db()
        assert (row.status, row.attempts, row.last_error) == ("pending", 1, "SMTPServerDisconnected")
        assert row.next_attempt_at > timezone.now()
        assert delivery.due() == []  # not yet due
        assert delivery.due(row.next_attempt_at + timedelta(seconds=1)) == [row.pk]
    OutboxEmail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert deliver_due_mail.call() == {"sent": 1}
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2) and len(mail.outbox) == 1
    assert delivery.deliver(row.pk) == "sent" and len(mail.outbox) == 1  # never sent twice


def test_delivery_gives_up_after_max_attempts(bob):
    row = send_service_email(ServiceEmail.to_user(bob, "Receipt", "Thanks."))
    later = timezone.now() + timedelta(days=2)  # past every backoff
    with override_settings(EMAIL_BACKEND=f"{__name__}.FailingBackend"):
        for _ in range(delivery.MAX_ATTEMPTS):
            status = delivery.deliver(row.pk, later)
    assert status == Status.FAILED
    assert OutboxEmail.objects.get(pk=row.pk).attempts == delivery.MAX_ATTEMPTS


def test_CO4_end_to_end_through_a_real_smtp_server(bob, django_capture_on_commit_callbacks, settings,
                                                   smtp_server):
    consent.set_channel(Subject.of(bob), "email", True)
    inbox, port = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    with django_capture_on_commit_callbacks(execute=True):
        row = send_marketing_email(marketing_to(bob))  # enqueued on commit, sent by the task
    row.refresh_from_db()
    assert row.status == Status.SENT and row.kind == Kind.MARKETING
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == bob.email
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/comms/unsubscribe/" in message["List-Unsubscribe"]
    response = Client().post(unsubscribe_path(message), "List-Unsubscribe=One-Click",
                             content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert not consent.may_market(Subject.of(bob))
    assert ConsentRecord.objects.filter(subject_user=bob).latest("pk").method == Method.EMAIL_LINK


def test_organization_sender_is_used_for_its_clients_and_its_password_is_encrypted(
        alice, bob, django_capture_on_commit_callbacks, smtp_server):
    membership = alice.memberships.get()
    inbox, port = smtp_server
    save_mail_settings(membership, {"host": "127.0.0.1", "port": port, "username": "",
                                    "password": "smtp-s3cret", "use_tls": False,
                                    "from_address": "office@alpha.example", "enabled": True})
    row = OrganizationMailSettings.objects.get(organization=membership.organization)
    assert row.password_encrypted and b"smtp-s3cret" not in bytes(row.password_token)
    assert open_password(row) == "smtp-s3cret"
    with django_capture_on_commit_callbacks(execute=True):
        send_service_email(ServiceEmail.to_user(bob, "Your documents", "Ready.",
                                                organization=membership.organization))
        send_service_email(ServiceEmail.to_user(bob, "From Officium", "Default sender."))
    assert [m["From"] for m in inbox.messages] == ["office@alpha.example"]
    assert [m.subject for m in mail.outbox] == ["From Officium"]  # the default sender


def test_mail_settings_page_is_for_administrators(alice_client, bob_client):
    assert bob_client.get("/o/alpha/comms/mail/").status_code == 403
    response = alice_client.post("/o/alpha/comms/mail/", {"host": "", "port": 99999,
                                                           "from_address": "nope"})
    assert response.status_code == 400
    assert not OrganizationMailSettings.objects.exists()
    response = alice_client.post("/o/alpha/comms/mail/", {
        "host": "smtp.alpha.example", "port": 587, "username": "u", "password": "p",
        "use_tls": "on", "from_address": "office@alpha.example", "enabled": "on"})
    assert response.status_code == 302
    assert OrganizationMailSettings.objects.get().host == "smtp.alpha.example"
