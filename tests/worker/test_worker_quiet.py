"""An idle worker is quiet: it wakes every second, but it logs only when it runs something."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_idle_worker_logs_nothing_between_jobs(tmp_path):
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("OFFICIUM_", "SECRET_KEY", "DATABASE_URL", "EMAIL_", "DJANGO_"))}
    env = {**clean, "PYTHONPATH": str(SRC), "OFFICIUM_ENV": "development",
           "OFFICIUM_VAR_DIR": str(tmp_path / "var"), "DATABASE_URL": f"sqlite:///{tmp_path}/w.sqlite3",
           "LOG_LEVEL": "INFO", "LOG_TO_FILES": "false", "PYTHONUNBUFFERED": "1"}
    subprocess.run([sys.executable, "-m", "officium.cli", "manage", "migrate", "--verbosity", "0"],  # noqa: S603
                   env=env, check=True, capture_output=True, cwd=tmp_path, timeout=180)
    worker = subprocess.Popen([sys.executable, "-m", "officium.cli", "worker"], env=env,  # noqa: S603
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(12)  # the first pass runs every periodic job once; then about ten idle passes
    finally:
        worker.send_signal(signal.SIGTERM)
        _, log = worker.communicate(timeout=60)
    lines = [line for line in log.splitlines() if line.strip()]
    assert any("state=SUCCESSFUL" in line for line in lines), log  # the jobs ran, and said so
    batch_ends = [i for i, line in enumerate(lines) if "No more tasks" in line]
    after_work = lines[batch_ends[-1] + 1:]
    assert [line for line in after_work if "worker stopping" not in line] == [], log
    assert sum("Starting worker" in line for line in lines) <= 1, log
