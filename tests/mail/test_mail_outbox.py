"""The one outbox: delivery with exponential backoff and a final failed state, claimed once,
bodies cleared once sent, failures shown to staff without content, per-recipient throttles,
and sent rows purged by the policy's retention rule."""

from __future__ import annotations

import re
import smtplib
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client, override_settings
from django.utils import timezone

from officium.mail import delivery
from officium.mail.models import OutboxEmail, Status
from officium.mail.outbox import Throttle, Throttled, queue

pytestmark = pytest.mark.django_db
FAILING = f"{__name__}.FailingBackend"


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        raise smtplib.SMTPServerDisconnected("down")


def _queue(to: str = "bob@alpha.example", **extra: object) -> OutboxEmail:
    return queue(to, "Your receipt", "Secret body text", category="receipt", **extra)  # type: ignore[arg-type]


def test_failures_back_off_exponentially_then_fail_for_good():
    row = _queue()
    now = timezone.now()
    with override_settings(EMAIL_BACKEND=FAILING):
        assert delivery.deliver(row.pk, now) == Status.PENDING
        row.refresh_from_db()
        first_wait = row.next_attempt_at - now
        assert delivery.deliver(row.pk, now) == Status.PENDING  # not due: not even tried
        assert OutboxEmail.objects.get(pk=row.pk).attempts == 1
        waits = [first_wait]
        while row.status == Status.PENDING:
            at = row.next_attempt_at + timedelta(seconds=1)
            delivery.deliver(row.pk, at)
            row.refresh_from_db()
            if row.status == Status.PENDING:
                waits.append(row.next_attempt_at - timezone.now())
    assert row.status == Status.FAILED and row.attempts == delivery.MAX_ATTEMPTS
    assert row.finished_at is not None and row.last_error == "SMTPServerDisconnected"
    minutes = [round(w.total_seconds() / 60) for w in waits]
    assert minutes[:4] == [1, 2, 4, 8]  # doubling each time
    assert mail.outbox == []


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        raise smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"no such user")})


def test_a_permanent_refusal_fails_at_once_without_quoting_the_server():
    row = _queue("x@example.org")
    with override_settings(EMAIL_BACKEND=f"{__name__}.RefusingBackend"):
        assert delivery.deliver(row.pk) == Status.FAILED
    row.refresh_from_db()
    assert (row.attempts, row.last_error) == (1, "SMTPRecipientsRefused")


def test_a_row_is_claimed_by_one_worker_only():
    row = _queue()
    assert delivery.claim(row.pk) is not None
    assert delivery.claim(row.pk) is None  # the second worker finds it taken
    assert delivery.deliver(row.pk) == Status.SENDING and mail.outbox == []
    # a worker that died mid-send: once its lease runs out the row is sent, once
    later = timezone.now() + delivery.LEASE + timedelta(seconds=1)
    assert delivery.deliver(row.pk, later) == Status.SENT
    assert delivery.deliver(row.pk, later) == Status.SENT and len(mail.outbox) == 1


def test_sent_rows_keep_no_text():
    row = _queue()
    assert delivery.deliver(row.pk) == Status.SENT
    row.refresh_from_db()
    assert (row.body, row.headers, row.sent_at is not None) == ("", {}, True)
    assert mail.outbox[0].body == "Secret body text"


