"""NO2: publishing records versions with revised and effective dates; a material change
raises a banner for every signed-in person and emails every active account; answers are
recorded with the version; every past version stays readable. PU2's hook for consent."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from officium.privacy.audit.models import AuditEntry
from officium.privacy.models import PolicyAcceptance, PolicyVersion
from officium.privacy.notices import versions
from officium.privacy.policy import loader, policy_hash
from officium.privacy.policy.loader import active_policy

NEW_CONSENT_PURPOSE = """  - id: partner_offers
    term: dpv:DirectMarketing
    legal_basis: eu-gdpr:A6-1-a
    consent_required: true
    marketing: true
    description: To send you offers from our partners, only if you agree.
    categories: [email]
"""


def material_edit() -> tuple[str, str]:
    return ("\nrecipients:\n", NEW_CONSENT_PURPOSE + "\nrecipients:\n")


def minor_edit() -> tuple[str, str]:
    return ("To act on a threat to the safety of any person.",
            "To act on any threat to the safety of a person.")


def publish_existing_users_then(use_policy, *edits):
    """Version 1 in force before the users joined; then the edited policy is published."""
    use_policy("officeportal")
    first, _ = versions.publish()
    PolicyVersion.objects.filter(pk=first.pk).update(posted_at=timezone.now() - timedelta(days=30))
    use_policy("officeportal", *edits)
    return first


@pytest.mark.django_db
def test_NO2_publishing_records_a_version_once_per_content(use_policy):
    use_policy("officeportal")
    version, created = versions.publish()
    assert created and version.number == 1 and not version.material
    assert version.content_hash == policy_hash(active_policy())
    assert version.revised == active_policy().revised
    assert version.effective_date == timezone.localdate()
    assert version.notice_markdown.startswith("# Privacy notice: OfficePortal HRMS")
    assert versions.publish() == (version, False)
    assert versions.ensure_current_version() == version
    assert AuditEntry.objects.filter(event="privacy.policy_published").count() == 1


@pytest.mark.django_db
def test_NO2_minor_change_applies_on_posting_without_banner_or_email(
        use_policy, alice_client, django_capture_on_commit_callbacks):
    publish_existing_users_then(use_policy, minor_edit())
    with django_capture_on_commit_callbacks(execute=True):
        version, created = versions.publish()
    assert created and version.number == 2 and not version.material
    assert version.effective_date == timezone.localdate()
    assert mail.outbox == []
    assert 'id="policy-change-banner"' not in alice_client.get("/accounts/security/").content.decode()


@pytest.mark.django_db
def test_NO2_material_change_banner_and_email_to_every_active_user(
        use_policy, alice, bob, charlie, alice_client, django_capture_on_commit_callbacks):
    inactive = type(alice).objects.create_user("dormant@alpha.example", "x-long-passphrase-1")
    publish_existing_users_then(use_policy, material_edit())
    with django_capture_on_commit_callbacks(execute=True):
        version, _ = versions.publish()
    assert version.material and "purpose added: partner_offers" in version.changes
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, bob.email, charlie.email])
    assert inactive.email not in [m.to[0] for m in mail.outbox]
    assert "/privacy/" in mail.outbox[0].body and "partner_offers" in mail.outbox[0].body

    page = alice_client.get("/accounts/security/").content.decode()
    assert 'id="policy-change-banner"' in page
    assert f"/privacy/versions/{version.pk}/decide/" in page


@pytest.mark.django_db
def test_NO2_acceptance_is_recorded_with_the_version_and_audited(use_policy, alice, alice_client):
    publish_existing_users_then(use_policy, material_edit())
    version, _ = versions.publish()
    response = alice_client.post(f"/privacy/versions/{version.pk}/decide/",
                                 {"decision": "accepted", "next": "/accounts/security/"})
    assert response.status_code == 302 and response["location"] == "/accounts/security/"
    answer = PolicyAcceptance.objects.get(user=alice)
    assert (answer.version, answer.decision) == (version, "accepted")
    entry = AuditEntry.objects.get(event="privacy.policy_accepted")
    assert entry.subject_id == alice.pk and entry.details["hash"] == version.content_hash
    assert 'id="policy-change-banner"' not in alice_client.get("/accounts/security/").content.decode()
    assert versions.accepted_version(alice) == version
    # Nothing is waiting any more: a second answer is refused.
    assert alice_client.post(f"/privacy/versions/{version.pk}/decide/",
                             {"decision": "refused"}).status_code == 404


@pytest.mark.django_db
def test_NO2_refusal_is_recorded_and_ends_the_banner(use_policy, bob, bob_client):
    publish_existing_users_then(use_policy, material_edit())
    version, _ = versions.publish()
    bob_client.post(f"/privacy/versions/{version.pk}/decide/", {"decision": "refused"})
    assert PolicyAcceptance.objects.get(user=bob).decision == "refused"
    assert AuditEntry.objects.filter(event="privacy.policy_refused", subject_id=bob.pk).exists()
    assert versions.pending_version(bob) is None


@pytest.mark.django_db
def test_NO2_bad_decision_is_refused_and_writes_nothing(use_policy, alice, alice_client):
    publish_existing_users_then(use_policy, material_edit())
    version, _ = versions.publish()
    alice_client.post(f"/privacy/versions/{version.pk}/decide/", {"decision": "maybe"})
    assert not PolicyAcceptance.objects.exists()
    assert versions.pending_version(alice) == version


@pytest.mark.django_db
def test_NO2_people_who_joined_after_the_change_are_not_asked(use_policy, alice):
    use_policy("officeportal", material_edit())
    PolicyVersion.objects.all().delete()
    version, _ = versions.publish()
    PolicyVersion.objects.filter(pk=version.pk).update(
        posted_at=alice.date_joined - timedelta(minutes=1), material=True)
    assert versions.pending_version(alice) is None


@pytest.mark.django_db
def test_NO2_officetrack_material_change_takes_effect_30_days_after_posting(use_policy):
    use_policy("officetrack")
    versions.publish()
    use_policy("officetrack", ("    duration_days: 90\n", "    duration_days: 60\n"))
    version, _ = versions.publish()
    assert version.material
    assert version.effective_date == timezone.localdate() + timedelta(days=30)


@pytest.mark.django_db
def test_NO2_every_past_version_stays_readable(use_policy, client):
    first = publish_existing_users_then(use_policy, material_edit())
    second, _ = versions.publish()
    listing = client.get("/privacy/versions/").content.decode()
    assert f"/privacy/versions/{first.pk}/" in listing and f"/privacy/versions/{second.pk}/" in listing
    old = client.get(f"/privacy/versions/{first.pk}/").content.decode()
    new = client.get(f"/privacy/versions/{second.pk}/").content.decode()
    assert "partner offers" not in old.lower() and "offers from our partners" in new
    assert "purpose added: partner_offers" in new
    markdown = client.get(f"/privacy/versions/{first.pk}/?format=md")
    assert markdown.content.decode() == first.notice_markdown
    assert client.get("/privacy/versions/987654/").status_code == 404


@pytest.mark.django_db
def test_PU2_hook_names_consent_purposes_added_since_a_version(use_policy):
    first = publish_existing_users_then(use_policy, material_edit())
    assert [p.id for p in versions.added_consent_purposes_since(first)] == ["partner_offers"]
    second, _ = versions.publish()
    assert versions.added_consent_purposes_since(second) == []


@pytest.mark.django_db
def test_NO2_publish_command_reports_what_it_did(use_policy):
    use_policy("officeportal")
    out = io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(out):
        call_command("publish_policy")
        call_command("publish_policy")
    text = out.getvalue()
    assert "published version 1" in text and "unchanged, version 1 is current" in text
    assert Path(loader.active_policy_path()).exists()
