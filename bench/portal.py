"""Portal throughput and memory through a running server (issue 8).

Starts ``officium serve`` (gunicorn) on a free port with a temporary SQLite database and var
directory, uploads a file through the chunked API (encrypted as it arrives), downloads it
(decrypted as it streams), checks the bytes, and compares both with a plain file copy of the
same size on the same disk. Peak memory is each gunicorn worker's VmHWM.

    .venv/bin/python bench/portal.py            # 1 GiB
    .venv/bin/python bench/portal.py --quick    # ~20 MB, for CI
    .venv/bin/python bench/portal.py --size 200000000 --chunk 16

Goals: upload and download at least 0.5x the copy and at least 150 MB/s; peak worker RSS
under 150 MB.

File manager (issue 18), in the same run: a 100 MB PDF (10 MB with --quick) previewed through
the API (first byte, and the whole stream decrypted) against reading the plaintext file from
disk; an import from a WebDAV server on loopback (wsgidav, started here) against a plain HTTP
download of the same files from it (goal: at least 0.5x; three of each, interleaved, the best
of each compared); and one page of a folder of 10,000 files against one of 1,000 (goal: within
1.2x; timed in turns, best of 15 each).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests
from _harness import cpu_of, result

ROOT = Path(__file__).resolve().parents[1]
MB = 1_000_000
BLOCK = 16 * 1024 * 1024
FEED_BLOCK = 4 * 1024 * 1024

SETUP = """
from officium.accounts.models import Membership, Organization, User
from officium.accounts import services as accounts
from officium.portal import services
org = Organization.objects.create(name="Bench", slug="bench", plan="enterprise")
user = User.objects.create_user("bench@example.com", "bench-password-123", is_active=True)
member = Membership.objects.create(organization=org, user=user, role="owner")
space = services.create_space(member, "Bench space")
_, raw = accounts.create_api_token(user, "bench")
print("BENCH", raw, space.pk)
"""

LISTING_SETUP = """
from django.utils import timezone
from officium.accounts.models import Membership
from officium.portal import services
from officium.portal.models import File
member = Membership.objects.get(organization__slug="bench")
out = []
for count in (1000, 10000):
    space = services.create_space(member, f"Listing {count}")
    now = timezone.now()
    File.objects.bulk_create([File(organization_id=space.organization_id, space=space,
                                   uploaded_by=member.user, name=f"scan-{n:06d}.pdf", extension="pdf",
                                   size=n, sha256="0" * 64, record_size=65536, wrapped_key=b"",
                                   created_at=now) for n in range(count)], batch_size=2000)
    out.append(str(space.pk))
print("LISTING", *out)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def officium(env: dict[str, str], *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "officium.cli", *args], env=env, check=True,  # noqa: S603
                          capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]


def make_source(path: Path, size: int) -> str:
    digest = hashlib.sha256()
    block = os.urandom(BLOCK)
    with open(path, "wb") as out:
        left = size
        while left:
            piece = block[: min(left, BLOCK)]
            out.write(piece)
            digest.update(piece)
            left -= len(piece)
        out.flush()
        os.fsync(out.fileno())  # clean pages, so drop_cache really drops them
    return digest.hexdigest()


def drop_cache(path: Path) -> None:
    """Best effort: keep the copy from reading a cached source (the server reads from the
    client's socket, not the cache, so the copy would otherwise be favoured)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def plain_copy(source: Path, target: Path) -> float:
    drop_cache(source)
    started = time.perf_counter()
    shutil.copyfile(source, target)
    fd = os.open(target, os.O_RDONLY)
    os.fsync(fd)
    os.close(fd)
    elapsed = time.perf_counter() - started
    target.unlink()
    return elapsed


def wait_for(url: str, timeout: float = 60.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            requests.get(url, timeout=10)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer at {url}")


def worker_pids(root_pid: int) -> list[int]:
    """Every descendant of the `officium serve` process (the gunicorn master and its workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, []):
            found.append(child)
            todo.append(child)
    return found


