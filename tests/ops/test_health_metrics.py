"""SC2: liveness and readiness answers naming each dependency, and Prometheus metrics by route
name with no person or id in a label, behind a bearer token."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks import task

from officium.mail.models import OutboxEmail, Status
from officium.privacy.retention.models import SweepRun, SweepStatus

TOKEN = "metrics-token-for-tests-0123456789"


@task(queue_name="privacy")
def noted() -> None:
    """A task that is only enqueued here (the database queue holds it)."""


def _refuse_every_query(execute, sql, params, many, context):
    raise OperationalError("connection refused")


def test_SC2_liveness_answers_without_touching_anything(client: Client) -> None:
    with connection.execute_wrapper(_refuse_every_query):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_SC2_readiness_names_every_check_when_all_are_up(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "checks": {
        "database": {"ok": True}, "storage": {"ok": True}, "queue": {"ok": True},
        "key_store": {"ok": True}}}


@pytest.mark.django_db
def test_SC2_readiness_is_503_naming_the_database_when_it_is_unreachable(client: Client) -> None:
    with connection.execute_wrapper(_refuse_every_query):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert body["checks"]["storage"] == {"ok": True}


@pytest.mark.django_db
def test_SC2_readiness_is_503_naming_the_storage_when_it_cannot_be_written(client: Client, tmp_path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the storage expects a directory")
    storages = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                            "OPTIONS": {"location": str(blocker / "files")}},
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(STORAGES=storages):
        response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["storage"]["ok"] is False and checks["storage"]["error"]
    assert checks["database"] == {"ok": True}
    assert str(tmp_path) not in response.content.decode()  # the class name only, never a path


@pytest.mark.django_db
def test_SC2_readiness_is_503_naming_the_key_store_when_the_master_key_is_wrong(client: Client) -> None:
    from officium.privacy.vault import keys
    from officium.privacy.vault.kms import generate_master_key_text

    keys.subject_key(4242)  # a stored data key, wrapped by the configured master key
    with override_settings(OFFICIUM_MASTER_KEY=generate_master_key_text()):
        response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["key_store"] == {"ok": False, "error": "KeyUnwrapError"}
    assert checks["database"] == {"ok": True}


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend",
                                      "QUEUES": ["default", "email", "privacy", "retention"]}})
@pytest.mark.django_db
def test_SC2_readiness_reaches_the_database_queue(client: Client) -> None:
    response = client.get("/readyz")
    assert response.json()["checks"]["queue"] == {"ok": True}


@pytest.mark.django_db
def test_SC2_metrics_are_a_404_without_a_configured_token(client: Client) -> None:
    with override_settings(OFFICIUM_METRICS_TOKEN=""):
        assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 404


@override_settings(OFFICIUM_METRICS_TOKEN=TOKEN)
@pytest.mark.django_db
def test_SC2_metrics_require_the_bearer_token(client: Client) -> None:
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 401
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")


def _scrape(client: Client) -> str:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    return response.content.decode()


def _labels(text: str) -> list[str]:
    return re.findall(r"\{([^}]*)\}", text)


@override_settings(OFFICIUM_METRICS_TOKEN=TOKEN)
@pytest.mark.django_db
def test_SC2_requests_are_counted_by_route_name_never_by_path(client: Client, alice) -> None:
    client.get("/privacy/center/requests/987654/")
    client.get("/privacy/request/bob.secret@example.com/")
    client.get("/people/alice@example.com/555444/")
    text = _scrape(client)
    assert re.search(r'officium_http_requests_total\{method="GET",route="[^"]*public_request",'
                     r'status="404"\} [1-9]', text), text
    assert re.search(r'officium_http_request_duration_seconds_count\{method="GET",'
                     r'route="[^"]*center_request"\} [1-9]', text)
    assert 'route="unmatched"' in text
    labels = " ".join(_labels(text))
    for personal in ("987654", "555444", "bob.secret", "example.com", "@", alice.email):
        assert personal not in labels, personal
    assert "/privacy/" not in labels


@override_settings(OFFICIUM_METRICS_TOKEN=TOKEN,
                   TASKS={"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend",
                                      "QUEUES": ["default", "email", "privacy", "retention"]}})
@pytest.mark.django_db
def test_SC2_queue_outbox_and_retention_gauges(client: Client, alice) -> None:
    from django_tasks_db.models import DBTaskResult

    noted.enqueue()
    noted.enqueue()
    failed = DBTaskResult.objects.create(
        task_path=noted.module_path, queue_name="privacy", backend_name="default",
        args_kwargs={"args": [], "kwargs": {}}, run_after=timezone.now(), status="FAILED",
        exception_class_path="builtins.ValueError", traceback="")
    assert failed.pk
    old = timezone.now() - timedelta(minutes=30)
    for status in (Status.PENDING, Status.PENDING, Status.FAILED, Status.SENT):
        OutboxEmail.objects.create(user=alice, to_address=alice.email, subject="s", category="test",
                                   status=status, created_at=old)
    SweepRun.objects.create(cutoff_at=timezone.now(), status=SweepStatus.RUNNING, deleted=4200)
    text = _scrape(client)
    path = noted.module_path
    assert f'officium_tasks_queued{{queue="privacy",task="{path}"}} 2.0' in text
    assert f'officium_tasks_failed{{queue="privacy",task="{path}"}} 1.0' in text
    assert 'officium_mail_outbox{status="pending"} 2.0' in text
    assert 'officium_mail_outbox{status="failed"} 1.0' in text
    oldest = float(re.search(r"^officium_mail_outbox_oldest_pending_seconds (\S+)$", text, re.M).group(1))
    assert 1700 < oldest < 1900
    assert "officium_retention_sweep_running 1.0" in text
    assert "officium_retention_sweep_deleted_rows 4200.0" in text
    labels = " ".join(_labels(text))
    assert alice.email not in labels and "@" not in labels
