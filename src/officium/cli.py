"""The `officium` command: demo, serve, worker, policy, audit, backup, manage."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable

DEMO_BIND = "127.0.0.1:8000"


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
    from officium.env import SecretProblem

    try:
        return handler(args)
    except SecretProblem as problem:  # a clear sentence, not a traceback
        print(f"officium {command}: cannot start: {problem}", file=sys.stderr)
        return 2


def manage(args: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "officium.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["officium manage", *args])
    return 0


def serve(args: list[str]) -> int:
    """Run the web server (gunicorn, threads) on 127.0.0.1:8000 unless OFFICIUM_BIND says otherwise."""
    _check_settings()
    _metrics_directory()
    server = _gunicorn(os.environ.get("OFFICIUM_BIND", DEMO_BIND), args)
    # Stopping this process stops the server: without it a SIGTERM (a supervisor, a benchmark
    # finishing) would leave gunicorn running on its own.
    signal.signal(signal.SIGTERM, lambda *_: server.terminate())
    return server.wait()


def _check_settings() -> None:
    """Load the settings here, so a missing or weak secret stops with one sentence (see main)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "officium.settings")
    from django.conf import settings

    settings.SECRET_KEY  # noqa: B018  (reading one setting loads them all)


def _metrics_directory() -> None:
    """SC2: gunicorn's worker processes each count their own requests; prometheus_client's
    multiprocess mode sums them from files in one directory, emptied at each start (stale
    files of dead processes would add old counts)."""
    import shutil
    from pathlib import Path

    from django.conf import settings

    directory = Path(os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR",
                                           str(Path(settings.VAR_DIR) / "metrics")))
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, mode=0o700)


def _gunicorn(bind: str, args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    workers = os.environ.get("WEB_CONCURRENCY", "2")
    threads = os.environ.get("WEB_THREADS", "8")
    command = [sys.executable, "-m", "gunicorn", "officium.wsgi:application", "--bind", bind,
               "--workers", workers, "--threads", threads, "--worker-class", "gthread",
               # No gunicorn access log: it would record query strings; the request log
               # (officium.privacy.logs) records what the policy lists, IPs truncated per policy.
               *args]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "officium.settings")
    return subprocess.Popen(command, env=env)  # noqa: S603  (our own interpreter and arguments)


def worker(args: list[str]) -> int:
    _django()
    from officium.worker.loop import WorkerLoop

    WorkerLoop(once="--once" in args).run()
    return 0


def demo(args: list[str]) -> int:
    """Migrate, seed the demo organization, run the server and the worker, print the address
    actually served and the logins (the last lines printed)."""
    if os.environ.get("OFFICIUM_ENV") == "production":
        print("officium demo: refused: OFFICIUM_ENV is production. The demo creates accounts with "
              "a published password; run `officium serve` and `officium worker` instead.",
              file=sys.stderr)
        return 2
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from officium.accounts.demo import print_logins, seed_demo
    from officium.privacy.notices.versions import ensure_current_version

    ensure_current_version()
    started = time.monotonic()
    logins = seed_demo()
    seed_story()
    from officium.accounts.demo import DEMO_PASSWORD
    from officium.operator.demo import seed_operator

    logins += seed_operator(DEMO_PASSWORD)
    seeded = time.monotonic() - started
    print(f"officium demo: the demo organizations are seeded ({seeded:.1f} s).", flush=True)
    if "--no-serve" in args:
        print_logins(logins)
        return 0
    bind, note = demo_bind()
    if bind is None:
        print(f"officium demo: {note}", file=sys.stderr)
        return 2
    url = f"http://{bind}/"
    payments, payment_env = _payment_standin(url)
    from django.conf import settings

    mail_dir = settings.VAR_DIR / "mail"
    env = {**os.environ, **payment_env, "OFFICIUM_BIND": bind, "SITE_URL": os.environ.get("SITE_URL", url[:-1]),
           # Quiet at startup so the logins stay the last lines; LOG_LEVEL=INFO shows more.
           "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
           # UX1: the emails the demo sends go to files, not over the logins.
           "EMAIL_FILE_PATH": os.environ.get("EMAIL_FILE_PATH", str(mail_dir))}
    worker_process = subprocess.Popen([sys.executable, "-m", "officium.cli", "worker"], env=env)  # noqa: S603
    server = _gunicorn(bind, ["--log-level", "warning"], env=env)
    signal.signal(signal.SIGTERM, lambda *_: server.terminate())
    try:
        if not _wait_until_listening(bind, server):
            print(f"officium demo: the web server did not start on {bind} "
                  f"(exit code {server.poll()}); see the messages above.", file=sys.stderr)
            return 2
        if note:
            print(note)
        if "EMAIL_HOST" not in os.environ:
            print(f"Emails the demo sends are written to {env['EMAIL_FILE_PATH']}/ (EMAIL_HOST unset).")
        print_logins(logins, url)
        return server.wait()
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=15)
        worker_process.terminate()
        worker_process.wait(timeout=15)
        if payments is not None:
            payments.terminate()
            payments.wait(timeout=15)