def stored_bytes(work: Path) -> int:
    return sum(p.stat().st_size for p in (work / "var" / "files").rglob("*") if p.is_file())


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time used so far by these processes (all their threads) and by this
    one: on a shared machine, CPU per GB says more than a rate that depends on the load."""
    own = os.times()
    return cpu_of(pids) + own.user + own.system


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / MB
    return 0.0


class FileFeed:
    """The source file's bytes from a reader thread, a few blocks ahead of the sender, so the
    disk read overlaps the network send (as a browser streams a file) and the figure is the
    server's, not this client's read-then-send turns. Memory: ``depth`` blocks."""

    def __init__(self, path: Path, block: int, depth: int = 4) -> None:
        self.blocks: queue.Queue[bytes] = queue.Queue(maxsize=depth)
        self.thread = threading.Thread(target=self._read, args=(path, block), daemon=True)
        self.thread.start()

    def _read(self, path: Path, block: int) -> None:
        with open(path, "rb") as handle:
            while piece := handle.read(block):
                self.blocks.put(piece)
        self.blocks.put(b"")


class ChunkBody:
    """One PATCH's body: ``length`` bytes from the feed. ``__len__`` makes requests send a
    Content-Length; ``read`` hands over whole blocks (urllib3 sends what it gets)."""

    def __init__(self, feed: FileFeed, length: int) -> None:
        self.feed, self.length, self.left = feed, length, length

    def __len__(self) -> int:
        return self.length

    def read(self, _size: int = -1) -> bytes:
        if not self.left:
            return b""
        piece = self.feed.blocks.get()
        if len(piece) > self.left:
            raise RuntimeError("blocks must not straddle chunks")
        self.left -= len(piece)
        return piece


def upload(session: requests.Session, base: str, space_id: int, source: Path, size: int,
           sha256: str, chunk: int) -> int:
    answer = session.post(f"{base}/api/portal/orgs/bench/spaces/{space_id}/uploads",
                          json={"name": source.name, "size": size, "sha256": sha256})
    answer.raise_for_status()
    location = base + answer.json()["location"]
    feed = FileFeed(source, min(chunk, FEED_BLOCK))  # chunks are whole MiB: blocks divide them
    offset = 0
    while True:
        length = min(chunk, size - offset)
        answer = session.patch(location, data=ChunkBody(feed, length) if length else b"",
                               headers={"Upload-Offset": str(offset),
                                        "Content-Type": "application/offset+octet-stream"})
        answer.raise_for_status()
        result = answer.json()
        offset = result["offset"]
        if result["complete"]:
            return int(result["file_id"])
        if not length:
            raise RuntimeError("the server did not complete the upload")


def download(session: requests.Session, base: str, file_id: int) -> tuple[int, str]:
    digest = hashlib.sha256()
    total = 0
    with session.get(f"{base}/api/portal/orgs/bench/files/{file_id}/content", stream=True) as answer:
        answer.raise_for_status()
        for piece in answer.iter_content(1024 * 1024):
            digest.update(piece)
            total += len(piece)
    return total, digest.hexdigest()


def median_seconds(call: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    times.sort()
    return times[len(times) // 2]


def preview_figures(session: requests.Session, base: str, file_id: int, source: Path,
                    size: int) -> dict[str, float]:
    """First byte and full stream of the preview against reading the plaintext from disk."""
    url = f"{base}/api/portal/orgs/bench/files/{file_id}/preview"

    def first_byte() -> None:
        with session.get(url, stream=True) as answer:
            answer.raise_for_status()
            next(answer.iter_content(65536))

    def whole() -> None:
        total = 0
        with session.get(url, stream=True) as answer:
            for piece in answer.iter_content(1024 * 1024):
                total += len(piece)
        assert total == size

    def plain_first() -> None:
        drop_cache(source)
        with open(source, "rb") as handle:
            handle.read(65536)

    def plain_whole() -> None:
        drop_cache(source)
        with open(source, "rb") as handle:
            while handle.read(1024 * 1024):
                pass

    preview_first = median_seconds(first_byte, 5)
    plain_first_s = median_seconds(plain_first, 5)
    preview_whole = median_seconds(whole, 3)
    plain_whole_s = median_seconds(plain_whole, 3)
    return {"preview_first_byte_ms": round(preview_first * 1000, 1),
            "plain_first_byte_ms": round(plain_first_s * 1000, 2),
            "preview_stream_mb_s": round(size / MB / preview_whole, 1),
            "plain_read_mb_s": round(size / MB / plain_whole_s, 1),
            "preview_stream_ratio": round(plain_whole_s / preview_whole, 3)}


def webdav_server(root: Path, password: str) -> tuple[str, object]:
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from wsgidav.wsgidav_app import WsgiDAVApp

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    class Threaded(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    app = WsgiDAVApp({"host": "127.0.0.1", "port": 0, "provider_mapping": {"/dav": str(root)},
                      "simple_dc": {"user_mapping": {"/dav": {"bench": {"password": password}}}},
                      "http_authenticator": {"domain_controller": None, "accept_basic": True,
                                             "accept_digest": False, "default_to_digest": False},
                      "verbose": 0, "logging": {"enable_loggers": []},
                      "dir_browser": {"enable": False}, "lock_storage": True,
                      "property_manager": True})
    server = make_server("127.0.0.1", 0, app, server_class=Threaded, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/dav/", server


def import_figures(session: requests.Session, base: str, space_id: int, work: Path,
                   files: int, each: int, pids: list[int], runs: int = 3) -> dict[str, Any]:
    """An import from wsgidav on loopback against a plain download of the same files."""
    root = work / "dav" / "Batch"
    root.mkdir(parents=True)
    for n in range(files):
        make_source(root / f"part-{n}.bin", each)
    password = "bench-app-password"  # noqa: S105
    dav, server = webdav_server(work / "dav", password)
    try:
        plain = requests.Session()
        plain.auth = ("bench", password)

        def download_all() -> None:
            for n in range(files):
                with plain.get(f"{dav}Batch/part-{n}.bin", stream=True) as answer, \
                        open(work / "plain.bin", "wb") as out:
                    answer.raise_for_status()
                    for piece in answer.iter_content(1024 * 1024):
                        out.write(piece)
                    out.flush()
                    os.fsync(out.fileno())

        made = session.post(f"{base}/api/portal/orgs/bench/import-sources",
                            json={"label": "Bench", "base_url": dav, "username": "bench",
                                  "password": password})
        made.raise_for_status()

        def import_once(run: int) -> float:
            # a fresh space each time, so nothing is skipped as already imported
            space = session.post(f"{base}/api/portal/orgs/bench/spaces",
                                 json={"name": f"Import {run}"})
            space.raise_for_status()
            started = time.perf_counter()
            job = session.post(f"{base}/api/portal/orgs/bench/imports",
                               json={"source_id": made.json()["id"],
                                     "space_id": space.json()["id"], "paths": ["Batch"]})
            job.raise_for_status()
            while job.json()["status"] not in ("done", "failed"):
                time.sleep(0.05)
                job = session.get(f"{base}/api/portal/orgs/bench/imports/{job.json()['id']}")
            seconds = time.perf_counter() - started
            assert job.json()["status"] == "done" and job.json()["files_done"] == files, job.json()
            return seconds

        # Interleaved, best of N each: on a shared machine the load moves between runs, and
        # the fastest run of each is the one least disturbed by others.
        # CPU time too (the workers' and this process's, which also serves the WebDAV side
        # of both): what each costs the machine, which the load does not change much.
        plain_runs, import_runs, plain_cpu, import_cpu = [], [], [], []
        for run in range(runs):
            cpu = cpu_seconds(pids)
            plain_runs.append(median_seconds(download_all, 1))
            plain_cpu.append(cpu_seconds(pids) - cpu)
            cpu = cpu_seconds(pids)
            import_runs.append(import_once(run))
            import_cpu.append(cpu_seconds(pids) - cpu)
        plain_seconds, import_seconds = min(plain_runs), min(import_runs)
    finally:
        server.shutdown()  # type: ignore[attr-defined]
    total = files * each / MB
    return {"import_mb_s": round(total / import_seconds, 1),
            "plain_http_mb_s": round(total / plain_seconds, 1),
            "import_ratio": round(plain_seconds / import_seconds, 3),
            "import_cpu_s_per_gb": round(min(import_cpu) / (files * each / 1e9), 2),
            "plain_http_cpu_s_per_gb": round(min(plain_cpu) / (files * each / 1e9), 2),
            "import_ratios_per_run": [round(p / i, 3) for p, i in zip(plain_runs, import_runs,
                                                                      strict=True)],
            # per run too: a slow run with a CPU figure like the others was the machine's load
            "import_cpu_s_per_gb_per_run": [round(c / (files * each / 1e9), 2) for c in import_cpu],
            "plain_http_cpu_s_per_gb_per_run": [round(c / (files * each / 1e9), 2)
                                                for c in plain_cpu]}


def listing_figures(session: requests.Session, base: str, small: int, large: int,
                    rounds: int = 15) -> dict[str, float]:
    """One page (100 files, by name, the first and a deep one) of 1,000 against 10,000 files.
    The two folders are timed in turns, round after round, and each page's best time is kept:
    a page's own cost, not how busy the shared machine happened to be when it was asked."""
    def urls(space_id: int) -> tuple[str, str]:
        url = f"{base}/api/portal/orgs/bench/spaces/{space_id}?limit=100"
        cursor = ""
        for _ in range(5):  # walk in, so the measured page is deep in the folder
            cursor = session.get(url + f"&after={cursor}").json()["next"]
        return url, url + f"&after={cursor}"

    pages = {"small": urls(small), "large": urls(large)}
    best = {(size, which): float("inf") for size in pages for which in (0, 1)}
    for _ in range(rounds):
        for size, pair in pages.items():
            for which, url in enumerate(pair):
                started = time.perf_counter()
                session.get(url).raise_for_status()
                best[size, which] = min(best[size, which], time.perf_counter() - started)
    page_small = (best["small", 0] + best["small", 1]) / 2
    page_large = (best["large", 0] + best["large", 1]) / 2
    return {"page_1k_ms": round(page_small * 1000, 2), "page_10k_ms": round(page_large * 1000, 2),
            "listing_ratio": round(page_large / page_small, 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1024 * 1024 * 1024, help="file size in bytes")
    parser.add_argument("--quick", action="store_true", help="about 20 MB, for CI")
    parser.add_argument("--chunk", type=int, default=64,
                        help="MiB per PATCH (tus clients default to one PATCH per file; each "
                             "PATCH costs a round of authentication, lease and state writes)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--dir", default=None, help="where the temporary files go (same disk)")
    args = parser.parse_args()
    size = 20 * 1024 * 1024 + 12345 if args.quick else args.size
    chunk = args.chunk * 1024 * 1024

    with tempfile.TemporaryDirectory(prefix="ofc-bench-portal-", dir=args.dir) as tmp:
        work = Path(tmp)
        port = free_port()
        env = {**os.environ, "OFFICIUM_VAR_DIR": str(work / "var"),
               "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
               "OFFICIUM_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(args.workers),
               "DJANGO_SETTINGS_MODULE": "officium.settings", "LOG_LEVEL": "WARNING",
               # imports run in the request (no worker here) and may reach loopback
               "OFFICIUM_TASKS_IMMEDIATE": "true", "OFFICIUM_PORTAL_IMPORT_PRIVATE_HOSTS": "true"}
        env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
        officium(env, "manage", "migrate", "--skip-checks", "-v", "0")
        setup = officium(env, "manage", "shell", "--no-imports", "-c", SETUP)
        line = next(x for x in setup.stdout.splitlines() if x.startswith("BENCH "))
        _, token, space_id = line.split()
        listing = officium(env, "manage", "shell", "--no-imports", "-c", LISTING_SETUP)
        line = next(x for x in listing.stdout.splitlines() if x.startswith("LISTING "))
        listing_small, listing_large = (int(x) for x in line.split()[1:])

        source = work / "source.bin"
        sha256 = make_source(source, size)
        copy_seconds = first_copy = plain_copy(source, work / "copy.bin")

        server = subprocess.Popen([sys.executable, "-m", "officium.cli", "serve",
                                   "--access-logfile", "/dev/null"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(base + "/accounts/login/")
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {token}"
            # Warm every worker up (imports, first connection, the space key) with a small
            # upload, so the figures are steady-state transfer, not a process's first request.
            warm = work / "warm.bin"
            warm_sha = make_source(warm, 1024 * 1024)
            for _ in range(int(env.get("WEB_CONCURRENCY", "2")) * 2):
                upload(session, base, int(space_id), warm, 1024 * 1024, warm_sha, chunk)
            stored_before = stored_bytes(work)
            drop_cache(source)
            pids = worker_pids(server.pid)
            # what a worker holds before the measured transfer (its imports, URLconf, a few
            # small uploads): the peak below minus this is the transfer's own memory
            warm_peaks = {pid: peak_rss_mb(pid) for pid in pids}
            cpu = cpu_seconds(pids)
            started = time.perf_counter()
            file_id = upload(session, base, int(space_id), source, size, sha256, chunk)
            upload_seconds = time.perf_counter() - started
            upload_cpu, cpu = cpu_seconds(pids) - cpu, cpu_seconds(pids)
            started = time.perf_counter()
            received, received_sha = download(session, base, file_id)
            download_seconds = time.perf_counter() - started
            download_cpu = cpu_seconds(pids) - cpu
            peaks = {pid: peak_rss_mb(pid) for pid in pids}
            stored = stored_bytes(work) - stored_before  # the measured file only
            pdf_size = 10 * MB if args.quick else 100 * MB
            pdf = work / "report.pdf"
            pdf_sha = make_source(pdf, pdf_size)
            pdf_id = upload(session, base, int(space_id), pdf, pdf_size, pdf_sha, chunk)
            manager: dict[str, Any] = dict(preview_figures(session, base, pdf_id, pdf, pdf_size))
            pdf.unlink()
            manager.update(import_figures(session, base, int(space_id), work,
                                          5, 2 * MB if args.quick else 20 * MB, pids))
            manager.update(listing_figures(session, base, listing_small, listing_large))
        finally:
            server.terminate()
            server.wait(timeout=30)
        assert received == size and received_sha == sha256, "downloaded bytes differ"
        # The copy again, after ours: the machine is shared, so the reference is the mean of
        # one copy before and one after.
        copy_seconds = (copy_seconds + plain_copy(source, work / "copy.bin")) / 2
        copies = [round(size / MB / s, 1) for s in (first_copy, 2 * copy_seconds - first_copy)]

    copy_rate = size / MB / copy_seconds
    up_rate = size / MB / upload_seconds
    down_rate = size / MB / download_seconds
    worker_peak = max(peaks.values()) if peaks else 0.0
    report = {
        "size_bytes": size, "chunk_mib": args.chunk, "workers": args.workers,
        "plain_copy_mb_s": round(copy_rate, 1), "plain_copies_mb_s": copies,
        "upload_mb_s": round(up_rate, 1), "upload_ratio": round(up_rate / copy_rate, 3),
        "download_mb_s": round(down_rate, 1), "download_ratio": round(down_rate / copy_rate, 3),
        "cpu_s_per_gb_upload": round(upload_cpu / (size / 1e9), 2),
        "cpu_s_per_gb_download": round(download_cpu / (size / 1e9), 2),
        "load_average": round(os.getloadavg()[0], 2),
        "stored_overhead_bytes": stored - size,
        "peak_rss_mb_per_process": {str(k): round(v, 1) for k, v in peaks.items()},
        "peak_worker_rss_mb": round(worker_peak, 1),
        "warm_worker_rss_mb": round(max(warm_peaks.values()) if warm_peaks else 0.0, 1),
        "transfer_rss_mb": round(max((peaks[p] - warm_peaks.get(p, 0.0) for p in peaks),
                                     default=0.0), 1),
        "file_manager": manager,
    }
    print(json.dumps(report, indent=2))
    goals = {
        "upload >= 0.5x copy": up_rate >= 0.5 * copy_rate, "upload >= 150 MB/s": up_rate >= 150,
        "download >= 0.5x copy": down_rate >= 0.5 * copy_rate,
        "download >= 150 MB/s": down_rate >= 150, "peak RSS < 150 MB": worker_peak < 150,
        "import >= 0.5x plain HTTP": manager["import_ratio"] >= 0.5,
        "10k-file page within 1.2x of 1k": manager["listing_ratio"] <= 1.2,
    }
    for goal, met in goals.items():
        print(f"{'met ' if met else 'MISS'}  {goal}")
    result("portal", upload_ratio=up_rate / copy_rate, download_ratio=down_rate / copy_rate,
           upload_mb_s=up_rate, download_mb_s=down_rate, copy_mb_s=copy_rate,
           peak_worker_rss_mb=worker_peak, transfer_rss_mb=report["transfer_rss_mb"], preview_first_byte_ms=manager["preview_first_byte_ms"],
           preview_stream_ratio=manager["preview_stream_ratio"],
           import_ratio=manager["import_ratio"], listing_ratio=manager["listing_ratio"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
