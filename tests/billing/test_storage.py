# ruff: noqa: F811  (fixtures imported from the portal and field work suites)
"""BI1: the plan's storage is enforced wherever bytes enter: an upload's start and each of its
chunks (a new version too), a WebDAV import, a field work photo. A refusal is a 413 naming the
limit and leaves nothing behind; what is stored stays. The owner sees storage against the limit
on the billing page and is told once when storage nears the limit and once when it is full."""

from __future__ import annotations

import base64
import hashlib

import pytest
from django.core.exceptions import ValidationError
from tests.billing.conftest import post_json
from tests.fieldwork.conftest import alice_m, berlin, bob_m, form, send, task  # noqa: F401  (fixtures)
from tests.fieldwork.test_photos import jpeg_with_gps
from tests.portal.conftest import (  # noqa: F401  (fixtures)
    api_create,
    api_patch,
    carol,
    carol_client,
    client_for,
    portal_files,
    space,
    store_file,
    stored_bytes,
)
from tests.portal.test_import import _authorize, _start, dav_root, webdav  # noqa: F401  (fixtures)

from officium.accounts.limits import StorageFull
from officium.billing import limits, usage
from officium.billing.models import PlanTier, Subscription
from officium.notifications.models import Notification
from officium.portal import uploads
from officium.portal.models import File, Folder, ImportItem, ImportJob, ImportSource, Upload
from officium.privacy.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
ORG = "alpha"
KB = 1024


@pytest.fixture
def one_mb(alice_org):
    """The free plan shrunk to 1 MB so a test fills it with small files."""
    PlanTier.objects.filter(code="free").update(max_storage_mb=1)
    return alice_org


def test_BI1_an_upload_beyond_the_plans_storage_is_413_naming_the_limit_and_nothing_is_written(
        one_mb, alice, space, carol, carol_client, portal_files):
    owner = alice.memberships.get()
    store_file(owner, space, b"a" * 700 * KB, name="big.bin")
    objects, entries = len(stored_bytes(portal_files)), AuditEntry.objects.count()
    response = api_create(carol_client, ORG, space, b"b" * 400 * KB, name="more.bin")
    assert response.status_code == 413, response.content
    body = response.json()
    assert body["code"] == "too_large" and body["field"] == "size"
    assert "Free plan has 1.0 MB of storage" in body["message"] and "0.7 MB is in use" in body["message"]
    assert body["limit_bytes"] == 1024 * KB and body["used_bytes"] == 700 * KB
    assert not Upload.objects.exists() and File.objects.count() == 1
    assert len(stored_bytes(portal_files)) == objects and AuditEntry.objects.count() == entries
    # what fits is still taken
    assert api_create(carol_client, ORG, space, b"c" * 300 * KB, name="fits.bin").status_code == 201


def test_BI1_versions_trash_and_uploads_in_progress_count(one_mb, alice, space, carol_client):
    owner = alice.memberships.get()
    first = store_file(owner, space, b"1" * 300 * KB, name="plan.pdf")
    store_file(owner, space, b"2" * 300 * KB, name="plan.pdf")  # a new version: both are kept
    from officium.portal import files

    files.trash_file(owner, first.versions.first() or first)
    assert usage.storage_bytes(one_mb) == 600 * KB
    in_progress = api_create(carol_client, ORG, space, b"3" * 300 * KB, name="half.bin")
    assert in_progress.status_code == 201  # 900 KB reserved now
    new_version = api_create(carol_client, ORG, space, b"4" * 200 * KB, name="plan.pdf")
    assert new_version.status_code == 413 and "uploads in progress" in new_version.json()["message"]
    assert File.objects.count() == 2 and Upload.objects.count() == 1


