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

import requests
from _harness import result

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
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    own = os.times()
    return ticks / os.sysconf("SC_CLK_TCK") + own.user + own.system


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
               "DJANGO_SETTINGS_MODULE": "officium.settings", "LOG_LEVEL": "WARNING"}
        env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
        officium(env, "manage", "migrate", "--skip-checks", "-v", "0")
        setup = officium(env, "manage", "shell", "--no-imports", "-c", SETUP)
        line = next(x for x in setup.stdout.splitlines() if x.startswith("BENCH "))
        _, token, space_id = line.split()

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
        finally:
            server.terminate()
            server.wait(timeout=30)
        assert received == size and received_sha == sha256, "downloaded bytes differ"
        stored = stored_bytes(work) - stored_before  # the measured file only, not the warm-up
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
    }
    print(json.dumps(report, indent=2))
    goals = {
        "upload >= 0.5x copy": up_rate >= 0.5 * copy_rate, "upload >= 150 MB/s": up_rate >= 150,
        "download >= 0.5x copy": down_rate >= 0.5 * copy_rate,
        "download >= 150 MB/s": down_rate >= 150, "peak RSS < 150 MB": worker_peak < 150,
    }
    for goal, met in goals.items():
        print(f"{'met ' if met else 'MISS'}  {goal}")
    result("portal", upload_ratio=up_rate / copy_rate, download_ratio=down_rate / copy_rate,
           upload_mb_s=up_rate, download_mb_s=down_rate, copy_mb_s=copy_rate,
           peak_worker_rss_mb=worker_peak)
    return 0


if __name__ == "__main__":
    sys.exit(main())
