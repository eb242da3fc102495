"""Safe defaults for operators: owner-only database files, production refusing weak secrets and
the demo, and a demo that prints the address it really serves with the logins last."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
GOOD_MASTER_KEY = "q2V0dGVyLWtleS1mb3ItdGVzdHMtb25seS0zMmJ5dGU="
GOOD_SECRET_KEY = "k" * 64 + "!@#$%^&*()"


def officium(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 120,
             ) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("OFFICIUM_", "SECRET_KEY", "DATABASE_URL", "EMAIL_", "DJANGO_"))}
    return subprocess.run([sys.executable, "-m", "officium.cli", *args],  # noqa: S603
                          env={**clean, "PYTHONPATH": str(SRC), **env}, cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_sqlite_database_wal_and_shm_are_owner_only(tmp_path):
    """Modes read while the connection is open (SQLite removes -wal and -shm on the last close)."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/db/officium.sqlite3",
           "OFFICIUM_VAR_DIR": str(tmp_path / "var"), "OFFICIUM_ENV": "development",
           "DJANGO_SETTINGS_MODULE": "officium.settings", "PYTHONPATH": str(SRC)}
    code = ("import os, stat; os.umask(0o022); import django; django.setup(); "  # a permissive umask
            "from django.db import connection; c = connection.cursor(); "
            "c.execute('CREATE TABLE t (x)'); c.execute('INSERT INTO t VALUES (1)'); "
            "d = os.path.dirname(connection.settings_dict['NAME']); "
            "import json; print(json.dumps({n: oct(stat.S_IMODE(os.stat(os.path.join(d, n)).st_mode)) "
            "for n in os.listdir(d)}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,  # noqa: S603
                            env={**os.environ, **env}, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"officium.sqlite3": "0o600", "officium.sqlite3-wal": "0o600",
                                         "officium.sqlite3-shm": "0o600"}


def test_access_answer_files_are_owner_only(alice, settings, tmp_path):
    from officium.privacy.rights.export import write_export
    from officium.privacy.rights.records import Subject

    settings.VAR_DIR = tmp_path
    old = os.umask(0o022)
    try:
        result = write_export("RQ-TEST", "access", Subject(user_id=alice.pk), context=lambda t: {})
    finally:
        os.umask(old)
    assert mode(result.path) == 0o600
    assert mode(result.path.parent) == 0o700


@pytest.mark.parametrize(("secret_key", "message"), [
    ("short-but-set", "SECRET_KEY is too weak (13 characters"),
    ("django-insecure-" + "x1y2z3" * 10, "SECRET_KEY starts with 'django-insecure-'"),
    ("ab" * 40, "SECRET_KEY is too weak (80 characters"),
])
def test_production_refuses_a_weak_secret_key(tmp_path, secret_key, message):
    result = officium(["serve"], {"OFFICIUM_ENV": "production", "SECRET_KEY": secret_key,
                                  "OFFICIUM_MASTER_KEY": GOOD_MASTER_KEY, "EMAIL_HOST": "127.0.0.1",
                                  "OFFICIUM_BIND": "127.0.0.1:1"}, tmp_path)
    assert result.returncode == 2
    assert message in result.stderr and "cannot start" in result.stderr
    assert "Traceback" not in result.stderr and secret_key not in result.stderr


@pytest.mark.parametrize("master_key", ["not base64 !!", "c2hvcnQ=", GOOD_MASTER_KEY[:-8]])
def test_production_refuses_a_malformed_master_key(tmp_path, master_key):
    result = officium(["worker", "--once"], {
        "OFFICIUM_ENV": "production", "SECRET_KEY": GOOD_SECRET_KEY,
        "OFFICIUM_MASTER_KEY": master_key, "EMAIL_HOST": "127.0.0.1"}, tmp_path)
    assert result.returncode == 2
    assert "OFFICIUM_MASTER_KEY is malformed" in result.stderr
    assert "Traceback" not in result.stderr and master_key not in result.stderr


def test_demo_refuses_to_run_in_production(tmp_path):
    result = officium(["demo", "--no-serve"], {
        "OFFICIUM_ENV": "production", "SECRET_KEY": GOOD_SECRET_KEY,
        "OFFICIUM_MASTER_KEY": GOOD_MASTER_KEY, "EMAIL_HOST": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path}/demo.sqlite3"}, tmp_path)
    assert result.returncode == 2 and "refused" in result.stderr
    assert "@acme.example" not in result.stdout
    assert not (tmp_path / "demo.sqlite3").exists() or (tmp_path / "demo.sqlite3").stat().st_size == 0


def test_demo_prints_the_address_it_serves_when_8000_is_taken(tmp_path):
    """Port 8000 is held by someone else: the demo serves elsewhere, says where, and that
    address answers; the logins are the last lines it prints."""
    holder = socket.socket()
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        holder.bind(("127.0.0.1", 8000))
        holder.listen()
    except OSError:
        pass  # something already listens on 8000: just as good for this test
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("OFFICIUM_", "SECRET_KEY", "DATABASE_URL", "EMAIL_", "DJANGO_"))}
    env = {**clean, "PYTHONPATH": str(SRC), "OFFICIUM_ENV": "development",
           "OFFICIUM_VAR_DIR": str(tmp_path / "var"), "DATABASE_URL": f"sqlite:///{tmp_path}/demo.sqlite3",
           "WEB_CONCURRENCY": "1", "WEB_THREADS": "2", "PYTHONUNBUFFERED": "1"}
    demo = subprocess.Popen([sys.executable, "-m", "officium.cli", "demo"], env=env, cwd=tmp_path,  # noqa: S603
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 120
        assert demo.stdout is not None
        while not any("support@operator.example" in line for line in lines):  # the last login printed
            assert demo.poll() is None and time.monotonic() < deadline, "".join(lines)
            lines.append(demo.stdout.readline())
        address = next(line for line in lines if "sign in at" in line).split("sign in at ")[1].split()[0]
        assert address.startswith("http://127.0.0.1:") and ":8000/" not in address
        assert any("Port 8000 is in use" in line for line in lines)
        host_port = address.removeprefix("http://").rstrip("/")
        with socket.create_connection(tuple(host_port.rsplit(":", 1)), timeout=5):
            pass  # it answers where it says it does
        time.sleep(3)  # anything printed after the logins would show up now
        demo.terminate()
        rest, errors = demo.communicate(timeout=30)
        assert rest.strip() == "", rest
        assert "INFO" not in errors, errors  # the worker and server are quiet at startup
        assert lines[-1].strip().startswith("support@operator.example")
        assert any(line.strip().startswith("outsider@globex.example") for line in lines)
    finally:
        holder.close()
        if demo.poll() is None:
            demo.kill()
