"""RI4, SE2: an erased person stays erased when a backup taken before the erasure comes back.

Each test runs the real `officium backup` / `officium restore` commands in their own processes
on file-backed SQLite databases (a "live" one and a fresh one restored into), with their own
key store directory (master key, shred ledger, erasure ledger) like an operator's machine.
"""

from __future__ import annotations

import base64
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "pw-correct-horse-123"

SEED = f"""
import django; django.setup()
from datetime import timedelta
from django.utils import timezone
from officium.accounts.models import Membership, Organization, User
from officium.accounts.roles import Role
from officium.attendance.models import LocationEvent
org = Organization.objects.create(name="Acme Works", slug="acme", country="DE")
alice = User.objects.create_user("alice@acme.example", "{PASSWORD}", first_name="Alice", last_name="Anders",
                                 phone="+44 20 7946 0958", is_active=True, email_confirmed_at=timezone.now())
bob = User.objects.create_user("bob@acme.example", "{PASSWORD}", first_name="Bobbington", last_name="Berg",
                               phone="+49 30 1234567", is_active=True, email_confirmed_at=timezone.now())
carol = User.objects.create_user("carol@acme.example", "{PASSWORD}", phone="+33 1 2345 6789", is_active=True)
Membership.objects.create(organization=org, user=alice, role=Role.OWNER)
Membership.objects.create(organization=org, user=carol, role=Role.MEMBER)
member = Membership.objects.create(organization=org, user=bob, role=Role.MEMBER)
now = timezone.now()
LocationEvent.objects.bulk_create([LocationEvent(
    organization=org, member=member, kind="check_in", occurred_at=now - timedelta(hours=i),
    received_at=now, latitude=52.5, longitude=13.4, accuracy_m=10, location_status="inside")
    for i in range(5)])
print(bob.pk)
"""

CANCEL = f"""
import django, sys; django.setup()
from officium.accounts.models import User
from officium.accounts.termination import cancel_account
person = User.objects.get(email=sys.argv[1])
print(cancel_account(person, "{PASSWORD}").user)
"""

# What a person, an officer and an export see in the restored database.
LOOK = f"""
import django, sys; django.setup()
from django.db import connection
from django.test import Client
from officium.accounts.models import Membership, User
from officium.attendance.models import LocationEvent
from officium.privacy.rights.answers import subject_of
from officium.privacy.rights.export import open_export, write_export
from officium.privacy.rights.records import Subject

bob_id = int(sys.argv[1])
print("bob rows:", User.objects.filter(pk=bob_id).count(), User.objects.filter(email="bob@acme.example").count(),
      Membership.objects.filter(user_id=bob_id).count(), LocationEvent.objects.filter(member__user_id=bob_id).count())
for email in ("bob@acme.example", "alice@acme.example"):
    client = Client()
    client.post("/accounts/login/", {{"username": email, "password": "{PASSWORD}"}})
    print("sign-in", email, "_auth_user_id" in client.session)
alice = User.objects.get(email="alice@acme.example")
print("alice phone:", alice.phone)
owner = Client()
owner.force_login(alice)
page = owner.get("/o/acme/members/").content.decode()
print("members page:", "Bobbington" in page, "bob@acme.example" in page, "Anders" in page)
for name, subject in (("bob", Subject(user_id=bob_id, email="bob@acme.example")),
                      ("alice", Subject(user_id=alice.pk, email=alice.email))):
    result = write_export("t-" + name, "access", subject, context=lambda terms: {{}})
    data = b"".join(open_export(result.path))
    print("export", name, sorted(result.counts), b"Bobbington" in data, b"1234567" in data)
user = User.objects.create_user("new@acme.example", "{PASSWORD}")
print("new id above bob:", user.pk > bob_id)
"""


def run(env: dict[str, str], *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, *args], env=env, cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    if ok:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


