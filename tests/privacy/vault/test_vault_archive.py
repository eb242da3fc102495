"""SC4: one archive (database, stored objects, audit checkpoints) and the restore drill.

The drill of docs/operations.md, run with the real `officium backup` / `officium restore`
commands in their own processes: a live installation with portal files and a signed audit
log is backed up; then a person is erased, a file uploaded and another deleted; the archive
is restored into a fresh place (new database, new storage, the key store carried over apart,
as an operator does). Everything the restored rows name is there and opens, the audit log
verifies, and the erased person is still gone. On SQLite, PostgreSQL, and S3 (moto) storage.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "pw-correct-horse-123"
MASTER_KEY = base64.b64encode(os.urandom(32)).decode()
PG_SERVER = os.environ.get("OFFICIUM_TEST_PG", "postgresql://postgres@127.0.0.1:5432")

CANCEL = f"""
import django, sys; django.setup()
from officium.accounts.models import User
from officium.accounts.termination import cancel_account
print(cancel_account(User.objects.get(email=sys.argv[1]), "{PASSWORD}").user)
"""


def run(env: dict[str, str], *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    if ok:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


def officium(env: dict[str, str], *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    return run(env, "-m", "officium.cli", *args, ok=ok)


def environment(place: Path, database_url: str = "") -> dict[str, str]:
    """One installation's environment: its own VAR_DIR (storage, key store, checkpoints)."""
    place.mkdir(parents=True, exist_ok=True)
    return {**os.environ, "OFFICIUM_VAR_DIR": str(place / "var"), "OFFICIUM_ENV": "test",
            "DJANGO_SETTINGS_MODULE": "officium.settings", "LOG_TO_FILES": "false",
            "DATABASE_URL": database_url or f"sqlite:///{place / 'db.sqlite3'}", "OFFICIUM_MASTER_KEY": MASTER_KEY}


