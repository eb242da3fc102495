"""Field actions from phones: task entries and form submissions through the HTTP batch
endpoint of a running server against raw inserts of the same rows; the phone app's replay of
queued actions timed end to end in Chromium.

    python bench/fieldwork.py [--quick] [--postgres] [--no-browser]

1. Migrates a temporary database (SQLite file, or PostgreSQL ``officium_bench_fieldwork`` with
   ``--postgres``), seeds an organization, a form, 50 tasks and members with connected devices,
   and starts ``officium serve`` on a free 127.0.0.1 port.
2. Actions: batches of 500 queued actions (half task-entry notes, half form submissions, each
   with a fix) through ``POST /api/attendance/device/events``, against the same rows inserted
   raw (``executemany`` of the location events, then of the entries and submissions, one
   transaction per batch, plaintext coordinates where ours are sealed, no audit, no checks),
   batch by batch in turns. Goal: >= 0.3x raw. Also reported: the fastest batch of each side
   (robust to a loaded machine's stalls) and CPU seconds from /proc (the server's processes and
   database backends against the raw client and its backend), which other processes barely move.
3. Replay: the phone app (``/app/``) paired with a connection code; the given number of
   actions put in its IndexedDB queue (as if queued offline), then "Send now" until the
   queue is empty, timed; every action stored once.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _harness import cpu_of, result
from ingest import free_port, officium, post, wait_for

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
BATCH = 500
PG_NAME = "officium_bench_fieldwork"

SEED = r"""
import json, django
django.setup()
from datetime import UTC, datetime, timedelta
from officium.accounts.models import Membership, Organization, User
from officium.attendance import services as attendance
from officium.fieldwork import services
org = Organization.objects.create(name="Bench Org", slug="bench", time_zone="Europe/Berlin")
owner = User.objects.create_user("owner@bench.example", None, is_active=True)
owner_m = Membership.objects.create(organization=org, user=owner, role="owner")
members, out = [], {"org": org.pk}
for name in ("http", "raw", "phone"):
    user = User.objects.create_user(f"{name}@bench.example", None, is_active=True, first_name=name)
    members.append(Membership.objects.create(organization=org, user=user, role="member", reports_to=owner_m))
form = services.save_form(owner_m, "Visit", {"fields": [
    {"id": "done", "type": "checkbox", "label": "Done"}, {"id": "hours", "type": "number", "label": "Hours"},
    {"id": "remark", "type": "text", "label": "Remark"}]})
out["form"], out["version"] = form.form_id, form.pk
start = datetime.now(UTC)
out["tasks"] = [services.create_task(owner_m, services.TaskData(
    title=f"Task {i}", assignee_ids=tuple(m.pk for m in members), window_start=start + timedelta(hours=1))).pk
    for i in range(50)]
for name, member in zip(("http", "raw"), members):
    _, code = attendance.create_connection_code(owner_m, member)
    device, token = attendance.connect_device(code, f"{name} phone", "bench")
    out[name] = {"token": token, "device": device.pk, "member": member.pk}
