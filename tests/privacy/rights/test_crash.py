"""Crash safety: a worker killed (SIGKILL) in the middle of an export or an erasure leaves a
request that the next run finishes, exactly once, with nothing lost (issue 6, 6)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

SCRIPT = Path(__file__).with_name("crash_script.py")
ROOT = Path(__file__).resolve().parents[3]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OFFICIUM_RIGHTS_")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'crash.sqlite3'}",
               OFFICIUM_VAR_DIR=str(tmp_path / "var"), OFFICIUM_ENV="test",
               DJANGO_SETTINGS_MODULE="officium.settings", OFFICIUM_RIGHTS_LEASE_SECONDS="1", OFFICIUM_TASKS_IMMEDIATE="false",
               PYTHONPATH=f"{ROOT / 'src'}{os.pathsep}{ROOT}",
               # the notices as published, as the test settings use (erasure not reviewed: PV3)
               OFFICIUM_POLICY_DIR=str(ROOT / "tests" / "policies"), **extra)
    return env


def _call(tmp_path: Path, *args: str, **extra: str) -> dict:
    done = subprocess.run([sys.executable, str(SCRIPT), *args], env=_env(tmp_path, **extra),
                          capture_output=True, text=True, timeout=180, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _kill_mid_way(tmp_path: Path, point: str, request_id: int) -> None:
    marker = tmp_path / "reached"
    worker = subprocess.Popen(
        [sys.executable, str(SCRIPT), "run", str(request_id)], cwd=ROOT,
        env=_env(tmp_path, OFFICIUM_RIGHTS_CRASH_AT=point, OFFICIUM_RIGHTS_CRASH_MARKER=str(marker)),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert worker.poll() is None, worker.stderr.read().decode()[-3000:]
        assert time.monotonic() < deadline, "the worker never reached the hook"
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL
    time.sleep(1.2)  # the dead worker's lease runs out


def test_RI2_export_killed_mid_way_completes_exactly_once_after_restart(tmp_path):
    setup = _call(tmp_path, "setup", "portability")
    request_id = setup["id"]
    _kill_mid_way(tmp_path, "export", request_id)
    crashed = _call(tmp_path, "check", str(request_id))
    assert crashed["status"] == "in_progress" and crashed["completed_events"] == 0
    assert any(".tmp" in name for name in crashed["files"])  # the half-written file
    assert _call(tmp_path, "resume")["resumed"] == [request_id]
    assert _call(tmp_path, "resume")["resumed"] == []
    done = _call(tmp_path, "check", str(request_id))
    assert done["status"] == "completed"
    assert done["completed_events"] == 1 and done["started_events"] == 2
    assert done["exports"] == 1
    assert done["files"] == [name for name in done["files"] if ".tmp" not in name]
    assert len(done["files"]) == 1
    assert done["answer"]["records"]["attendance.LocationEvent"] == 300


def test_RI4_erasure_killed_mid_way_completes_exactly_once_after_restart(tmp_path):
    setup = _call(tmp_path, "setup", "erasure")
    request_id = setup["id"]
    _kill_mid_way(tmp_path, "erasure", request_id)
    crashed = _call(tmp_path, "check", str(request_id))
    assert crashed["status"] == "in_progress" and crashed["completed_events"] == 0
    assert crashed["left"]  # interrupted: some of the subject's rows are still there
    assert _call(tmp_path, "resume")["resumed"] == [request_id]
    done = _call(tmp_path, "check", str(request_id))
    assert done["status"] == "completed" and done["completed_events"] == 1
    assert done["left"] == {}
    assert done["location_events_total"] == 300  # the bystander's, untouched
    assert done["answer"]["removed"]