def _pg_databases(*names: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{name}"')
    except Exception:  # noqa: BLE001
        return False
    return True

SEED = f"""
import django, hashlib, io, json; django.setup()
from django.utils import timezone
from officium.accounts.models import Membership, Organization, User
from officium.accounts.roles import Role
from officium.portal import services, uploads
org = Organization.objects.create(name="Acme Works", slug="acme", country="DE")
alice = User.objects.create_user("alice@acme.example", "{PASSWORD}", first_name="Alice", is_active=True,
                                 email_confirmed_at=timezone.now())
bob = User.objects.create_user("bob@acme.example", "{PASSWORD}", first_name="Bobbington", is_active=True,
                               email_confirmed_at=timezone.now())
owner = Membership.objects.create(organization=org, user=alice, role=Role.OWNER)
member = Membership.objects.create(organization=org, user=bob, role=Role.MEMBER)
space = services.create_space(owner, "Contracts")
services.add_member(owner, space, member.pk)
def store(who, name, data):
    upload = uploads.start_upload(who, space, name=name, size=len(data), sha256=hashlib.sha256(data).hexdigest())
    return uploads.receive_chunk(who, upload, 0, io.BytesIO(data), len(data)).file
kept = store(owner, "kept.pdf", b"kept " * 20000)
deleted = store(owner, "deleted-later.pdf", b"deleted later " * 5000)
bobs = store(member, "bob-notes.txt", b"bob's notes " * 100)
print(json.dumps({{"bob": bob.pk, "kept": kept.pk, "deleted": deleted.pk, "space": space.pk}}))
"""

# After the backup: bob erased (his account cancelled), one file deleted, one uploaded.
CHANGE = """
import django, hashlib, io, sys; django.setup()
from officium.accounts.models import Membership
from officium.portal import uploads
from officium.portal.models import File, Space
owner = Membership.objects.get(user__email="alice@acme.example")
space = Space.objects.get(pk=int(sys.argv[2]))
File.objects.get(pk=int(sys.argv[1])).delete()
data = b"uploaded after the backup " * 100
upload = uploads.start_upload(owner, space, name="new.pdf", size=len(data), sha256=hashlib.sha256(data).hexdigest())
print(uploads.receive_chunk(owner, upload, 0, io.BytesIO(data), len(data)).file.pk)
"""

# What the restored installation holds: every file row's object opens and matches its hash.
LOOK = """
import django, hashlib, json, sys; django.setup()
from officium.accounts.models import Membership, User
from officium.portal.downloads import open_file
from officium.portal.models import File
owner = Membership.objects.get(user__email="alice@acme.example")
files = {}
for f in File.objects.order_by("pk"):
    data = b"".join(open_file(owner, f, None).chunks)
    files[f.name] = hashlib.sha256(data).hexdigest() == f.sha256 == hashlib.sha256(data).hexdigest()
print(json.dumps({"files": files, "bob": User.objects.filter(pk=int(sys.argv[1])).count(),
                  "bob_email": User.objects.filter(email="bob@acme.example").count(),
                  "bob_memberships": Membership.objects.filter(user_id=int(sys.argv[1])).count()}))
"""


def _drill(live: dict[str, str], fresh: dict[str, str], tmp_path: Path, *, checkpoint_before: bool,
           put_back: int = 3) -> dict:
    ids = json.loads(run(live, "-c", SEED).stdout)
    officium(live, "audit", "checkpoint")
    archive = tmp_path / "backups" / "officium.tar"
    made = officium(live, "backup", str(archive))
    assert "the audit checkpoints" in made.stderr and "portal-files: 3 object(s)" in made.stderr
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert {"officium-archive.json", "audit-checkpoints.jsonl"} <= set(names)
    assert not any("keystore" in n or "destroyed-keys" in n or "erased-subjects" in n for n in names)

    assert run(live, "-c", CANCEL, "bob@acme.example").stdout.strip() == "deleted"
    run(live, "-c", CHANGE, str(ids["deleted"]), str(ids["space"]))
    officium(live, "audit", "checkpoint")

    # The fresh place: its own database and storage; the key store comes from its own
    # backup, taken apart and up to date (master key in the environment, ledgers copied).
    live_var, fresh_var = Path(live["OFFICIUM_VAR_DIR"]), Path(fresh["OFFICIUM_VAR_DIR"])
    shutil.copytree(live_var / "keystore", fresh_var / "keystore")
    if checkpoint_before:  # the live checkpoint file, newer than the archive's, already there
        shutil.copy(live_var / "audit-checkpoints.jsonl", fresh_var / "audit-checkpoints.jsonl")
    restored = officium(fresh, "restore", str(archive))
    assert "1 erased person(s) erased again" in restored.stderr
    assert f"portal-files: {put_back} stored object(s) put back" in restored.stderr
    if checkpoint_before:
        assert "previous file kept as" in restored.stderr
        assert list(fresh_var.glob("audit-checkpoints-before-restore-*.jsonl"))

    look = json.loads(run(fresh, "-c", LOOK, str(ids["bob"])).stdout)
    assert look["bob"] == look["bob_email"] == look["bob_memberships"] == 0  # erased, still
    # The file deleted after the backup is back and opens; bob's own upload went with him again.
    assert look["files"] == {"kept.pdf": True, "deleted-later.pdf": True}
    verified = officium(fresh, "audit", "verify")
    assert verified.returncode == 0
    return ids


def test_SC4_drill_restore_into_a_fresh_place_on_sqlite(tmp_path):
    live, fresh = environment(tmp_path / "live"), environment(tmp_path / "fresh")
    officium(live, "manage", "migrate", "--skip-checks", "-v", "0")
    shutil.copy(tmp_path / "live" / "db.sqlite3", tmp_path / "fresh" / "db.sqlite3")  # migrated, empty
    _drill(live, fresh, tmp_path, checkpoint_before=True)
    fresh_files = sorted(p.name for p in (tmp_path / "fresh" / "var" / "files").rglob("*") if p.is_file())
    # The archive's objects, less bob's (deleted with his rows); not the one uploaded after the backup.
    assert len(fresh_files) == 2
    with sqlite3.connect(tmp_path / "fresh" / "db.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM portal_file").fetchone()[0] == 2


def test_SC4_drill_restore_into_a_fresh_place_on_postgresql(tmp_path):
    live_db, fresh_db = f"officium_archive_{os.getpid()}_live", f"officium_archive_{os.getpid()}_fresh"
    if not _pg_databases(live_db, fresh_db):
        pytest.skip("no PostgreSQL server at " + PG_SERVER)
    try:
        live = environment(tmp_path / "live", f"{PG_SERVER}/{live_db}")
        fresh = environment(tmp_path / "fresh", f"{PG_SERVER}/{fresh_db}")
        officium(live, "manage", "migrate", "--skip-checks", "-v", "0")
        _drill(live, fresh, tmp_path, checkpoint_before=False)
    finally:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            for name in (live_db, fresh_db):
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


S3_SETTINGS = """
from officium.settings import *  # noqa
import os
STORAGES = {**STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
    "bucket_name": os.environ["TEST_S3_BUCKET"], "endpoint_url": os.environ["TEST_S3_ENDPOINT"],
    "access_key": "testing", "secret_key": "testing", "region_name": "us-east-1", "location": "tenant-files"}}}
"""


@pytest.fixture
def s3(tmp_path):
    """moto's S3 server on a free local port; installations use it through a settings module."""
    boto3 = pytest.importorskip("boto3")
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="testing",
                          aws_secret_access_key="testing", region_name="us-east-1")
    (tmp_path / "s3settings.py").write_text(S3_SETTINGS)

    def place(name: str, bucket: str) -> dict[str, str]:
        return {**environment(tmp_path / name), "DJANGO_SETTINGS_MODULE": "s3settings",
                "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")])),
                "TEST_S3_BUCKET": bucket, "TEST_S3_ENDPOINT": endpoint}

    yield client, place
    server.stop()


def test_SC4_drill_with_s3_object_versions(tmp_path, s3):
    client, place = s3
    client.create_bucket(Bucket="live")
    client.put_bucket_versioning(Bucket="live", VersioningConfiguration={"Status": "Enabled"})
    live, fresh = place("live", "live"), place("fresh", "live")  # the bucket keeps the bytes
    officium(live, "manage", "migrate", "--skip-checks", "-v", "0")
    shutil.copy(tmp_path / "live" / "db.sqlite3", tmp_path / "fresh" / "db.sqlite3")
    # Of the three files, the two deleted after the backup (one by bob's erasure) are made current.
    _drill(live, fresh, tmp_path, checkpoint_before=False, put_back=2)
    with tarfile.open(tmp_path / "backups" / "officium.tar") as tar:
        assert not any(n.startswith("objects/") for n in tar.getnames())  # versions, not bytes
        index = json.load(tar.extractfile("officium-archive.json"))
    assert index["objects"]["portal-files"]["store"] == "s3"
    assert len(index["objects"]["portal-files"]["versions"]) == 3


def test_SC4_backup_refuses_an_s3_bucket_that_keeps_no_versions(tmp_path, s3):
    client, place = s3
    client.create_bucket(Bucket="plain")
    live = place("live", "plain")
    officium(live, "manage", "migrate", "--skip-checks", "-v", "0")
    run(live, "-c", SEED)
    refused = officium(live, "backup", str(tmp_path / "b.tar"), ok=False)
    assert refused.returncode != 0 and "does not keep versions: turn versioning on" in refused.stderr
    assert not (tmp_path / "b.tar").exists()
