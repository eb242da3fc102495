"""Load proof: open-loop check-ins at a fixed rate through a real server, next to a bare view.

    python bench/load.py [--quick] [--rate N] [--seconds N] [--postgres]

1. Migrates a temporary database (SQLite; ``--postgres``: PostgreSQL database ``ofc_load_bench``
   on 127.0.0.1, or ``BENCH_PG_URL``), seeds one organization with a site, members with a
   connected device each (check-ins) and four more devices (batch syncs), and starts
   ``officium serve`` (its shipped configuration) on a free 127.0.0.1 port. All traffic stays
   on loopback; every phase is bounded in time.
2. Open loop: request *i* is sent at ``start + i / rate`` whether or not earlier ones have
   answered (a pool of client threads, each with its own keep-alive connection), and its
   latency is measured from that scheduled moment, so a slow server is charged for the queue
   it causes (no coordinated omission). Two pairs of phases, each phase ``--seconds`` long at
   ``--rate``, the two of a pair run in alternating slices (A B B A B A A B: a drift in the
   machine's speed falls on both alike):
   - the floor, a bare Django view (no database, the same middleware and server, added by a
     settings module that only extends the URLs), against check-ins
     (``POST /api/attendance/device/check-ins``; the organization turns a repeated check-in
     into a check-out, WT3): p95 and the server's CPU time per request;
   - the same pair beside concurrent batch syncs (``POST /api/attendance/device/events``, a
     batch of events from each sync device every second, each batch sent twice as a client
     retrying after a lost answer would), running through all slices of the pair.
3. Afterwards the database is counted: every check-in answered 201 has exactly its record
   (none lost, none doubled), and each synced event is stored exactly once.

Goals: check-in p95 (with syncs) at most 3x the bare view's p95; 0 errors, 0 lost, 0 doubled;
server CPU per check-in at most 2.5x the bare view's. The headline p95 ratio compares like with
like, both beside the same batch syncs (what the check-in itself adds on the same loaded
server); the ratio of both alone and the strict one (check-ins beside syncs against the bare
view alone) are printed too. The machine's load average is printed:
on shared cores the figures move with it; the ratios are measured in the same run.
Exit status 1 on any error, lost or doubled event.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _harness import devices_seed, result
from ingest import (
    FLOOR_SETTINGS,
    FLOOR_URLS,
    PYTHON,
    ROOT,
    free_port,
    make_events,
    officium,
    percentile,
    server_cpu,
    wait_for,
)

PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/ofc_load_bench")
CHECK_IN = "/api/attendance/device/check-ins"
BARE = "/bench/bare"
EVENTS = "/api/attendance/device/events"
SYNC_DEVICES = 4
CLIENT_THREADS = 96
SLICES = 4

COUNT = r"""
import json, sys, django
django.setup()
from officium.attendance.models import AttendanceRecord, LocationEvent
answered = json.load(open(sys.argv[1]))
ids = answered["record_ids"]
found = AttendanceRecord.objects.filter(pk__in=ids).count()
total = AttendanceRecord.objects.filter(organization__slug="load").count()
events = {prefix: LocationEvent.objects.filter(client_event_id__startswith=prefix).count()
          for prefix in answered["event_prefixes"]}
print(json.dumps({"found": found, "total": total, "events": events}))
"""


class OpenLoop:
    """Requests sent on a fixed schedule from a thread pool, each thread with its connection."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.local = threading.local()

    def _conn(self) -> http.client.HTTPConnection:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        return conn

    def send(self, path: str, body: bytes, token: str) -> tuple[int, bytes]:
        for attempt in range(2):
            conn = self._conn()
            reused = conn.sock is not None
            try:
                conn.request("POST", path, body=body, headers={"Authorization": f"Bearer {token}",
                                                               "Content-Type": "application/json"})
                response = conn.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The server closed an idle keep-alive connection: send again on a new one, as
                # HTTP clients do (the database count below would show a check-in stored twice).
                conn.close()
                self.local.conn = None
                if not reused or attempt:
                    return 0, b""
            except OSError:
                conn.close()
                self.local.conn = None
                return 0, b""
        return 0, b""

    def run(self, rate: float, seconds: float, request: object, pool: ThreadPoolExecutor) -> list[tuple[float, int, bytes]]:
        """Send ``rate * seconds`` requests on schedule; (latency from schedule, status, body)."""
        count = int(rate * seconds)
        answers: list[tuple[float, int, bytes]] = [(0.0, 0, b"")] * count
        start = time.perf_counter() + 0.05

        def one(i: int, due: float) -> None:
            status, body = request(i)  # type: ignore[operator]
            answers[i] = (time.perf_counter() - due, status, body)

        futures = []
        for i in range(count):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(one, i, due))
        for future in futures:
            future.result(timeout=60)
        return answers