def test_BI1_a_chunk_when_the_rest_no_longer_fits_is_413_and_the_upload_is_removed(
        one_mb, alice, space, carol_client, portal_files):
    data = b"x" * 600 * KB
    created = api_create(carol_client, ORG, space, data, name="late.bin")
    assert created.status_code == 201
    location = created.json()["location"]
    assert api_patch(carol_client, location, 0, data[:100 * KB]).status_code in (200, 204)
    # the organization stored more meanwhile (another device, a photo): the rest no longer fits
    _stored_elsewhere(one_mb, space, alice, 500 * KB)
    refused = api_patch(carol_client, location, 100 * KB, data[100 * KB:])
    assert refused.status_code == 413 and refused.json()["field"] == "size"
    assert "the upload was stopped and its bytes removed" in refused.json()["message"]
    assert not Upload.objects.exists() and carol_client.head(location).status_code == 404
    discarded = AuditEntry.objects.filter(event="portal.upload_discarded")
    assert [e.details["reason"] for e in discarded] == ["storage_full"]


def _stored_elsewhere(organization, space, user, size: int) -> File:
    """A stored file's row, as if it had arrived some other way (its bytes do not matter here)."""
    return File.objects.create(organization=organization, space=space, uploaded_by=user, name=f"other-{size}.bin",
                               size=size, sha256="0" * 64, record_size=65536, wrapped_key=b"k")


@pytest.mark.django_db(transaction=True)
def test_BI1_a_webdav_import_beyond_the_storage_fails_that_file_with_the_reason_and_makes_nothing_for_it(
        one_mb, webdav, dav_root, alice, space, carol_client):
    _stored_elsewhere(one_mb, space, alice, 100 * KB)  # then invoice.pdf (1,020,000 bytes) does not fit
    source = _authorize(carol_client, webdav + "/dav/").json()["id"]
    assert _start(carol_client, source, space).status_code == 201
    job = ImportJob.objects.get()
    assert job.files_failed == 1 and job.files_done == 2
    failed = ImportItem.objects.get(status="failed")
    assert failed.remote_path.endswith("invoice.pdf") and "of storage" in failed.error
    assert not File.objects.filter(name="invoice.pdf").exists() and not Upload.objects.exists()
    assert not Folder.objects.filter(name="2026").exists()  # no folder made for a refused file
    assert ImportSource.objects.count() == 1


def test_BI1_a_field_work_photo_counts_and_is_refused_when_storage_is_full(one_mb, alice, bob, space, task):
    from officium.fieldwork.models import Photo
    from officium.privacy.consent.services import set_photo_permission

    set_photo_permission(bob, True)
    bob_client = client_for(bob)
    photo = {"content_base64": base64.b64encode(jpeg_with_gps()).decode()}
    url = f"/api/fieldwork/orgs/alpha/tasks/{task.pk}/photos"
    assert send(bob_client, "post", url, photo).status_code == 201
    assert usage.storage_bytes(one_mb) == Photo.objects.get().size  # photos count
    _stored_elsewhere(one_mb, space, alice, 1024 * KB - Photo.objects.get().size - 100)
    refused = send(bob_client, "post", url, photo)
    assert refused.status_code == 413 and refused.json()["field"] == "photo"
    assert "of storage" in refused.json()["message"] and Photo.objects.count() == 1


def test_BI1_the_owner_is_told_once_near_the_limit_and_once_when_full(
        one_mb, alice, space, django_capture_on_commit_callbacks):
    owner = alice.memberships.get()
    with django_capture_on_commit_callbacks(execute=True):
        store_file(owner, space, b"n" * 950 * KB, name="near.bin")
    near = Notification.objects.filter(recipient=alice, kind="billing.storage")
    assert near.count() == 1 and "92% full" in near.get().title and near.get().url == "/o/alpha/billing/"
    with django_capture_on_commit_callbacks(execute=True):
        store_file(owner, space, b"m" * 10 * KB, name="nearer.bin")  # still near: not told again
        assert near.count() == 1
        store_file(owner, space, b"z" * 64 * KB, name="last.bin")  # exactly full
    assert near.count() == 2 and "Storage is full" in near.order_by("-pk").first().title
    # after a clean-up the worker's daily look re-arms the alerts
    File.objects.filter(name__in=["near.bin", "nearer.bin"]).delete()
    usage.snapshot()
    assert Subscription.objects.get(organization=one_mb).storage_alert == 0


