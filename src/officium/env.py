"""Typed readers for settings taken from the environment.

Secrets come from ``NAME`` or from a file named by ``NAME_FILE``. In development a missing
secret is generated once into ``./var/`` (mode 0600); in production a missing secret stops
the process with a message naming the variable, because a silent default secret is a breach
waiting to happen.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse


class MissingSecret(RuntimeError):
    """A production process started without one of its secrets."""


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be a boolean (true/false), got {raw!r}")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None


def envlist(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def secret(
    name: str,
    *,
    production: bool,
    var_dir: Path,
    generate: Callable[[], str] = lambda: secrets.token_urlsafe(50),
) -> str:
    """Return the secret ``name`` from the environment, a ``*_FILE``, or (development) ./var/."""
    value = os.environ.get(name)
    if value:
        return value
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        path = Path(file_name)
        if not path.is_file():
            raise MissingSecret(f"{name}_FILE points to {file_name}, which is not a readable file.")
        return path.read_text().strip()
    if production:
        raise MissingSecret(
            f"{name} is not set. In production Officium refuses to start without it: "
            f"set {name} or {name}_FILE."
        )
    return _development_secret(name, var_dir, generate)


def _development_secret(name: str, var_dir: Path, generate: Callable[[], str]) -> str:
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / f"{name.lower()}.secret"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(generate())
    return path.read_text().strip()


def database_config(url: str, *, var_dir: Path) -> dict[str, object]:
    """Translate a ``DATABASE_URL`` into Django's DATABASES entry.

    ``sqlite:///relative.db``, ``sqlite:////absolute.db`` and ``postgres[ql]://user@host:port/db``.
    """
    if not url:
        return _sqlite(var_dir / "officium.sqlite3")
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        if path.startswith("/") and not path.startswith("//"):
            path = path[1:]  # sqlite:///relative -> relative
        elif path.startswith("//"):
            path = path[1:]
        return _sqlite(Path(path) if path else var_dir / "officium.sqlite3")
    if parsed.scheme in {"postgres", "postgresql", "pgsql"}:
        options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "officium",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ValueError(f"DATABASE_URL has an unsupported scheme {parsed.scheme!r}")


def _sqlite(path: Path) -> dict[str, object]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;"
            ),
            "transaction_mode": "IMMEDIATE",
        },
        # Opening a connection runs the pragmas above; a worker keeps its connection instead.
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
