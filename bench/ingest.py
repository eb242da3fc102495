"""Location ingest through a real server against raw sqlite3 inserts of the same rows.

    python bench/ingest.py [--quick] [--only ingest|checkin] [--conn-max-age N] [--threads N]

1. Migrates a temporary SQLite database, seeds an organization with one site and 32 members
   each with a connected device, and starts ``officium serve`` on a free 127.0.0.1 port.
2. Ingest: events/s through ``POST /api/attendance/device/events`` (batches of 5,000 over
   one keep-alive HTTP connection, JSON encoding excluded from nothing: the client builds
   each body before the clock starts) against ``sqlite3.executemany`` of the same rows into
   a copy of the same migrated schema (same indexes and unique constraint, same pragmas,
   one transaction per batch; plaintext coordinates, where ours are sealed), batch by batch
   in turns. Goals: >= 10,000 events/s and >= 0.3x raw.
3. Check-in latency: 32 concurrent clients, each a device posting check-ins
   (``POST /api/attendance/device/check-ins``) back to back over its own keep-alive
   connection (the organization turns a repeated check-in into a check-out, WT3, so the
   members go in and out); p50/p95/max and errors. Goals: p95 < 50 ms, 0 errors. The floor is measured
   the same way, in alternating rounds: a bare Django view (no database, same middleware, same
   server) at ``/bench/bare``, added by a settings module that only extends the URLs. One
   untimed check-in per client first (as on a server that has been up). CPU time per request
   is printed for the server's processes and for this client (32 Python threads share the
   cores with the server). ``--conn-max-age`` and ``--threads`` try a server configuration
   other than the shipped one (persistent SQLite connections, threads per process).

Exit status 1 when a request failed (any error); the figures are printed either way.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _harness import devices_seed, result

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
CLIENTS = 32
BATCH = 5000

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def officium(env: dict[str, str], *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "officium.cli", *args], env=env, check=True, text=True,  # noqa: S603
                          capture_output=True, **kwargs)  # type: ignore[call-overload]


def wait_for(port: int, server: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server exited during start-up")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/accounts/login/")
            status = conn.getresponse().status
            if status == 200:
                return
            raise SystemExit(f"the server answered {status} at start-up")
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not answer in time")


def make_events(n: int, prefix: str) -> list[dict[str, object]]:
    start = datetime.now(UTC) - timedelta(hours=2)
    kinds = ("app_open", "sync", "task_entry", "form", "bid")
    return [{"id": f"{prefix}{i}", "kind": kinds[i % 5],
             "at": (start + timedelta(milliseconds=i * 100)).isoformat(),
             "lat": 52.40 + (i % 1000) * 1e-5, "lon": 13.30 + (i % 997) * 1e-5, "accuracy": 8.0}
            for i in range(n)]


def post(conn: http.client.HTTPConnection, path: str, body: bytes, token: str) -> tuple[int, bytes]:
    conn.request("POST", path, body=body, headers={"Authorization": f"Bearer {token}",
                                                   "Content-Type": "application/json"})
    response = conn.getresponse()
    return response.status, response.read()


def bench_ingest(port: int, token: str, bodies: list[bytes], raw_db: Path, seed: dict[str, int],
                 batches: list[list[dict[str, object]]]) -> tuple[float, int, int, float, int]:
    """Each batch through the HTTP endpoint, then the same rows with raw ``executemany`` (one
    transaction per batch, same schema and pragmas), in turns so both see the same machine.
    Returns (HTTP seconds, stored, errors, raw seconds, raw rows)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    raw = sqlite3.connect(raw_db, isolation_level=None)
    raw.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
    sql = ("INSERT INTO attendance_locationevent (organization_id, member_id, device_id, kind, "
           "client_event_id, occurred_at, received_at, latitude, longitude, accuracy_m, "
           "location_status, suspected_mock) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    rows = [[(seed["org"], seed["member"], seed["device"], e["kind"], e["id"],
              datetime.fromisoformat(str(e["at"])).replace(tzinfo=None).isoformat(sep=" "), now,
              e["lat"], e["lon"], e["accuracy"], "recorded", 0)
             for e in batch] for batch in batches]
    http_seconds = raw_seconds = 0.0
    stored = errors = raw_count = 0
    for body, batch_rows in zip(bodies, rows, strict=True):
        started = time.perf_counter()
        status, content = post(conn, "/api/attendance/device/events", body, token)
        http_seconds += time.perf_counter() - started
        if status != 200:
            errors += 1
            print(f"  batch failed: {status} {content[:200]!r}")
        else:
            stored += json.loads(content)["stored"]
        started = time.perf_counter()
        raw.execute("BEGIN")
        raw.executemany(sql, batch_rows)
        raw.execute("COMMIT")
        raw_seconds += time.perf_counter() - started
        raw_count += len(batch_rows)
    raw.close()
    return http_seconds, stored, errors, raw_seconds, raw_count


