"""SE4: the audit log is tamper-evident. Every kind of tampering done straight in the database
(edit, delete, reorder, truncate) is found by `officium audit verify`, at the first bad entry."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from officium.privacy import audit
from officium.privacy.audit.chain import verify
from officium.privacy.audit.checkpoints import (
    against_checkpoint,
    latest_checkpoint,
    write_checkpoint,
)
from officium.privacy.audit.cli import main as audit_cli
from officium.privacy.audit.models import AuditEntry


@pytest.fixture
def checkpoint_file(tmp_path, settings):
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "checkpoints.jsonl"
    return settings.AUDIT_CHECKPOINT_FILE


@pytest.fixture
def ten_entries(db):
    for n in range(10):
        audit.record("test.event", actor=1, organization=7, subject=100 + n, details={"n": n})
    return list(AuditEntry.objects.order_by("seq"))


def raw(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def test_SE4_untouched_chain_verifies(ten_entries, capsys, checkpoint_file):
    result = verify()
    assert result.ok and result.checked == 10 and result.head_seq == 10
    assert audit_cli(["verify"]) == 0
    assert "ok, 10 entries verified" in capsys.readouterr().out


def test_SE4_edited_column_is_found(ten_entries, capsys, checkpoint_file):
    raw("UPDATE audit_auditentry SET event = %s WHERE seq = 4", ["test.harmless"])
    assert str(verify().problem) == "entry #4: its recorded content was changed (hash mismatch)"
    assert audit_cli(["verify"]) == 1
    assert "FAILED at entry #4" in capsys.readouterr().out


@pytest.mark.parametrize("column, value", [
    ("subject_id", 999), ("actor_id", None), ("organization_id", 8), ("target_id", "x"),
    ("details", '{"n":99}'), ("created_at", "2020-01-01 00:00:00"),
])
def test_SE4_every_edited_column_is_found(ten_entries, checkpoint_file, column, value):
    raw(f"UPDATE audit_auditentry SET {column} = %s WHERE seq = 6", [value])
    assert verify().problem.seq == 6


def test_SE4_rehashed_entry_breaks_the_next_link(ten_entries, checkpoint_file):
    """Even a forger who recomputes the edited entry's own hash is caught by the next entry."""
    from officium.privacy.audit.chain import _walk, link

    with _walk(100) as batches:
        seq, prev_hash, _, form = next(r for r in next(batches) if r[0] == 3)
    columns = form.split("\x1f")
    columns[4] = "666"  # the subject
    raw("UPDATE audit_auditentry SET subject_id = 666, entry_hash = %s WHERE seq = 3",
        [link(prev_hash, "\x1f".join(columns))])
    problem = verify().problem
    assert problem.seq == 4 and "does not follow" in problem.reason


def test_SE4_deleted_entry_is_found(ten_entries, checkpoint_file):
    raw("DELETE FROM audit_auditentry WHERE seq = 7")
    assert str(verify().problem) == "entry #7: missing (the next entry is #8)"


def test_SE4_reordered_entries_are_found(ten_entries, checkpoint_file):
    first, second = ten_entries[3], ten_entries[4]
    with transaction.atomic():
        raw("UPDATE audit_auditentry SET seq = -1 WHERE seq = 4")
        raw("UPDATE audit_auditentry SET seq = 4 WHERE seq = 5")
        raw("UPDATE audit_auditentry SET seq = 5 WHERE seq = -1")
    assert first.seq == 4 and second.seq == 5
    assert verify().problem.seq == 4


def test_SE4_truncated_tail_is_found_against_the_signed_checkpoint(ten_entries, checkpoint_file):
    assert write_checkpoint(verify()).seq == 10
    assert latest_checkpoint().seq == 10
    raw("DELETE FROM audit_auditentry WHERE seq > 8")
    result = verify()
    assert result.ok  # the rest still links: only the checkpoint can tell
    problem = against_checkpoint(result)
    assert problem is not None and "truncated" in problem.reason


def test_SE4_forged_checkpoint_is_refused(ten_entries, checkpoint_file):
    write_checkpoint(verify())
    text = checkpoint_file.read_text().replace('"seq": 10', '"seq": 11')
    checkpoint_file.write_text(text)
    with pytest.raises(ValueError, match="bad signature"):
        latest_checkpoint()


def test_SE4_rewritten_history_differs_from_checkpoint(ten_entries, checkpoint_file):
    write_checkpoint(verify())
    raw("UPDATE audit_auditentry SET entry_hash = %s WHERE seq = 10", ["f" * 64])
    result = verify()
    assert not result.ok or against_checkpoint(result) is not None


def test_audit_entries_hold_no_personal_values(alice, bob):
    from officium.accounts.services import create_api_token

    create_api_token(alice, "laptop")
    for entry in AuditEntry.objects.all():
        text = f"{entry.event} {entry.target_type} {entry.target_id} {entry.details}"
        assert "alice@alpha.example" not in text and "Alice" not in text


def test_rolled_back_change_leaves_no_entry_and_chain_stays_valid(db):
    audit.record("test.before")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record("test.rolled_back")
        raise RuntimeError
    audit.record("test.after")
    assert list(AuditEntry.objects.values_list("event", flat=True)) == ["test.before", "test.after"]
    assert verify().ok


def test_SE4_tail_held_for_a_transaction_follows_savepoint_rollbacks(db):
    """Within one transaction the chain's tail is read once and then held; a savepoint rolled
    back (taking its entries with it) or released must leave the next append linked right."""
    with transaction.atomic():
        audit.record("test.a")
        with pytest.raises(RuntimeError), transaction.atomic():
            audit.record("test.b")
            audit.record("test.c")
            raise RuntimeError
        audit.record("test.d")
        with transaction.atomic():
            audit.record("test.e")
        audit.record("test.f")
        with pytest.raises(RuntimeError), transaction.atomic():
            with transaction.atomic():
                audit.record("test.g")
            raise RuntimeError
        audit.record("test.h")
    assert list(AuditEntry.objects.values_list("event", flat=True)) == [
        "test.a", "test.d", "test.e", "test.f", "test.h"]
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == [1, 2, 3, 4, 5]
    assert verify().ok


@pytest.mark.django_db(transaction=True)
def test_SE4_tail_is_read_again_in_the_next_transaction():
    """Another writer may append between two transactions: the held tail dies with its own."""
    with transaction.atomic():
        audit.record("test.first")
    raw("INSERT INTO audit_auditentry (seq, created_at, organization_id, actor_id, subject_id, "
        "event, target_type, target_id, details, prev_hash, entry_hash) SELECT seq + 1, "
        "created_at, NULL, NULL, NULL, 'test.other', '', '', '{}', entry_hash, entry_hash "
        "FROM audit_auditentry WHERE seq = 1")
    audit.record("test.second")
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == [1, 2, 3]
    assert AuditEntry.objects.get(seq=3).prev_hash == AuditEntry.objects.get(seq=2).entry_hash


@pytest.mark.django_db(transaction=True)
def test_SE4_concurrent_transactions_form_one_chain():
    """Appends from concurrent transactions still form one valid chain (PostgreSQL serializes
    them with an advisory lock; SQLite with its single writer)."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        pytest.skip("in-memory SQLite cannot be shared between threads; PostgreSQL CI runs this")
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(20):
                with transaction.atomic():
                    audit.record("test.concurrent", subject=n, details={"i": i})
                    audit.record("test.concurrent_pair", subject=n, details={"i": i})
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    result = verify()
    assert result.ok and result.checked == 240
