"""`officium serve` is what a supervisor runs: stopping it must stop the web server with it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/privacy/", timeout=2):  # noqa: S310
            return True
    except OSError:
        return False


def _serve(tmp_path, port: int) -> subprocess.Popen[bytes]:
    """``officium serve`` (one process, one thread) on a migrated SQLite database, answering."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/serve.sqlite3",
           "OFFICIUM_VAR_DIR": str(tmp_path / "var"), "OFFICIUM_ENV": "development",
           "OFFICIUM_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1", "WEB_THREADS": "1",
           "DJANGO_SETTINGS_MODULE": "officium.settings", "PYTHONPATH": str(SRC)}
    subprocess.run([sys.executable, "-m", "officium.cli", "manage", "migrate", "--verbosity", "0"],  # noqa: S603
                   env=env, check=True, capture_output=True)
    server = subprocess.Popen([sys.executable, "-m", "officium.cli", "serve"], env=env,  # noqa: S603
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not answers(port):
            assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.3)
    except BaseException:
        server.kill()
        raise
    return server


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_to_serve_stops_gunicorn_too(tmp_path):
    port = free_port()
    server = _serve(tmp_path, port)
    try:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) is not None
        deadline = time.monotonic() + 15
        while answers(port) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert not answers(port), "gunicorn kept serving after `officium serve` was stopped"
    finally:
        if server.poll() is None:
            server.kill()


def test_server_processes_switch_threads_every_quarter_millisecond(tmp_path):
    """Load proof (issue 20): a check-in coming back from the database waits at most 0.25 ms
    (not CPython's 5) for a thread busy with a batch sync in the same server process; the
    operator can set another value."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/wsgi.sqlite3",
           "OFFICIUM_VAR_DIR": str(tmp_path / "var"), "OFFICIUM_ENV": "development",
           "DJANGO_SETTINGS_MODULE": "officium.settings", "PYTHONPATH": str(SRC)}
    env.pop("OFFICIUM_SWITCH_INTERVAL_MS", None)
    probe = "import sys, officium.wsgi; print(sys.getswitchinterval())"
    for extra, expected in (({}, 0.00025), ({"OFFICIUM_SWITCH_INTERVAL_MS": "2"}, 0.002)):
        out = subprocess.run([sys.executable, "-c", probe], env={**env, **extra}, check=True,  # noqa: S603
                             capture_output=True, text=True).stdout.split()[-1]
        assert abs(float(out) - expected) < 1e-9


def test_a_body_sent_after_its_answer_does_not_hold_the_server(tmp_path):
    """A phone whose token was revoked posts a check-in: the answer (401) needs no body, and
    the body's bytes may reach the server after the headers. The server reads the body before
    answering, so the kept-alive connection is clean afterwards and the worker's one thread is
    free for the next person (gunicorn's threaded worker would otherwise wait on that idle
    connection for the phone's next request)."""
    port = free_port()
    server = _serve(tmp_path, port)
    phone = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        body = b'{"direction": "in", "latitude": 52.52, "longitude": 13.40}'
        phone.sendall(b"POST /api/attendance/device/check-ins HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      b"Authorization: Bearer ofd_revoked\r\nContent-Type: application/json\r\n"
                      b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n")
        time.sleep(0.5)  # the body comes in a later packet
        phone.sendall(body)
        answer = phone.recv(65536)
        assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
        # The phone keeps its connection open and sends nothing more; someone else asks now.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as other:  # noqa: S310
            assert other.status == 200
    finally:
        phone.close()
        server.terminate()
        server.wait(timeout=30)