_, out["phone_code"] = attendance.create_connection_code(owner_m, members[2])
out["phone_member"] = members[2].pk
print(json.dumps(out))
"""


def actions(n: int, seed: dict, prefix: str) -> list[dict[str, object]]:
    start = datetime.now(UTC) - timedelta(hours=3)
    tasks = seed["tasks"]
    out: list[dict[str, object]] = []
    for i in range(n):
        event: dict[str, object] = {"id": f"{prefix}{i}", "at": (start + timedelta(milliseconds=i * 50)).isoformat(),
                                    "lat": 52.40 + (i % 1000) * 1e-5, "lon": 13.30 + (i % 997) * 1e-5, "accuracy": 8.0}
        if i % 2:
            event.update(kind="form", data={"form_id": seed["form"], "version": 1, "task_id": tasks[i % 50],
                                            "answers": {"done": True, "hours": i % 9, "remark": f"visit {i}"}})
        else:
            event.update(kind="task_entry", data={"task_id": tasks[i % 50], "status": "", "note": f"note {i}"})
        out.append(event)
    return out


class Raw:
    """The same rows inserted with the driver's executemany, in one transaction per batch."""

    def __init__(self, postgres: bool, db: Path | None) -> None:
        self.postgres = postgres
        if postgres:
            import psycopg

            self.conn = psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{PG_NAME}", autocommit=True)
            self.p, self.json = "%s", "%s::jsonb"
        else:
            self.conn = sqlite3.connect(db, isolation_level=None)  # type: ignore[arg-type]
            self.conn.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
            self.p, self.json = "?", "?"

    def insert(self, seed: dict, events: list[dict[str, object]]) -> float:
        raw, p = seed["raw"], self.p
        now = datetime.now(UTC)
        stamp = (lambda d: d) if self.postgres else (lambda d: d.replace(tzinfo=None).isoformat(sep=" "))
        located = [(seed["org"], raw["member"], raw["device"], e["kind"], e["id"], stamp(datetime.fromisoformat(str(e["at"]))),
                    stamp(now), str(e["lat"]).encode(), str(e["lon"]).encode(), str(e["accuracy"]).encode(), "recorded", False)
                   for e in events]
        find = f"(SELECT id FROM attendance_locationevent WHERE device_id = {p} AND client_event_id = {p})"
        entries = [(seed["org"], raw["member"], raw["device"], raw["device"], e["id"], e["id"], row[5], row[6],
                    e["data"]["task_id"], "", e["data"]["note"]) for e, row in zip(events, located, strict=True)  # type: ignore[index]
                   if e["kind"] == "task_entry"]
        forms = [(seed["org"], raw["member"], raw["device"], raw["device"], e["id"], e["id"], row[5], row[6],
                  seed["version"], e["data"]["task_id"], json.dumps(e["data"]["answers"]))  # type: ignore[index]
                 for e, row in zip(events, located, strict=True) if e["kind"] == "form"]
        started = time.perf_counter()
        cur = self.conn.cursor()
        cur.execute("BEGIN")
        cur.executemany("INSERT INTO attendance_locationevent (organization_id, member_id, device_id, kind, "
                        "client_event_id, occurred_at, received_at, latitude, longitude, accuracy_m, "
                        f"location_status, suspected_mock) VALUES ({', '.join([p] * 12)})", located)
        cur.executemany("INSERT INTO fieldwork_taskentry (organization_id, member_id, device_id, location_id, "
                        "client_id, occurred_at, received_at, task_id, status, note) "
                        f"VALUES ({p}, {p}, {p}, {find}, {p}, {p}, {p}, {p}, {p}, {p})", entries)
        cur.executemany("INSERT INTO fieldwork_submission (organization_id, member_id, device_id, location_id, "
                        "client_id, occurred_at, received_at, version_id, task_id, answers) "
                        f"VALUES ({p}, {p}, {p}, {find}, {p}, {p}, {p}, {p}, {p}, {self.json})", forms)
        cur.execute("COMMIT")
        return time.perf_counter() - started


def server_pids(server: subprocess.Popen[bytes]) -> list[int]:
    """The server process and its workers (gunicorn forks them)."""
    pids, i = [server.pid], 0
    while i < len(pids):
        for task in Path(f"/proc/{pids[i]}/task").glob("*/children"):
            pids += [int(p) for p in task.read_text().split()]
        i += 1
    return pids


class Analyzer:
    """This server may run with autovacuum off (the shared bench machine does): then nothing
    ever gathers statistics, and the planner judges tables that grew by thousands of rows as
    empty. Between batches (untimed, for both sides) the written tables are analyzed whenever
    autovacuum's own default rule would (50 rows + 10% changed since the last analyze)."""

    TABLES = ("attendance_locationevent", "fieldwork_taskentry", "fieldwork_submission")

    def __init__(self, raw: Raw, enabled: bool = True) -> None:
        self.conn = raw.conn if raw.postgres and enabled else None
        self.rows = self.at_last = 0
        self.runs = 0
        self.on = True
        if self.conn is not None:
            self.on = self.conn.execute("SHOW autovacuum").fetchone()[0] == "on"  # type: ignore[union-attr,index]

    def wrote(self, rows: int) -> None:
        if self.conn is None or self.on:
            return
        self.rows += rows
        if self.rows - self.at_last > 50 + self.at_last // 10:
            self.conn.execute(f"ANALYZE {', '.join(self.TABLES)}")  # type: ignore[arg-type]
            self.at_last, self.runs = self.rows, self.runs + 1