def test_a_rolled_back_change_sends_nothing(django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                _queue()
                raise RuntimeError("the caller's change fails")
        except RuntimeError:
            pass
    assert callbacks == [] and not OutboxEmail.objects.exists() and mail.outbox == []


def test_staff_see_failed_mail_without_its_content(alice, alice_client, bob_client):
    row = _queue(organization_id=alice.memberships.get().organization_id)
    OutboxEmail.objects.filter(pk=row.pk).update(status=Status.FAILED, attempts=8,
                                                 last_error="SMTPServerDisconnected")
    _queue("carol@example.org")  # waiting
    assert Client().get("/mail/outbox/").status_code == 404
    assert bob_client.get("/mail/outbox/").status_code == 404
    alice.is_staff = True
    alice.save(update_fields=["is_staff"])
    page = alice_client.get("/mail/outbox/").content.decode()
    assert "receipt" in page and "SMTPServerDisconnected" in page and "b…@alpha.example" in page
    assert "c…@example.org" in page
    for hidden in ("Secret body text", "Your receipt", "bob@alpha.example", "carol@example.org"):
        assert hidden not in page
    admin_page = alice_client.get("/o/alpha/comms/mail/").content.decode()
    assert "SMTPServerDisconnected" in admin_page and "c…@example.org" not in admin_page


def test_throttle_counts_per_address_and_category():
    for _ in range(2):
        _queue(throttle=Throttle(2))
    with pytest.raises(Throttled):
        _queue("BOB@alpha.example", throttle=Throttle(2))
    _queue("other@alpha.example", throttle=Throttle(2))  # another address
    OutboxEmail.objects.update(created_at=timezone.now() - timedelta(hours=2))
    _queue(throttle=Throttle(2))  # the hour has passed
    assert OutboxEmail.objects.count() == 4


def test_AC7_password_reset_mail_is_throttled_per_address_revealing_nothing(alice):
    from officium.accounts.password_reset import RESETS_PER_HOUR

    client = Client()
    answers = [client.post("/accounts/password/reset/", {"email": alice.email})
               for _ in range(RESETS_PER_HOUR + 2)]
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@nowhere.example"})
    assert {(a.status_code, a.url) for a in answers} == {(unknown.status_code, unknown.url)}
    rows = OutboxEmail.objects.filter(category="password_reset")
    assert rows.count() == RESETS_PER_HOUR and {r.user_id for r in rows} == {alice.pk}


def test_RI9_resend_code_is_throttled_per_address(client, django_capture_on_commit_callbacks):
    import json

    from officium.privacy.rights.verification import CODES_PER_HOUR

    with django_capture_on_commit_callbacks(execute=True):
        filed = client.post("/api/privacy/rights/public/requests", json.dumps({
            "email": "someone@example.org", "request_type": "access", "residence_country": "DE"}),
            content_type="application/json")
    ref = filed.json()["ref"]
    for _ in range(CODES_PER_HOUR + 2):
        page = client.post(f"/privacy/request/{ref}/", {"action": "resend"}, follow=True)
        assert page.status_code == 200
    assert "Too many codes" in page.content.decode()
    assert OutboxEmail.objects.filter(category="rights_code").count() == CODES_PER_HOUR
    another = client.post("/api/privacy/rights/public/requests", json.dumps({
        "email": "someone@example.org", "request_type": "erasure", "residence_country": "DE"}),
        content_type="application/json")
    assert another.status_code == 429 and another.json()["field"] == "email"
    assert OutboxEmail.objects.filter(category="rights_code").count() == CODES_PER_HOUR


def test_RE1_sent_mail_is_purged_by_the_policy_retention_rule(bob):
    from officium.privacy.registry import registration_for
    from officium.privacy.retention import engine, rules
    from officium.privacy.retention.models import DeletionEvidence

    rule = rules.rule_for(registration_for(OutboxEmail))
    assert rule is not None and rule.id == "sent_mail"
    old_sent, recent_sent, old_pending = _queue(), _queue(), _queue()
    for row in (old_sent, recent_sent):
        delivery.deliver(row.pk)
    past = timezone.now() - timedelta(days=rule.duration_days + 1)
    OutboxEmail.objects.filter(pk=old_sent.pk).update(finished_at=past, created_at=past)
    OutboxEmail.objects.filter(pk=old_pending.pk).update(created_at=past)
    engine.sweep()
    assert set(OutboxEmail.objects.values_list("pk", flat=True)) == {recent_sent.pk, old_pending.pk}
    evidence = DeletionEvidence.objects.get(model_label="mail.OutboxEmail")
    assert (evidence.rule_id, evidence.count) == ("sent_mail", 1)


SOURCE = Path(__file__).resolve().parents[2] / "src" / "officium"
DIRECT = re.compile(r"(?<!def )(?<!transaction\.)\b(send_mail|send_mass_mail|mail_admins|get_connection"
                    r"|EmailMessage|EmailMultiAlternatives)\(")


def test_every_email_goes_through_the_outbox():
    """One mechanism: only the outbox's delivery (and a sender it is handed) talks to a mail
    server; everything else queues."""
    allowed = {SOURCE / "mail" / "delivery.py", SOURCE / "comms" / "senders.py"}
    offenders = [str(p.relative_to(SOURCE)) for p in SOURCE.rglob("*.py")
                 if p not in allowed and DIRECT.search(p.read_text())]
    assert offenders == []


def test_the_outbox_sits_below_the_engine():
    """mail/ imports nothing from the engine, accounts or the apps (DESIGN: below privacy)."""
    above = re.compile(r"^\s*(from|import) officium\.(privacy|accounts|comms|attendance|portal|fieldwork)",
                       re.MULTILINE)
    offenders = [p.name for p in (SOURCE / "mail").rglob("*.py") if above.search(p.read_text())]
    assert offenders == []
