"""The first run (UX1): `officium demo --no-serve` on a fresh SQLite database, in one run.

    python bench/first_run.py [--quick]

What `make run` does after the install, less serving: migrate a new database, seed the demo
story, print the logins. Timed in a child process: wall seconds and the child's CPU seconds
(user + system, robust to a loaded machine), next to the raw baseline of the same child
starting Django and exiting. The figure is the best of 3 runs (1 with --quick), with the load
average. Goal: the demo seeded within 30 s of the install finishing.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import parse, result  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def timed_child(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    args = parse(__doc__.splitlines()[0])
    runs = 1 if args.quick else 3
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("OFFICIUM_", "DATABASE_URL", "DJANGO_", "EMAIL_"))}
    best: dict[str, tuple[float, float]] = {}
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="officium-first-run-") as var:
            env = {**clean, "OFFICIUM_ENV": "development", "OFFICIUM_VAR_DIR": var,
                   "PYTHONPATH": str(ROOT / "src")}
            raw = timed_child([sys.executable, "-c", "import django, os; os.environ.setdefault("
                               "'DJANGO_SETTINGS_MODULE', 'officium.settings'); django.setup()"], env)
            demo = timed_child([sys.executable, "-m", "officium.cli", "demo", "--no-serve"], env)
        for name, figures in (("raw", raw), ("demo", demo)):
            best[name] = min(best.get(name, figures), figures, key=lambda f: f[1])
        print(f"run: demo wall {demo[0]:.1f} s cpu {demo[1]:.1f} s; raw (Django start) wall "
              f"{raw[0]:.1f} s cpu {raw[1]:.1f} s; load {os.getloadavg()[0]:.2f}", flush=True)
    print(f"best of {runs}: demo seeded in {best['demo'][0]:.1f} s wall, {best['demo'][1]:.1f} s CPU "
          f"(goal: 30 s); Django's start alone {best['raw'][1]:.1f} s CPU; "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    result("first_run", demo_wall_s=best["demo"][0], demo_cpu_s=best["demo"][1], raw_cpu_s=best["raw"][1],
           load=os.getloadavg()[0])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
