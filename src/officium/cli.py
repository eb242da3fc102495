"""The `officium` command: demo, serve, worker, policy, audit, backup, manage."""

from __future__ import annotations

import os
import signal
import subprocess
import sys


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "officium.settings")
    import django

    django.setup()


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args.pop(0) if args else "help"
    handler = COMMANDS.get(command)
    if handler is None:
        print(USAGE)
        return 0 if command in {"help", "-h", "--help"} else 2
    return handler(args)


def manage(args: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "officium.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["officium manage", *args])
    return 0


def serve(args: list[str]) -> int:
    """Run the web server (gunicorn, threads) on 127.0.0.1:8000 unless --bind says otherwise."""
    bind = os.environ.get("OFFICIUM_BIND", "127.0.0.1:8000")
    workers = os.environ.get("WEB_CONCURRENCY", "2")
    threads = os.environ.get("WEB_THREADS", "8")
    command = [sys.executable, "-m", "gunicorn", "officium.wsgi:application", "--bind", bind,
               "--workers", workers, "--threads", threads, "--worker-class", "gthread",
               # No gunicorn access log: it would record query strings; the request log
               # (officium.privacy.logs) records what the policy lists, IPs truncated per policy.
               *args]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "officium.settings")
    server = subprocess.Popen(command)  # noqa: S603  (our own interpreter and arguments)
    # Stopping this process stops the server: without it a SIGTERM (a supervisor, a benchmark
    # finishing) would leave gunicorn running on its own.
    signal.signal(signal.SIGTERM, lambda *_: server.terminate())
    return server.wait()


def worker(args: list[str]) -> int:
    _django()
    from officium.worker.loop import WorkerLoop

    WorkerLoop(once="--once" in args).run()
    return 0


def demo(args: list[str]) -> int:
    """Migrate, seed the demo organization, print the logins, run the server and the worker."""
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from officium.accounts.demo import print_logins, seed_demo
    from officium.privacy.notices.versions import ensure_current_version

    ensure_current_version()

    logins = seed_demo()
    from officium.workforce.demo import seed_working_time

    seed_working_time()
    print_logins(logins)
    if "--no-serve" in args:
        return 0
    worker_process = subprocess.Popen([sys.executable, "-m", "officium.cli", "worker"])  # noqa: S603
    try:
        return serve([])
    finally:
        worker_process.terminate()
        worker_process.wait(timeout=15)


def policy(args: list[str]) -> int:
    from officium.privacy.policy.cli import main as policy_main

    return policy_main(args)


def _engine_command(module: str) -> object:
    def run(args: list[str]) -> int:
        import importlib

        _django()
        result: int = importlib.import_module(module).main(args)
        return result

    return run


USAGE = """usage: officium COMMAND [ARGS]

  demo              migrate, seed the demo organization, print logins, serve + worker
  serve             run the web server on 127.0.0.1:8000 (OFFICIUM_BIND to change)
  worker            run queued tasks and periodic jobs
  policy check FILE validate policy files
  audit verify      verify the tamper-evident audit log
  backup [PATH]     back up the database (never the master key or the shred ledger)
  restore PATH      restore a backup; re-applies the shred ledger
  keys rotate|rewrap  new subject key versions | rewrap keys under a new master key
  manage ...        any Django management command
"""

COMMANDS = {
    "manage": manage,
    "serve": serve,
    "worker": worker,
    "demo": demo,
    "policy": policy,
    "audit": _engine_command("officium.privacy.audit.cli"),
    "backup": _engine_command("officium.privacy.vault.backup"),
    "restore": _engine_command("officium.privacy.vault.restore"),
    "keys": _engine_command("officium.privacy.vault.cli"),
}

if __name__ == "__main__":
    sys.exit(main())
