"""SE4: a cut audit log stays caught. The periodic checkpoint job signs only heads that extend the
last signed checkpoint; on a cut or rewritten log it refuses, records the refusal and alerts the
platform's privacy staff, so `officium audit verify` keeps failing after the job has run."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from tests.conftest import make_user

from officium.privacy import audit
from officium.privacy.audit.alerts import REFUSED_EVENT
from officium.privacy.audit.checkpoints import latest_checkpoint
from officium.privacy.audit.cli import main as audit_cli
from officium.privacy.audit.models import AuditEntry
from officium.privacy.audit.tasks import checkpoint_audit_log
from officium.worker import scheduler


@pytest.fixture
def checkpoint_file(tmp_path, settings):
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "checkpoints.jsonl"
    return settings.AUDIT_CHECKPOINT_FILE


@pytest.fixture
def officer(db):
    return make_user("dpo@platform.example", "Dana", "Officer", is_staff=True)


def add_entries(count: int) -> None:
    for n in range(count):
        audit.record("test.event", actor=1, organization=7, subject=100 + n, details={"n": n})


def cut_after(seq: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq > %s", [seq])
    # The cut is someone else's doing: the tail this test's transaction holds is no longer ours.
    connection._audit_tail = None


def run_job(capture) -> int:
    with capture(execute=True):
        return checkpoint_audit_log.call()


def lines(path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


def test_SE4_checkpoints_run_every_minute():
    job = next(j for j in scheduler.jobs() if j.name == "audit.checkpoint")
    assert job.interval.total_seconds() <= 60


def test_SE4_job_signs_only_when_the_log_has_grown(db, checkpoint_file, django_capture_on_commit_callbacks):
    add_entries(10)
    assert run_job(django_capture_on_commit_callbacks) == 10
    assert run_job(django_capture_on_commit_callbacks) == 10
    assert len(lines(checkpoint_file)) == 1  # nothing new: nothing signed
    add_entries(2)
    assert run_job(django_capture_on_commit_callbacks) == 12
    assert len(lines(checkpoint_file)) == 2 and latest_checkpoint().seq == 12


def test_SE4_truncation_is_caught_before_the_job_runs_on_the_cut_log(
        db, checkpoint_file, capsys, django_capture_on_commit_callbacks):
    add_entries(10)
    run_job(django_capture_on_commit_callbacks)
    cut_after(7)
    assert audit_cli(["verify"]) == 1
    out = capsys.readouterr().out
    assert "FAILED at entry #8" in out and "truncated" in out


def test_SE4_truncation_is_still_caught_after_the_job_ran_on_the_cut_log(
        db, officer, checkpoint_file, capsys, django_capture_on_commit_callbacks):
    add_entries(10)
    run_job(django_capture_on_commit_callbacks)
    signed = checkpoint_file.read_text()
    cut_after(7)
    mail.outbox.clear()

    assert run_job(django_capture_on_commit_callbacks) == 10  # the old checkpoint stays in force
    assert checkpoint_file.read_text() == signed  # the cut head was not signed
    assert audit_cli(["verify"]) == 1
    assert "truncated" in capsys.readouterr().out

    # The officers are told, and the refusal is itself on the record.
    assert [m.to for m in mail.outbox] == [["dpo@platform.example"]]
    assert "checkpoint was refused" in mail.outbox[0].subject
    assert "the tail was truncated" in mail.outbox[0].body
    refusal = AuditEntry.objects.get(event=REFUSED_EVENT)
    assert refusal.details["checkpoint_seq"] == 10 and refusal.details["head_seq"] == 7


def test_SE4_job_refuses_a_head_that_passes_the_checkpoint_without_extending_it(
        db, officer, checkpoint_file, capsys, django_capture_on_commit_callbacks):
    """Cut, then write enough new entries to reach past the checkpointed seq: the head is higher
    but not an extension, so it is still refused (the checkpointed entry has another hash)."""
    add_entries(10)
    run_job(django_capture_on_commit_callbacks)
    cut_after(7)
    add_entries(6)  # entries 8..13, a different history
    signed = checkpoint_file.read_text()

    run_job(django_capture_on_commit_callbacks)
    assert checkpoint_file.read_text() == signed
    assert AuditEntry.objects.filter(event=REFUSED_EVENT).count() == 1
    assert "history rewritten" in AuditEntry.objects.get(event=REFUSED_EVENT).details["reason"]
    assert audit_cli(["verify"]) == 1
    assert "differs from the signed checkpoint" in capsys.readouterr().out


def test_SE4_job_refuses_new_entries_that_do_not_chain(db, officer, checkpoint_file,
                                                       django_capture_on_commit_callbacks):
    add_entries(10)
    run_job(django_capture_on_commit_callbacks)
    add_entries(3)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET event = %s WHERE seq = 12", ["test.other"])
    mail.outbox.clear()
    run_job(django_capture_on_commit_callbacks)
    assert latest_checkpoint().seq == 10
    assert len(mail.outbox) == 1


def test_SE4_alert_is_not_repeated_every_minute(db, officer, checkpoint_file,
                                                 django_capture_on_commit_callbacks):
    add_entries(10)
    run_job(django_capture_on_commit_callbacks)
    cut_after(5)
    mail.outbox.clear()
    for _ in range(3):
        run_job(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert AuditEntry.objects.filter(event=REFUSED_EVENT).count() == 1


def test_SE4_verify_prints_the_last_checkpoint_and_the_unprotected_tail(
        db, checkpoint_file, capsys, django_capture_on_commit_callbacks):
    add_entries(4)
    assert audit_cli(["verify"]) == 0
    assert "last checkpoint: none" in capsys.readouterr().out
    run_job(django_capture_on_commit_callbacks)
    add_entries(3)
    assert audit_cli(["verify"]) == 0
    out = capsys.readouterr().out
    checkpoint = latest_checkpoint()
    assert f"last checkpoint: #4 at {checkpoint.at}; unprotected tail: 3 entries after it" in out


def test_SE4_checkpoint_command_signs_once_and_refuses_a_cut_log(db, checkpoint_file, capsys):
    add_entries(5)
    assert audit_cli(["checkpoint"]) == 0
    assert "checkpoint written at #5" in capsys.readouterr().out
    assert audit_cli(["checkpoint"]) == 0
    assert "nothing new to checkpoint" in capsys.readouterr().out
    cut_after(3)
    assert audit_cli(["checkpoint"]) == 1
    assert latest_checkpoint().seq == 5
