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


class SecretProblem(RuntimeError):
    """A secret that stops the start: missing, or unfit for production. The message names the
    variable and how to fix it, never the value."""


class MissingSecret(SecretProblem):
    """A production process started without one of its secrets."""


class WeakSecret(SecretProblem):
    """A production secret that is malformed or too weak to protect anything."""


MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_CHARACTERS = 5
DJANGO_INSECURE_PREFIX = "django-insecure-"


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


def map_tile_origins(url: str) -> list[str]:
    """The CSP source allowing a tile server URL (WT8), e.g. ``https://{s}.tile.example.org/{z}/{x}/{y}.png``
    -> ``https://*.tile.example.org``; none for an empty URL. Anything but an http(s) URL with a
    host is refused at start-up rather than silently widening the CSP."""
    if not url:
        return []
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}", "s"))
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise ValueError(f"OFFICIUM_MAP_TILES_URL must be an http(s) URL with a host, got {url!r}")
    host = url.split("://", 1)[1].split("/", 1)[0].replace("{s}", "*")
    if any(c in host for c in "{}; '\"\\"):
        raise ValueError(f"OFFICIUM_MAP_TILES_URL has an unusable host, got {url!r}")
    return [f"{parts.scheme}://{host}"]


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


def optional_secret(name: str) -> str:
    """A secret that may be absent (the feature it guards is then off): ``NAME`` or the file
    named by ``NAME_FILE``; empty when neither is set."""
    value = os.environ.get(name)
    if value:
        return value
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        path = Path(file_name)
        if not path.is_file():
            raise MissingSecret(f"{name}_FILE points to {file_name}, which is not a readable file.")
        return path.read_text().strip()
    return ""


def require_strong_secret_key(value: str) -> None:
    """Production refuses what Django's deploy check warns of: a short, repetitive or
    placeholder ``SECRET_KEY`` lets anyone forge sessions, password-reset links and tokens."""
    fix = ('generate one with: python -c "import secrets; print(secrets.token_urlsafe(50))" '
           "and set SECRET_KEY or SECRET_KEY_FILE")
    if value.startswith(DJANGO_INSECURE_PREFIX):
        raise WeakSecret(f"SECRET_KEY starts with {DJANGO_INSECURE_PREFIX!r}, Django's placeholder "
                         f"for development. In production Officium refuses to start with it: {fix}.")
    if len(value) < MIN_SECRET_KEY_LENGTH or len(set(value)) < MIN_SECRET_KEY_CHARACTERS:
        raise WeakSecret(f"SECRET_KEY is too weak ({len(value)} characters; production needs at "
                         f"least {MIN_SECRET_KEY_LENGTH}, with at least "
                         f"{MIN_SECRET_KEY_CHARACTERS} different ones): {fix}.")


def require_valid_master_key(name: str, value: str) -> None:
    """A malformed master key must stop the start, not the first request that opens a value."""
    from officium.privacy.vault.kms import master_key_from_text

    try:
        master_key_from_text(value)
    except ValueError as error:
        raise WeakSecret(
            f"{name} is malformed: {error}. It must be 32 random bytes in base64; generate one "
            'with: python -c "from officium.privacy.vault.kms import generate_master_key_text; '
            'print(generate_master_key_text())"') from None


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
            "ENGINE": "officium.shard.postgresql",  # Django's, writing shard-ready tenant tables (SC3)
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


def create_owner_only(path: Path) -> None:
    """Create an empty database file readable by its owner only, unless it exists.

    SQLite gives its ``-wal`` and ``-shm`` files the database file's permissions, so creating
    the file here (an empty file is an empty database) keeps all three owner-only whatever the
    process umask; an existing file keeps the mode its operator chose.
    """
    if str(path) == ":memory:" or str(path).startswith("file:"):
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def _sqlite(path: Path) -> dict[str, object]:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    create_owner_only(path)
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