FLOOR_SETTINGS = """
from officium.settings import *  # noqa: F403
ROOT_URLCONF = "bench_floor_urls"
if %(conn_max_age)r is not None:
    DATABASES["default"]["CONN_MAX_AGE"] = %(conn_max_age)r  # noqa: F405
"""

FLOOR_URLS = """
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from officium.urls import urlpatterns as officium_urls

@csrf_exempt
def bare(request):
    request.body  # read, as every real view reads its request (gunicorn keeps the connection for the next)
    return HttpResponse(b'{"ok": true}', status=201, content_type="application/json")

urlpatterns = [path("bench/bare", bare), *officium_urls]
"""

CHECK_IN_PATH = "/api/attendance/device/check-ins"
BARE_PATH = "/bench/bare"


def bench_check_ins(port: int, seeds: list[dict[str, object]], per_client: int,
                    path: str = CHECK_IN_PATH) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    body = json.dumps({"direction": "in", "latitude": 52.5201, "longitude": 13.4051, "accuracy": 10}).encode()

    def client(seed: dict[str, object]) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, failed = [], 0
        for _ in range(per_client):
            started = time.perf_counter()
            try:
                status, _ = post(conn, path, body, str(seed["token"]))
            except OSError:
                status = 0
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append(time.perf_counter() - started)
            failed += status != 201
        with lock:
            latencies.extend(mine)
            errors += failed

    with ThreadPoolExecutor(max_workers=len(seeds)) as pool:
        list(pool.map(client, seeds))
    return latencies, errors


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run_ingest(port: int, seeds: list[dict[str, object]], raw_db: Path, total: int,
               figures: dict[str, float]) -> tuple[int, int]:
    """The ingest part; its headline figures go into ``figures``. Returns (errors, stored)."""
    events = [make_events(BATCH, f"b{b}-") for b in range(total // BATCH)]
    bodies = [json.dumps({"events": batch}).encode() for batch in events]
    warm = json.dumps({"events": make_events(500, "warm-")}).encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    post(conn, "/api/attendance/device/events", warm, str(seeds[1]["token"]))

    http_seconds, stored, ingest_errors, raw_seconds, raw_count = bench_ingest(
        port, str(seeds[0]["token"]), bodies, raw_db, seeds[0], events)
    ours = stored / http_seconds if http_seconds else 0.0
    raw = raw_count / raw_seconds if raw_seconds else 0.0
    print(f"ingest: {stored} events in {len(bodies)} HTTP batches of {BATCH}")
    print(f"  HTTP batch endpoint : {ours:12,.0f} events/s  (goal >= 10,000)")
    print(f"  raw sqlite3 executemany: {raw:9,.0f} events/s")
    print(f"  ratio               : {ours / raw if raw else 0:12.2f}x   (goal >= 0.3x)")
    figures |= {"ingest_ratio": ours / raw if raw else 0.0, "ingest_events_per_s": ours,
                "raw_events_per_s": raw, "ingest_errors": ingest_errors}
    return ingest_errors, stored


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by the server's process tree (Linux /proc; 0 elsewhere)."""
    total, pending = 0.0, [pid]
    while pending:
        process = pending.pop()
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
            pending.extend(map(int, Path(f"/proc/{process}/task/{process}/children").read_text().split()))
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def run_check_ins(port: int, seeds: list[dict[str, object]], per_client: int, workers: str,
                  figures: dict[str, float], extra: str = "", server_pid: int = 0) -> int:
    """Check-ins and the bare view in alternating rounds; returns the check-ins that failed
    and puts the headline figures into ``figures``."""
    bench_check_ins(port, seeds, 1)  # untimed: each server thread opens its connection once
    bench_check_ins(port, seeds, 1, BARE_PATH)
    ours: list[float] = []
    bare: list[float] = []
    errors = bare_errors = 0
    cpu = {"ours": 0.0, "bare": 0.0}
    served = {"ours": 0.0, "bare": 0.0}
    rounds = 2
    for _ in range(rounds):
        for name, path, into in (("ours", CHECK_IN_PATH, ours), ("bare", BARE_PATH, bare)):
            started, server_started = time.process_time(), server_cpu(server_pid)
            latencies, failed = bench_check_ins(port, seeds, per_client // rounds, path)
            cpu[name] += time.process_time() - started
            served[name] += server_cpu(server_pid) - server_started
            into.extend(latencies)
            if path == CHECK_IN_PATH:
                errors += failed
            else:
                bare_errors += failed
    print(f"check-in: {len(ours)} requests from {CLIENTS} concurrent clients, {workers} server processes"
          f"{extra}")
    for label, values, failed, name in (("check-in ", ours, errors, "ours"),
                                        ("bare view", bare, bare_errors, "bare")):
        ms = [s * 1000 for s in values]
        print(f"  {label}: p50 {statistics.median(ms):.1f} ms   p95 {percentile(ms, 95):.1f} ms   "
              f"max {max(ms):.1f} ms   errors {failed}")
        print(f"             CPU per request: server {served[name] / len(ms) * 1000:.2f} ms, "
              f"client {cpu[name] / len(ms) * 1000:.2f} ms")
    print("  (goal for the check-in: p95 < 50 ms, 0 errors; the bare view is the floor)")
    ours_p95, bare_p95 = percentile(ours, 95) * 1000, percentile(bare, 95) * 1000
    figures |= {"checkin_p95_ms": ours_p95, "bare_p95_ms": bare_p95,
                "checkin_p95_ratio": ours_p95 / bare_p95 if bare_p95 else 0.0,
                "checkin_errors": errors}
    return errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small pass for CI")
    parser.add_argument("--only", choices=("ingest", "checkin"), help="run one part only")
    parser.add_argument("--conn-max-age", type=int, default=None,
                        help="try persistent database connections (the server's setting otherwise)")
    parser.add_argument("--threads", type=int, default=None,
                        help="try another number of threads per server process (officium serve's otherwise)")
    parser.add_argument("--workers", default=os.environ.get("WEB_CONCURRENCY", str(os.cpu_count() or 2)))
    args = parser.parse_args()
    total = 20_000 if args.quick else 100_000
    per_client = 10 if args.quick else 40

    tmp = Path(tempfile.mkdtemp(prefix="officium-bench-ingest-"))
    db = tmp / "bench.sqlite3"
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "OFFICIUM_VAR_DIR": str(tmp / "var"),
           "OFFICIUM_ENV": "development", "DEBUG": "0", "OFFICIUM_BIND": f"127.0.0.1:{port}",
           "WEB_CONCURRENCY": str(args.workers), "LOG_LEVEL": "WARNING",
           "DJANGO_SETTINGS_MODULE": "officium.settings", "PYTHONPATH": str(ROOT / "src")}
    env.pop("OFFICIUM_TESTING", None)
    (tmp / "bench_floor_settings.py").write_text(FLOOR_SETTINGS % {"conn_max_age": args.conn_max_age})
    (tmp / "bench_floor_urls.py").write_text(FLOOR_URLS)
    server_env = {**env, "DJANGO_SETTINGS_MODULE": "bench_floor_settings",
                  "PYTHONPATH": f"{tmp}{os.pathsep}{ROOT / 'src'}"}
    server = None
    try:
        officium(env, "manage", "migrate", "--skip-checks", "--verbosity", "0")
        raw_db = tmp / "raw.sqlite3"
        seed = devices_seed(CLIENTS, name="Bench Org", slug="bench")
        seeds = json.loads(subprocess.run([PYTHON, "-c", seed], env=env, check=True,  # noqa: S603
                                          text=True, capture_output=True).stdout.strip().splitlines()[-1])
        shutil.copy(db, raw_db)  # same schema, same seed rows, before any event
        server_log = open(tmp / "server.log", "wb")  # noqa: SIM115 (closed with the server)
        server = subprocess.Popen([PYTHON, "-m", "officium.cli", "serve", "--log-level", "warning",  # noqa: S603
                                   "--access-logfile", "/dev/null",
                                   *(["--threads", str(args.threads)] if args.threads else [])],
                                  env=server_env, stdout=subprocess.DEVNULL, stderr=server_log)
        wait_for(port, server)

        figures: dict[str, float] = {}
        ingest_errors, stored = 0, total
        if args.only != "checkin":
            ingest_errors, stored = run_ingest(port, seeds, raw_db, total, figures)
        checkin_errors = 0
        if args.only != "ingest":
            extra = "" if args.conn_max_age is None else f", CONN_MAX_AGE={args.conn_max_age}"
            extra += f", {args.threads} threads each" if args.threads else ""
            checkin_errors = run_check_ins(port, seeds, per_client, args.workers, figures, extra, server.pid)
        failed = bool(ingest_errors or checkin_errors or stored != total)
        if failed:
            lines = (tmp / "server.log").read_text(errors="replace").splitlines()
            ours = [line for line in lines if "officium/" in line or "Error" in line]
            print("server errors (last lines naming officium):", *ours[-12:], sep="\n  ")
        result("ingest", **figures)
        return 1 if failed else 0
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