def backends(raw: Raw) -> list[int]:
    """The server's PostgreSQL backends (every connection to the bench database but ours)."""
    if not raw.postgres:
        return []
    rows = raw.conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",  # type: ignore[call-overload]
                            (PG_NAME,)).fetchall()
    return [r[0] for r in rows]


def bench_actions(port: int, seed: dict, total: int, raw: Raw, figures: dict[str, float],
                  server: subprocess.Popen[bytes], analyze: bool = True) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    ours = actions(total, seed, "h")
    theirs = actions(total, seed, "r")
    http_seconds = raw_seconds = http_cpu = raw_cpu = 0.0
    http_batches, raw_batches = [], []
    errors = stored = 0
    analyzer = Analyzer(raw, analyze)
    post(conn, "/api/attendance/device/events", json.dumps({"events": actions(20, seed, "w")}).encode(),
         seed["http"]["token"])  # untimed: the server process warms up
    pids = server_pids(server)
    raw_backend = [raw.conn.info.backend_pid] if raw.postgres else []  # type: ignore[attr-defined]
    for start in range(0, total, BATCH):
        body = json.dumps({"events": ours[start:start + BATCH]}).encode()
        theirs_cpu = pids + backends(raw)
        cpu = cpu_of(theirs_cpu)
        began = time.perf_counter()
        status, content = post(conn, "/api/attendance/device/events", body, seed["http"]["token"])
        http_batches.append(time.perf_counter() - began)
        http_cpu += cpu_of(theirs_cpu) - cpu
        if status != 200 or json.loads(content)["rejected"]:
            errors += 1
            print(f"  batch failed: {status} {content[:300]!r}")
        else:
            stored += json.loads(content)["actions"]
        cpu, own = cpu_of(raw_backend), time.process_time()
        raw_batches.append(raw.insert(seed, theirs[start:start + BATCH]))
        raw_cpu += time.process_time() - own + cpu_of(raw_backend) - cpu
        analyzer.wrote(4 * BATCH)  # both sides' location events and actions
    http_seconds, raw_seconds = sum(http_batches), sum(raw_batches)
    best = min(raw_batches) / min(http_batches)
    figures.update(actions_per_s=total / http_seconds, raw_per_s=total / raw_seconds,
                   ratio=raw_seconds / http_seconds, best_ratio=best, cpu_ratio=raw_cpu / http_cpu,
                   cpu_ms_per_100=http_cpu * 1e5 / total, raw_cpu_ms_per_100=raw_cpu * 1e5 / total)
    print(f"actions: {total} (entries and submissions) in batches of {BATCH}: "
          f"HTTP {total / http_seconds:,.0f}/s, raw inserts {total / raw_seconds:,.0f}/s, "
          f"{raw_seconds / http_seconds:.2f}x raw (goal >= 0.3x); fastest batch each side {best:.2f}x; stored {stored}")
    print(f"CPU (server processes + their database backends, against the raw client + its backend): "
          f"{http_cpu * 1e5 / total:.1f} ms per 100 actions against {raw_cpu * 1e5 / total:.1f} ms raw, "
          f"{raw_cpu / http_cpu:.2f}x raw")
    if not analyze:
        print("tables not analyzed between batches (--no-analyze)")
    elif raw.postgres and not analyzer.on:
        print(f"autovacuum is off on this server: the tables were analyzed {analyzer.runs} times between "
              "batches, as autovacuum would")
    return errors + (stored != total)


INJECT = """([count, tasks, form]) => new Promise((resolve, reject) => {
  const open = indexedDB.open("officium-app", 2);  // the app's schema version (app.js)
  open.onsuccess = () => {
    const t = open.result.transaction("queue", "readwrite"), s = t.objectStore("queue");
    const start = Date.now() - 3600 * 1000;
    for (let i = 0; i < count; i++) {
      const id = "p" + i, at = new Date(start + i * 100).toISOString();
      const event = i % 2 ? {id, kind: "form", at, lat: 52.5, lon: 13.4, accuracy: 9,
                             data: {form_id: form, version: 1, answers: {done: true, hours: 1}}}
                          : {id, kind: "task_entry", at, lat: 52.5, lon: 13.4, accuracy: 9,
                             data: {task_id: tasks[i % tasks.length], status: "", note: "queued " + i}};
      s.put({id, label: "bench " + i, event, error: ""});
    }
    t.oncomplete = () => resolve(true);
    t.onerror = () => reject(t.error);
  };
  open.onerror = () => reject(open.error);
})"""


