"""Crash test: a worker killed (SIGKILL) in the middle of a retention sweep; the next run
finishes it. Evidence counts match the rows that were due, nothing is deleted twice, nothing
due is left, and rows not due are untouched. Real processes on a file-backed SQLite database."""

from __future__ import annotations

import base64
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DUE, NOT_DUE = 57, 9

SEED = f"""
import django; django.setup()
from datetime import timedelta
from django.utils import timezone
from officium.accounts.models import Membership, Organization, User
from officium.attendance.models import LocationEvent
org = Organization.objects.create(name="Crash Co", slug="crash-co")
user = User.objects.create_user("worker@example.org", "pw-123456789", is_active=True)
member = Membership.objects.create(organization=org, user=user, role="member")
now = timezone.now()
def event(days, i):
    at = now - timedelta(days=days, seconds=i)
    return LocationEvent(organization=org, member=member, kind="check_in", occurred_at=at,
                         received_at=at, latitude=1.0, longitude=2.0, location_status="inside")
LocationEvent.objects.bulk_create([event(120, i) for i in range({DUE})] + [event(10, i) for i in range({NOT_DUE})])
"""
SWEEP = """
import django; django.setup()
from officium.privacy.retention.engine import sweep
run = sweep(worker="crash-test")
print(run.pk if run else "none")
"""


def evidence(db: Path) -> list[tuple[int, int]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT run_id, count FROM retention_deletionevidence "
                            "WHERE model_label = 'attendance.LocationEvent'").fetchall()


def test_RE5_sweep_killed_mid_run_resumes_without_loss_or_double_counting(tmp_path):
    db = tmp_path / "crash.sqlite3"
    env = {**os.environ, "OFFICIUM_VAR_DIR": str(tmp_path / "var"), "OFFICIUM_ENV": "test",
           "DJANGO_SETTINGS_MODULE": "officium.settings", "OFFICIUM_POLICY": "officetrack",
           "DATABASE_URL": f"sqlite:///{db}", "LOG_TO_FILES": "false",
           "OFFICIUM_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
           "OFFICIUM_RETENTION_CHUNK": "10"}
    subprocess.run([sys.executable, "-m", "officium.cli", "manage", "migrate", "--skip-checks", "-v", "0"],
                   env=env, cwd=ROOT, check=True, timeout=300)
    subprocess.run([sys.executable, "-c", SEED], env=env, cwd=ROOT, check=True, timeout=120)

    worker = subprocess.Popen([sys.executable, "-c", SWEEP], cwd=ROOT,
                              env={**env, "OFFICIUM_RETENTION_CHUNK_PAUSE": "30"})
    deadline = time.monotonic() + 120
    while not evidence(db) and time.monotonic() < deadline:
        assert worker.poll() is None, "the sweep ended before it could be killed"
        time.sleep(0.2)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    first = evidence(db)
    assert sum(n for _, n in first) == 10  # one chunk committed, then the kill

    done = subprocess.run([sys.executable, "-c", SWEEP], env=env, cwd=ROOT, check=True, timeout=120,
                          capture_output=True, text=True)
    resumed_run = int(done.stdout.strip())
    rows = evidence(db)
    assert {run for run, _ in rows} == {resumed_run}  # the killed run was resumed, not restarted
    assert sum(n for _, n in rows) == DUE
    with sqlite3.connect(db) as conn:
        left = conn.execute("SELECT COUNT(*) FROM attendance_locationevent").fetchone()[0]
        status = conn.execute("SELECT status, deleted FROM retention_sweeprun WHERE id = ?",
                              [resumed_run]).fetchone()
    assert left == NOT_DUE
    assert status == ("done", DUE)