def summary(label: str, answers: list[tuple[float, int, bytes]], ok: int, cpu: float) -> dict[str, float]:
    ms = [a[0] * 1000 for a in answers]
    errors = sum(1 for a in answers if a[1] != ok)
    if errors:
        statuses: dict[int, int] = {}
        for a in answers:
            if a[1] != ok:
                statuses[a[1]] = statuses.get(a[1], 0) + 1
        failed = [i for i, a in enumerate(answers) if a[1] != ok]
        print(f"  {label.strip()}: answers other than {ok}: {statuses} (0: no answer): requests number "
              f"{', '.join(str(i) for i in failed[:8])}"
              f"{' ...' if len(failed) > 8 else ''} of {len(answers)}")
    figures = {"p50": percentile(ms, 50), "p95": percentile(ms, 95), "max": max(ms), "errors": errors,
               "cpu_ms": cpu / len(answers) * 1000}
    print(f"  {label}: {len(answers)} requests   p50 {figures['p50']:.1f} ms   p95 {figures['p95']:.1f} ms   "
          f"max {figures['max']:.1f} ms   errors {errors}   server CPU {figures['cpu_ms']:.2f} ms/request")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small pass for CI (10 s phases at 50/s)")
    parser.add_argument("--rate", type=float, default=None, help="requests per second (100; --quick 50)")
    parser.add_argument("--seconds", type=float, default=None, help="length of each phase (60; --quick 10)")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    args = parser.parse_args()
    rate = args.rate or (50.0 if args.quick else 100.0)
    seconds = args.seconds or (10.0 if args.quick else 60.0)
    members = 50 if args.quick else 200
    batch = 200 if args.quick else 500

    tmp = Path(tempfile.mkdtemp(prefix="officium-bench-load-"))
    port = free_port()
    if args.postgres:
        import psycopg

        base, name = PG_URL.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
        database_url = PG_URL
    else:
        database_url = f"sqlite:///{tmp / 'load.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": database_url, "OFFICIUM_VAR_DIR": str(tmp / "var"),
           "OFFICIUM_ENV": "development", "DEBUG": "0", "OFFICIUM_BIND": f"127.0.0.1:{port}",
           "LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "officium.settings", "PYTHONPATH": str(ROOT / "src")}
    env.pop("OFFICIUM_TESTING", None)
    (tmp / "bench_floor_settings.py").write_text(FLOOR_SETTINGS % {"conn_max_age": None})
    (tmp / "bench_floor_urls.py").write_text(FLOOR_URLS)
    server_env = {**env, "DJANGO_SETTINGS_MODULE": "bench_floor_settings",
                  "PYTHONPATH": f"{tmp}{os.pathsep}{ROOT / 'src'}"}
    server = None
    load_before = os.getloadavg()
    try:
        officium(env, "manage", "migrate", "--skip-checks", "--verbosity", "0")
        seed = devices_seed(members + SYNC_DEVICES, name="Load Org", slug="load")
        seeded = subprocess.run([PYTHON, "-c", seed], env=env,  # noqa: S603
                                check=True, text=True, capture_output=True).stdout.strip().splitlines()[-1]
        devices = json.loads(seeded)
        checkers, syncers = devices[:members], devices[members:]
        server_log = open(tmp / "server.log", "wb")  # noqa: SIM115 (closed with the server)
        server = subprocess.Popen([PYTHON, "-m", "officium.cli", "serve", "--log-level", "warning",  # noqa: S603
                                   "--access-logfile", "/dev/null"],
                                  env=server_env, stdout=subprocess.DEVNULL, stderr=server_log)
        wait_for(port, server, timeout=180)  # a busy shared machine starts gunicorn slowly
        print(f"{rate:.0f} requests/s open loop, {seconds:.0f} s per phase, {members} check-in devices, "
              f"{SYNC_DEVICES} sync devices x {batch} events/s (each batch sent twice); server: officium serve "
              f"({os.environ.get('WEB_CONCURRENCY', '2')} processes), {'PostgreSQL' if args.postgres else 'SQLite'}; "
              f"load average {load_before[0]:.1f}")

        loop = OpenLoop(port)
        check_in_body = json.dumps({"direction": "in", "latitude": 52.5201, "longitude": 13.4051,
                                    "accuracy": 10}).encode()
        bare_body = b"{}"
        record_ids: list[int] = []
        ids_lock = threading.Lock()

        def check_in(i: int) -> tuple[int, bytes]:
            status, body = loop.send(CHECK_IN, check_in_body, str(checkers[i % members]["token"]))
            if status == 201:
                with ids_lock:
                    record_ids.append(int(json.loads(body)["id"]))
            return status, body

        def bare(i: int) -> tuple[int, bytes]:
            return loop.send(BARE, bare_body, str(checkers[i % members]["token"]))

        with ThreadPoolExecutor(max_workers=CLIENT_THREADS) as pool:
            # Warm-up (untimed), as on a server that has been up: each server thread opens its
            # database connection, and each member checks in once (a member's first check-in
            # ever also makes the personal key their coordinates are sealed with, 3x the CPU).
            loop.run(rate, members / rate, check_in, pool)
            loop.run(rate, 1.0, bare, pool)

            def alternate(label_a: str, request_a: object, label_b: str, request_b: object,
                          ) -> tuple[dict[str, float], dict[str, float]]:
                """Two kinds of request in alternating slices (A B B A ...), so both meet the
                same machine: a drift in its speed (another process, the CPU's clock) falls on
                both alike. Latencies and server CPU are summed per kind over its slices."""
                answers: dict[str, list[tuple[float, int, bytes]]] = {label_a: [], label_b: []}
                cpu = {label_a: 0.0, label_b: 0.0}
                order = [(label_a, request_a), (label_b, request_b)]
                for k in range(SLICES):
                    for label, request in (order if k % 2 == 0 else order[::-1]):
                        before = server_cpu(server.pid)  # type: ignore[union-attr]
                        answers[label] += loop.run(rate, seconds / SLICES, request, pool)
                        cpu[label] += server_cpu(server.pid) - before  # type: ignore[union-attr]
                return (summary(label_a, answers[label_a], 201, cpu[label_a]),
                        summary(label_b, answers[label_b], 201, cpu[label_b]))

            floor, alone = alternate("bare view              ", bare, "check-in               ", check_in)

            # Each sync device posts a batch every second (sent twice, as a client retrying after
            # a lost answer would) beside the timed requests, which again alternate between the
            # bare view and check-ins: both carry the same background work.
            sync_results: list[tuple[int, dict[str, int]]] = []
            prefixes: list[str] = []
            stop = threading.Event()

            def syncer(device: dict[str, object], n: int) -> None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                second = 0
                while not stop.is_set():
                    started = time.monotonic()
                    prefix = f"s{n}s{second}-"
                    body = json.dumps({"events": make_events(batch, prefix)}).encode()
                    stored = False
                    for _attempt in range(2):  # the same batch twice: a retry after a lost answer
                        try:
                            conn.request("POST", EVENTS, body=body, headers={
                                "Authorization": f"Bearer {device['token']}",
                                "Content-Type": "application/json"})
                            response = conn.getresponse()
                            payload = response.read()
                        except (OSError, http.client.HTTPException):  # counted as an error
                            conn.close()
                            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                            sync_results.append((0, {}))
                            continue
                        stored = stored or response.status == 200
                        sync_results.append((response.status,
                                             json.loads(payload) if response.status == 200 else {}))
                    if stored:  # counted afterwards: every event of an answered batch, once
                        prefixes.append(prefix)
                    second += 1
                    stop.wait(max(0.0, 1.0 - (time.monotonic() - started)))

            syncing = [threading.Thread(target=syncer, args=(d, n)) for n, d in enumerate(syncers)]
            for thread in syncing:
                thread.start()
            try:
                floor_mixed, mixed = alternate("bare view + batch syncs", bare, "check-in + batch syncs ", check_in)
            finally:
                stop.set()
                for thread in syncing:
                    thread.join(timeout=120)

        sync_errors = sum(1 for status, _ in sync_results if status != 200)
        answered = tmp / "answered.json"
        answered.write_text(json.dumps({"record_ids": record_ids, "event_prefixes": prefixes}))
        counted = json.loads(subprocess.run([PYTHON, "-c", COUNT, str(answered)], env=env, check=True,  # noqa: S603
                                            text=True, capture_output=True).stdout.strip().splitlines()[-1])
        warmup = members  # the untimed check-ins answered too
        lost = len(record_ids) - counted["found"]
        doubled = counted["total"] - len(record_ids) + max(0, len(set(record_ids)) - len(record_ids))
        events_lost = sum(max(0, batch - n) for n in counted["events"].values())
        events_doubled = sum(max(0, n - batch) for n in counted["events"].values())
        errors = int(floor["errors"] + alone["errors"] + floor_mixed["errors"] + mixed["errors"] + sync_errors)
        print(f"  batch syncs: {len(prefixes)} batches of {batch} (each sent twice), errors {sync_errors}")
        print(f"  counted in the database: {counted['found']} of {len(record_ids)} answered check-ins "
              f"({len(record_ids) - warmup} timed + {warmup} warm-up) have their record, {counted['total']} records "
              f"in all; synced events stored once: {sum(counted['events'].values())} of {batch * len(prefixes)}")
        def ratio(a: float, b: float) -> float:
            return a / b if b else 0.0

        # The headline compares like with like: check-ins beside the batch syncs against the bare
        # view beside the same batch syncs (the same background work on the same cores, so the
        # ratio is what a check-in itself adds). Also printed: check-ins alone against the bare
        # view alone, and check-ins beside syncs against the bare view alone (the strictest).
        p95_ratio = ratio(mixed["p95"], floor_mixed["p95"])
        p95_ratio_alone = ratio(alone["p95"], floor["p95"])
        p95_ratio_strict = ratio(mixed["p95"], floor["p95"])
        cpu_ratio = ratio(alone["cpu_ms"], floor["cpu_ms"])
        cpu_ratio_mixed = ratio(mixed["cpu_ms"], floor_mixed["cpu_ms"])
        load_after = os.getloadavg()
        print(f"  p95 check-in / bare view, both beside batch syncs (headline): {p95_ratio:.2f}x (goal <= 3x)\n"
              f"  p95 check-in / bare view, both alone: {p95_ratio_alone:.2f}x   p95 check-in beside syncs / "
              f"bare view alone: {p95_ratio_strict:.2f}x\n"
              f"  server CPU per check-in / bare (alone): {cpu_ratio:.2f}x (goal <= 2.5x)   beside syncs: "
              f"{cpu_ratio_mixed:.2f}x\n"
              f"  lost {lost + events_lost}, doubled {doubled + events_doubled}, errors {errors}   "
              f"load average {load_before[0]:.1f} -> {load_after[0]:.1f}")
        failed = bool(errors or lost or doubled or events_lost or events_doubled)
        if failed:
            lines = (tmp / "server.log").read_text(errors="replace").splitlines()
            kept = Path(tempfile.gettempdir()) / "officium-load-server.log"
            shutil.copy(tmp / "server.log", kept)
            print(f"server log (last lines naming officium, an error or gunicorn's CRITICAL; all of it: {kept}):",
                  *[line for line in lines if "officium/" in line or "Error" in line or "CRITICAL" in line][-12:],
                  sep="\n  ")
        result("load", rate=rate, seconds=seconds, checkin_p95_ms=mixed["p95"], bare_p95_ms=floor_mixed["p95"],
               p95_ratio=p95_ratio, checkin_alone_p95_ms=alone["p95"], bare_alone_p95_ms=floor["p95"],
               p95_ratio_alone=p95_ratio_alone, p95_ratio_strict=p95_ratio_strict,
               server_cpu_checkin_ms=alone["cpu_ms"], server_cpu_bare_ms=floor["cpu_ms"], cpu_ratio=cpu_ratio,
               cpu_ratio_mixed=cpu_ratio_mixed, errors=errors,
               lost=lost + events_lost, doubled=doubled + events_doubled, load_average=load_before[0])
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