def officium(env: dict[str, str], *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    return run(env, "-m", "officium.cli", *args, ok=ok)


MASTER_KEY = base64.b64encode(os.urandom(32)).decode()


def environment(tmp_path: Path, database: str) -> dict[str, str]:
    return {**os.environ, "OFFICIUM_VAR_DIR": str(tmp_path / "var"), "OFFICIUM_ENV": "test",
            "DJANGO_SETTINGS_MODULE": "officium.settings", "LOG_TO_FILES": "false",
            "DATABASE_URL": f"sqlite:///{tmp_path / database}", "OFFICIUM_MASTER_KEY": MASTER_KEY}


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty migrated database, copied by each test (migrating takes a while)."""
    where = tmp_path_factory.mktemp("template")
    officium(environment(where, "template.sqlite3"), "manage", "migrate", "--skip-checks", "-v", "0")
    return where / "template.sqlite3"


@pytest.fixture
def erased_after_backup(tmp_path: Path, migrated: Path) -> tuple[dict[str, str], Path, int]:
    """A live installation: alice, bob and carol; carol cancels her account (an erasure the
    ledgers hold when the backup is taken); a backup; then bob cancels his."""
    shutil.copy(migrated, tmp_path / "live.sqlite3")
    env = environment(tmp_path, "live.sqlite3")
    bob_id = int(run(env, "-c", SEED).stdout.strip())
    assert run(env, "-c", CANCEL, "carol@acme.example").stdout.strip() == "deleted"
    backup = tmp_path / "backup.tar"
    officium(env, "backup", str(backup))
    assert run(env, "-c", CANCEL, "bob@acme.example").stdout.strip() == "deleted"
    shutil.copy(migrated, tmp_path / "fresh.sqlite3")
    return environment(tmp_path, "fresh.sqlite3"), backup, bob_id


def user_count(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return int(db.execute("SELECT count(*) FROM accounts_user").fetchone()[0])


def test_RI4_restore_after_erasure_into_a_fresh_database_keeps_the_person_erased(erased_after_backup, tmp_path):
    fresh, backup, bob_id = erased_after_backup
    with tarfile.open(backup) as tar:  # the archive's database itself still holds bob
        tar.extract("database.sqlite3", tmp_path / "unpacked", filter="data")
    with sqlite3.connect(tmp_path / "unpacked" / "database.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM accounts_user WHERE id = ?", [bob_id]).fetchone()[0] == 1

    restored = officium(fresh, "restore", str(backup))
    assert "1 erased person(s) erased again" in restored.stderr

    out = run(fresh, "-c", LOOK, str(bob_id)).stdout
    assert "bob rows: 0 0 0 0" in out                       # account, email, membership, times
    assert "sign-in bob@acme.example False" in out          # bob cannot sign in
    assert "sign-in alice@acme.example True" in out         # alice still can
    assert "alice phone: +44 20 7946 0958" in out           # and her sealed data still opens
    assert "members page: False False True" in out          # the officer's page: alice only
    assert "export bob [] False False" in out               # an access export finds nothing of bob
    assert "export alice ['accounts.Membership', 'accounts.User']" in out
    assert "new id above bob: True" in out                  # no new account takes bob's id

    again = officium(fresh, "restore", str(backup))        # idempotent: restoring twice is the same
    assert "1 erased person(s) erased again" in again.stderr
    assert "bob rows: 0 0 0 0" in run(fresh, "-c", LOOK, str(bob_id)).stdout


@pytest.mark.parametrize("damage", ["missing", "older", "other"])
def test_RI4_restore_refused_without_the_ledger_unless_accepted(erased_after_backup, tmp_path, damage):
    fresh, backup, bob_id = erased_after_backup
    keystore = tmp_path / "var" / "keystore"
    shred_ledger = keystore / "destroyed-keys"
    if damage == "missing":
        shred_ledger.unlink()
    elif damage == "older":  # a copy from before carol's erasure: shorter than the backup saw
        (keystore / "erased-subjects").write_text("")
    else:
        shred_ledger.write_text("0" * 32 + " subject 999 2020-01-01T00:00:00+00:00\n")

    refused = officium(fresh, "restore", str(backup), ok=False)
    assert refused.returncode == 2
    assert "refused, nothing was changed" in refused.stderr
    assert "--accept-missing-ledger" in refused.stderr and "can sign in again" in refused.stderr
    assert user_count(tmp_path / "fresh.sqlite3") == 0

    accepted = officium(fresh, "restore", "--accept-missing-ledger", str(backup))
    assert "ACCEPTED with --accept-missing-ledger" in accepted.stderr
    assert "Consequence: Keys destroyed and people erased" in accepted.stderr
    assert user_count(tmp_path / "fresh.sqlite3") >= 1


def test_RI4_restore_refused_with_a_mismatching_master_key_unless_accepted(erased_after_backup, tmp_path):
    fresh, backup, bob_id = erased_after_backup
    other_key = {**fresh, "OFFICIUM_MASTER_KEY": base64.b64encode(os.urandom(32)).decode()}

    refused = officium(other_key, "restore", str(backup), ok=False)
    assert refused.returncode == 2
    assert "the master key does not match the backup" in refused.stderr
    assert "--accept-master-key-mismatch" in refused.stderr
    assert user_count(tmp_path / "fresh.sqlite3") == 0

    accepted = officium(other_key, "restore", "--accept-master-key-mismatch", str(backup))
    assert "ACCEPTED with --accept-master-key-mismatch" in accepted.stderr
    assert "reads as [erased] for good" in accepted.stderr
    out = run(other_key, "-c", LOOK, str(bob_id)).stdout
    assert "bob rows: 0 0 0 0" in out and "sign-in bob@acme.example False" in out
    assert "alice phone: [erased]" in out   # sealed under a key nobody can unwrap: erased, no error


def test_RI4_restore_refused_without_a_manifest(erased_after_backup, tmp_path):
    fresh, backup, _ = erased_after_backup
    Path(f"{backup}.manifest.json").unlink()
    refused = officium(fresh, "restore", str(backup), ok=False)
    assert refused.returncode == 2 and "no manifest beside the backup" in refused.stderr
    assert user_count(tmp_path / "fresh.sqlite3") == 0


# --- a destroyed key in one process stops opening at once in another -------------------------

HOLDER = """
import django, sys; django.setup()
from officium.accounts.models import User
bob = User.objects.get(email="bob@acme.example")
print("before", bob.phone, flush=True)   # bob's key is now in this process's cache
sys.stdin.readline()                     # ... while another process erases bob
print("after", User._meta.get_field("phone").reveal(bob, bob.__dict__["phone"]), flush=True)
"""

SHRED = """
import django; django.setup()
from officium.accounts.models import User
from officium.privacy.vault.shredding import destroy_subject_keys
print(destroy_subject_keys(User.objects.get(email="bob@acme.example").pk))
"""


def test_RI4_SE2_a_destroyed_key_stops_opening_at_once_in_another_process(tmp_path, migrated):
    shutil.copy(migrated, tmp_path / "live.sqlite3")
    env = environment(tmp_path, "live.sqlite3")
    run(env, "-c", SEED)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER], env=env, cwd=ROOT, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "before +49 30 1234567"
        assert run(env, "-c", SHRED).stdout.strip() == "True"
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "after [erased]"
    finally:
        holder.kill()
        holder.wait(timeout=30)


# --- the same on PostgreSQL (pg_dump / pg_restore), when a server is at hand -----------------

PG_SERVER = os.environ.get("OFFICIUM_TEST_PG", "postgresql://postgres@127.0.0.1:5432")


def _pg_databases(*names: str) -> bool:
    """(Re)create scratch databases named after this test module; False without a server."""
    try:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{name}"')
    except Exception:  # noqa: BLE001
        return False
    return True


def test_RI4_restore_after_erasure_on_postgresql(tmp_path):
    live, fresh_name = f"officium_restore_{os.getpid()}_live", f"officium_restore_{os.getpid()}_fresh"
    if not _pg_databases(live, fresh_name):
        pytest.skip("no PostgreSQL server at " + PG_SERVER)
    try:
        env = {**environment(tmp_path, "unused"), "DATABASE_URL": f"{PG_SERVER}/{live}"}
        officium(env, "manage", "migrate", "--skip-checks", "-v", "0")
        bob_id = int(run(env, "-c", SEED).stdout.strip())
        backup = tmp_path / "backup.tar"
        officium(env, "backup", str(backup))
        assert run(env, "-c", CANCEL, "bob@acme.example").stdout.strip() == "deleted"

        fresh = {**env, "DATABASE_URL": f"{PG_SERVER}/{fresh_name}"}
        assert "1 erased person(s) erased again" in officium(fresh, "restore", str(backup)).stderr
        out = run(fresh, "-c", LOOK, str(bob_id)).stdout
        assert "bob rows: 0 0 0 0" in out and "sign-in bob@acme.example False" in out
        assert "sign-in alice@acme.example True" in out and "members page: False False True" in out
        assert "export bob [] False False" in out and "new id above bob: True" in out
    finally:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            for name in (live, fresh_name):
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