def _payment_standin(url: str) -> tuple[subprocess.Popen[bytes] | None, dict[str, str]]:
    """BI2: the demo takes card payments through a local stand-in of the provider (its API and
    its Stripe.js substitute on its own loopback port), unless Stripe's keys are set."""
    if os.environ.get("STRIPE_SECRET_KEY") or os.environ.get("OFFICIUM_PAYMENT_PROVIDER") == "stripe":
        return None, {}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    process = subprocess.Popen(  # noqa: S603  (our own interpreter and module)
        [sys.executable, "-m", "officium.billing.providers.standin", "--port", str(port),
         "--webhook-url", f"{url}billing/webhooks/provider/"], stdout=subprocess.DEVNULL)
    return process, {"OFFICIUM_PAYMENT_PROVIDER": "standin",
                     "OFFICIUM_PAYMENT_API_BASE": f"http://127.0.0.1:{port}"}


def seed_story() -> None:
    """UX1: every app's part of the demo's story, each idempotent (a second run adds nothing)."""
    from officium.accounts.demo import (
        seed_breach_drill,
        seed_controller_contact,
        seed_privacy_story,
        seed_release,
    )
    from officium.billing.demo import seed_billing
    from officium.fieldwork.demo import seed_field_work
    from officium.notifications.demo import seed_notifications
    from officium.portal.demo import seed_portal
    from officium.workforce.demo import seed_today, seed_working_time

    seed_working_time()
    seed_today()
    seed_privacy_story()
    seed_breach_drill()
    seed_controller_contact()
    seed_portal()
    seed_field_work()
    seed_billing()
    seed_notifications()
    seed_release()  # after the check-ins it counts


def demo_bind() -> tuple[str | None, str]:
    """Where the demo serves, and a note to print; ``(None, reason)`` when it cannot.

    OFFICIUM_BIND is taken as given (a taken port is an error naming it); otherwise
    127.0.0.1:8000, or a free port on 127.0.0.1 when 8000 is taken.
    """
    chosen = os.environ.get("OFFICIUM_BIND")
    if chosen:
        host, _, port = chosen.rpartition(":")
        if not _free(host, int(port)):
            return None, (f"{chosen} (OFFICIUM_BIND) is already in use; stop what listens there "
                          "or choose another address with OFFICIUM_BIND=127.0.0.1:PORT")
        return chosen, ""
    host, _, port = DEMO_BIND.rpartition(":")
    if _free(host, int(port)):
        return DEMO_BIND, ""
    with socket.socket() as probe:
        probe.bind((host, 0))
        free_port = int(probe.getsockname()[1])
    return f"{host}:{free_port}", f"Port {port} is in use; serving on {host}:{free_port} instead."


def _free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _wait_until_listening(bind: str, server: subprocess.Popen[bytes], timeout: float = 60) -> bool:
    host, _, port = bind.rpartition(":")
    deadline = time.monotonic() + timeout
    while server.poll() is None and time.monotonic() < deadline:
        try:
            with socket.create_connection((host, int(port)), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def policy(args: list[str]) -> int:
    from officium.privacy.policy.cli import main as policy_main

    _django()  # PV7: the check also asks whether installed code backs each statement
    return policy_main(args)


def _engine_command(module: str) -> Callable[[list[str]], int]:
    def run(args: list[str]) -> int:
        import importlib

        _django()
        result: int = importlib.import_module(module).main(args)
        return result

    return run


USAGE = """usage: officium COMMAND [ARGS]

  demo              migrate, seed the demo organization, serve + worker, print the
                    address and the logins (never in production)
  serve             run the web server on 127.0.0.1:8000 (OFFICIUM_BIND to change)
  worker            run queued tasks and periodic jobs
  policy check FILE validate policy files
  audit verify      verify the tamper-evident audit log; show the last checkpoint
  audit checkpoint  sign the audit log's head now (the worker does it every minute)
  backup [PATH]     back up the database (never the master key or the ledgers)
  restore PATH      restore a backup; re-applies the shred and erasure ledgers
  keys rotate|rewrap  new subject key versions | rewrap keys under a new master key
  staff create EMAIL  a platform staff account (prints a link to set its password;
                    two-step sign-in must be enrolled before anything else)
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
    "staff": _engine_command("officium.operator.staff"),
}

if __name__ == "__main__":
    sys.exit(main())
