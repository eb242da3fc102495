"""Backups: a subject shredded after a backup was taken cannot be read from the restored
backup (restored into a fresh database with the current key store), not even from a copy of
the backup's ciphertext; everyone else reads fine. Runs the real `officium backup` /
`officium restore` commands on file-backed databases (test_vault_restore.py: the rows)."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

SEED = """
import django; django.setup()
from officium.accounts.models import User
for email, phone in (("bob@example.org", "+49 30 1234567"), ("alice@example.org", "+44 20 7946 0958")):
    User.objects.create_user(email, "pw-123456789", phone=phone, is_active=True)
"""
SHRED = """
import django; django.setup()
from officium.accounts.models import User
from officium.privacy.vault.shredding import shred_subject
print(shred_subject(User.objects.get(email="bob@example.org").pk, reason="erasure_request").key_destroyed)
"""
READ = """
import django, sqlite3, sys, tarfile; django.setup()
from django.db import connection
from officium.accounts.models import User
from officium.privacy.vault import keys
from officium.privacy.vault.fields import open_value
with tarfile.open(sys.argv[1]) as archive:
    archive.extract("database.sqlite3", sys.argv[2], filter="data")
with sqlite3.connect(sys.argv[2] + "/database.sqlite3") as backup:  # the ciphertext as the old backup holds it
    rows = backup.execute("SELECT id, email, phone FROM accounts_user ORDER BY email").fetchall()
for pk, email, token in rows:
    try:
        print(email, open_value(User, "phone", pk, bytes(token)))
    except keys.KeyDestroyed:
        print(email, "KEY-DESTROYED")
    found = User.objects.filter(pk=pk).first()
    print(email, "field:", found.phone if found else "NO ROW")
"""


def run(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([sys.executable, *args], env=env, cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_SE2_RI4_shredded_subject_stays_unreadable_in_a_restored_backup(tmp_path):
    env = {**os.environ, "OFFICIUM_VAR_DIR": str(tmp_path / "var"), "OFFICIUM_ENV": "test",
           "DJANGO_SETTINGS_MODULE": "officium.settings", "LOG_TO_FILES": "false",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'live.sqlite3'}",
           "OFFICIUM_MASTER_KEY": base64.b64encode(os.urandom(32)).decode()}
    run(env, "-m", "officium.cli", "manage", "migrate", "--skip-checks", "-v", "0")
    run(env, "-c", SEED)
    backup = tmp_path / "backup.tar"
    run(env, "-m", "officium.cli", "backup", str(backup))
    assert run(env, "-c", SHRED).strip() == "True"

    fresh = {**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"}
    run(fresh, "-m", "officium.cli", "restore", str(backup))
    out = run(fresh, "-c", READ, str(backup), str(tmp_path / "unpacked"))
    assert "bob@example.org KEY-DESTROYED" in out
    assert "bob@example.org field: NO ROW" in out  # erased again by the restore
    assert "+49 30 1234567" not in out
    assert "alice@example.org +44 20 7946 0958" in out
    assert "alice@example.org field: +44 20 7946 0958" in out