def bench_replay(port: int, seed: dict, count: int, figures: dict[str, float]) -> int:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        context = browser.new_context(viewport={"width": 390, "height": 844}, service_workers="block")
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/app/")
        page.fill("#pair-code", seed["phone_code"])
        page.click("#pair-form button[type=submit]")
        page.wait_for_selector("#home:not([hidden])")
        page.evaluate(INJECT, [count, seed["tasks"], seed["form"]])
        page.reload()
        page.wait_for_selector(f"#pending:has-text('{count} pending')")
        began = time.perf_counter()
        page.click("#sync")
        page.wait_for_selector("#pending", state="hidden", timeout=300_000)
        seconds = time.perf_counter() - began
        left = page.evaluate("document.querySelectorAll('#queue .error').length")
        browser.close()
    figures.update(replay_s=seconds, replay_per_s=count / seconds)
    print(f"phone replay: {count} queued actions sent and the queue emptied in {seconds:.2f} s "
          f"({count / seconds:,.0f}/s end to end); refused {left}")
    return int(left)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small pass for CI")
    parser.add_argument("--postgres", action="store_true", help=f"PostgreSQL at 127.0.0.1 ({PG_NAME})")
    parser.add_argument("--no-browser", action="store_true", help="skip the phone replay")
    parser.add_argument("--no-analyze", action="store_true",
                        help="PostgreSQL without autovacuum: never gather statistics (the planner's worst case)")
    args = parser.parse_args()
    total = 2_000 if args.quick else 10_000
    replay = 200 if args.quick else 1_000
    tmp = Path(tempfile.mkdtemp(prefix="officium-bench-fieldwork-"))
    db = tmp / "bench.sqlite3"
    if args.postgres:
        from _harness import _recreate_postgres

        _recreate_postgres(PG_NAME)
        url = f"postgresql://postgres@127.0.0.1:5432/{PG_NAME}"
    else:
        url = f"sqlite:///{db}"
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "OFFICIUM_VAR_DIR": str(tmp / "var"), "OFFICIUM_ENV": "development",
           "DEBUG": "0", "OFFICIUM_BIND": f"127.0.0.1:{port}", "LOG_LEVEL": "WARNING",
           "WEB_CONCURRENCY": "2", "DJANGO_SETTINGS_MODULE": "officium.settings", "PYTHONPATH": str(ROOT / "src"),
           "SITE_URL": f"http://127.0.0.1:{port}"}
    env.pop("OFFICIUM_TESTING", None)
    server = None
    try:
        officium(env, "manage", "migrate", "--skip-checks", "--verbosity", "0")
        seed = json.loads(subprocess.run([PYTHON, "-c", SEED], env=env, check=True, text=True,  # noqa: S603
                                         capture_output=True).stdout.strip().splitlines()[-1])
        server_log = open(tmp / "server.log", "wb")  # noqa: SIM115 (closed with the server)
        server = subprocess.Popen([PYTHON, "-m", "officium.cli", "serve", "--log-level", "warning",  # noqa: S603
                                   "--access-logfile", "/dev/null"], env=env, stdout=subprocess.DEVNULL,
                                  stderr=server_log)
        wait_for(port, server)
        figures: dict[str, float] = {}
        failed = bench_actions(port, seed, total, Raw(args.postgres, db), figures, server, not args.no_analyze)
        if not args.no_browser:
            failed += bench_replay(port, seed, replay, figures)
        if failed:
            lines = (tmp / "server.log").read_text(errors="replace").splitlines()
            print("server errors:", *[line for line in lines if "Error" in line or "officium/" in line][-12:], sep="\n  ")
        figures["load1"] = os.getloadavg()[0]
        print(f"load average (1, 5, 15 min) at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        result("fieldwork", **figures)
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