def test_BI1_billing_page_shows_storage_against_the_limit(one_mb, alice, space):
    store_file(alice.memberships.get(), space, b"p" * 512 * KB, name="half.bin")
    html = client_for(alice).get("/o/alpha/billing/").content.decode()
    assert "512.0\xa0KB of 1.0\xa0MB (50%)" in html and 'id="use-members">3 of 5<' in html


def test_BI1_downgrade_beyond_the_storage_is_refused_naming_it_and_changes_nothing(
        standin, alice_org, alice, owner_api, space):
    from tests.billing.conftest import card_form, tokenize

    assert post_json(owner_api, "/api/billing/orgs/alpha/plan",
                     {"plan": "standard", **card_form(tokenize(standin), save_card=True)}).status_code == 200
    PlanTier.objects.filter(code="free").update(max_storage_mb=1)
    _stored_elsewhere(alice_org, space, alice, 2 * 1024 * KB)
    entries = AuditEntry.objects.count()
    response = post_json(owner_api, "/api/billing/orgs/alpha/plan", {"plan": "free"})
    assert response.status_code == 400 and response.json()["field"] == "plan"
    assert "2.0 MB stored (the Free plan allows 1 MB)" in response.json()["message"]
    subscription = Subscription.objects.get()
    assert subscription.plan.code == "standard" and subscription.credit_cents == 0
    assert AuditEntry.objects.count() == entries and File.objects.count() == 1
    page = client_for(alice)
    html = page.get("/o/alpha/billing/").content.decode()
    assert 'id="too-small-free"' in html and 'id="choose-free"' not in html
    assert "Too small for what you hold: 2.0 MB stored (the Free plan allows 1 MB)" in html
    change = page.get("/o/alpha/billing/plan/free/").content.decode()
    assert 'id="beyond-limits"' in change and 'id="confirm-plan"' not in change


def test_BI1_BI3_fallback_over_the_storage_keeps_every_file_shows_it_and_refuses_more(
        one_mb, alice, space, carol_client):
    from django.utils import timezone

    from officium.billing import invoices

    kept = store_file(alice.memberships.get(), space, b"k" * 300 * KB, name="kept.bin")
    _stored_elsewhere(one_mb, space, alice, 2 * 1024 * KB)  # held while on a larger plan
    Subscription.objects.filter(pk=limits.subscription_for(one_mb).pk).update(
        plan=PlanTier.objects.get(code="standard"), status="past_due", grace_until=timezone.now())
    assert invoices.fall_back_after_grace() == 1
    assert limits.subscription_for(one_mb).plan.code == "free"
    # nothing removed or hidden: still listed and downloadable; only adding more is refused
    assert File.objects.count() == 2
    assert carol_client.get(f"/api/portal/orgs/{ORG}/files/{kept.pk}/content").status_code == 200
    assert api_create(carol_client, ORG, space, b"+" * KB, name="one-more.bin").status_code == 413
    html = client_for(alice).get("/o/alpha/billing/").content.decode()
    assert 'id="over-limits"' in html and "(1.0\xa0MB allowed)" in html and "Nothing was removed" in html


def test_BI1_the_service_refusal_is_a_validation_error_pages_show(one_mb, alice, space):
    with pytest.raises(ValidationError) as refused:
        uploads.start_upload(alice.memberships.get(), space, name="x.bin", size=2 * 1024 * KB,
                             sha256=hashlib.sha256(b"").hexdigest())
    assert isinstance(refused.value, StorageFull) and "of storage" in refused.value.message_dict["size"][0]
