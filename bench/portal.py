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
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
MB = 1_000_000
BLOCK = 16 * 1024 * 1024

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


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / MB
    return 0.0


def upload(session: requests.Session, base: str, space_id: int, source: Path, size: int,
           sha256: str, chunk: int) -> int:
    answer = session.post(f"{base}/api/portal/orgs/bench/spaces/{space_id}/uploads",
                          json={"name": source.name, "size": size, "sha256": sha256})
    answer.raise_for_status()
    location = base + answer.json()["location"]
    offset = 0
    with open(source, "rb") as handle:
        while True:
            body = handle.read(chunk)
            answer = session.patch(location, data=body, headers={
                "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"})
            answer.raise_for_status()
            result = answer.json()
            offset = result["offset"]
            if result["complete"]:
                return int(result["file_id"])
            if not body:
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
    parser.add_argument("--chunk", type=int, default=16, help="MiB per PATCH")
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
        copy_seconds = plain_copy(source, work / "copy.bin")

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
            started = time.perf_counter()
            file_id = upload(session, base, int(space_id), source, size, sha256, chunk)
            upload_seconds = time.perf_counter() - started
            started = time.perf_counter()
            received, received_sha = download(session, base, file_id)
            download_seconds = time.perf_counter() - started
            pids = worker_pids(server.pid)
            peaks = {pid: peak_rss_mb(pid) for pid in pids}
        finally:
            server.terminate()
            server.wait(timeout=30)
        assert received == size and received_sha == sha256, "downloaded bytes differ"
        stored = stored_bytes(work) - stored_before  # the measured file only, not the warm-up

    copy_rate = size / MB / copy_seconds
    up_rate = size / MB / upload_seconds
    down_rate = size / MB / download_seconds
    worker_peak = max(peaks.values()) if peaks else 0.0
    report = {
        "size_bytes": size, "chunk_mib": args.chunk, "workers": args.workers,
        "plain_copy_mb_s": round(copy_rate, 1),
        "upload_mb_s": round(up_rate, 1), "upload_ratio": round(up_rate / copy_rate, 3),
        "download_mb_s": round(down_rate, 1), "download_ratio": round(down_rate / copy_rate, 3),
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
