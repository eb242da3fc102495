"""OP4/RI11: the public forum; a removal request is honoured (redacted or removed) or refused
with the reason given, each outcome leaving evidence; someone else's post cannot be asked for."""

from __future__ import annotations

import pytest
from django.test import Client

from officium.mail.models import OutboxEmail
from officium.operator.models import ForumPost, ForumTopic, RemovalRequest
from officium.privacy.audit.models import AuditEntry
from officium.privacy.registry import registration_for

pytestmark = pytest.mark.django_db


def _topic(client, title="Shift export", body="I am Bob Berg from Alpha, call me on +49 30 1234567"):
    answer = client.post("/forum/new/", {"title": title, "body": body})
    assert answer.status_code == 302
    return ForumTopic.objects.latest("pk")


def test_OP4_anyone_reads_signed_in_people_post_and_reply(bob_client, alice_client):
    topic = _topic(bob_client)
    assert alice_client.post(f"/forum/t/{topic.pk}/", {"body": "Use the export button."}).status_code == 302
    public = Client().get(f"/forum/t/{topic.pk}/").content.decode()
    assert "Use the export button." in public and "Shift export" in Client().get("/forum/").content.decode()
    assert Client().post("/forum/new/", {"title": "x" * 5, "body": "y"}).status_code == 302  # to sign in
    assert ForumTopic.objects.count() == 1
    bad = bob_client.post("/forum/new/", {"title": "", "body": "text"})
    assert bad.status_code == 400 and ForumTopic.objects.count() == 1


def test_RI11_removal_honoured_by_redaction_leaves_evidence(bob_client, bob, staff_client, staff):
    post = _topic(bob_client).posts.get()
    assert bob_client.post(f"/forum/p/{post.pk}/removal/", {"details": "my phone number"}).status_code == 302
    removal = RemovalRequest.objects.get()
    assert removal.status == "pending" and "removal" in staff_client.get("/operator/forum/removals/").content.decode()
    assert staff_client.post(f"/operator/forum/removals/{removal.pk}/decide/", {"outcome": "redact"}).status_code == 302
    post.refresh_from_db()
    removal.refresh_from_db()
    assert "1234567" not in post.body and "removed at the author's request" in post.body and post.redacted_at
    assert removal.status == "honoured" and removal.outcome == "redact" and removal.decided_by == staff
    assert AuditEntry.objects.filter(event="operator.removal_honoured", subject_id=bob.pk).exists()
    assert OutboxEmail.objects.filter(category="forum_removal_decided", to_address=bob.email).exists()
    assert "Honoured" in bob_client.get("/forum/removals/").content.decode()


def test_RI11_removal_refused_with_the_reason_the_person_sees(bob_client, bob, staff_client):
    post = _topic(bob_client, body="Our release is on Friday").posts.get()
    bob_client.post(f"/forum/p/{post.pk}/removal/", {"details": "please"})
    removal = RemovalRequest.objects.get()
    no_reason = staff_client.post(f"/operator/forum/removals/{removal.pk}/decide/", {"outcome": "refuse"})
    assert no_reason.status_code == 302
    removal.refresh_from_db()
    assert removal.status == "pending"  # a refusal needs its reason
    staff_client.post(f"/operator/forum/removals/{removal.pk}/decide/",
                      {"outcome": "refuse", "reason": "The post holds no personal information."})
    removal.refresh_from_db()
    post.refresh_from_db()
    assert removal.status == "refused" and post.body == "Our release is on Friday"
    assert "The post holds no personal information." in bob_client.get("/forum/removals/").content.decode()
    assert AuditEntry.objects.filter(event="operator.removal_refused").exists()


def test_RI11_a_removal_request_for_someone_elses_post_is_refused_and_nothing_written(bob_client, alice_client):
    post = _topic(bob_client).posts.get()
    entries = AuditEntry.objects.count()
    assert alice_client.post(f"/forum/p/{post.pk}/removal/", {"details": "remove it"}).status_code == 404
    assert alice_client.get(f"/forum/p/{post.pk}/removal/").status_code == 404
    assert not RemovalRequest.objects.exists() and AuditEntry.objects.count() == entries


def test_RI11_moderation_is_for_staff_only(bob_client, alice_client):
    post = _topic(bob_client).posts.get()
    bob_client.post(f"/forum/p/{post.pk}/removal/", {})
    removal = RemovalRequest.objects.get()
    assert alice_client.post(f"/operator/forum/removals/{removal.pk}/decide/", {"outcome": "remove"}).status_code == 404
    removal.refresh_from_db()
    assert removal.status == "pending"


def test_OP4_forum_posts_are_registered_with_the_engine():
    assert registration_for(ForumPost).fields["body"] == "pd:Communication"
    assert registration_for(RemovalRequest).subject == "requester"
