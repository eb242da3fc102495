"""`officium backup [PATH]` and `officium restore PATH`: the database, never the master key.

SQLite: the online backup API (consistent while the service runs). PostgreSQL: ``pg_dump``
in custom format, restored with ``pg_restore --clean``. Key rows are in the backup, wrapped
by the master key (which never is); a restore then deletes every key named in the shred
ledger (``ledger.py``), so a subject shredded after the backup was taken stays unreadable.
Do not restore the ledger or the master key from the same backup set: keep them apart.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone

from officium.privacy.vault import keys, ledger


def _database() -> dict[str, Any]:
    return dict(settings.DATABASES["default"])


def _is_sqlite(db: dict[str, Any]) -> bool:
    return "sqlite" in str(db["ENGINE"])


def default_path(db: dict[str, Any]) -> Path:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    suffix = "sqlite3" if _is_sqlite(db) else "pgdump"
    return Path(settings.VAR_DIR) / "backups" / f"officium-{stamp}.{suffix}"


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def backup(path: Path | None = None) -> Path:
    db = _database()
    target = Path(path) if path else default_path(db)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if _is_sqlite(db):
        source = sqlite3.connect(str(db["NAME"]))
        copy = sqlite3.connect(str(target))
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
    else:
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", str(db["NAME"])],  # noqa: S603, S607
                       check=True, env=_pg_env(db))
    os.chmod(target, 0o600)
    return target


def restore(path: Path) -> int:
    """Load a backup into the configured database, then re-apply the shred ledger; returns
    how many destroyed keys the backup tried to bring back."""
    db = _database()
    source_path = Path(path)
    if not source_path.is_file():
        raise FileNotFoundError(f"no backup at {source_path}")
    connections.close_all()
    if _is_sqlite(db):
        source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
        target = sqlite3.connect(str(db["NAME"]))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",  # noqa: S603, S607
                        f"--dbname={db['NAME']}", str(source_path)], check=True, env=_pg_env(db))
    keys.clear_cache()
    return ledger.apply_to_database()


def main(args: list[str]) -> int:
    """`officium backup [PATH]`."""
    if args and args[0] in {"-h", "--help"}:
        print("usage: officium backup [PATH]   (default: VAR_DIR/backups/officium-<time>.<ext>)")
        return 0
    print(backup(Path(args[0]) if args else None))
    return 0


def restore_main(args: list[str]) -> int:
    """`officium restore PATH`."""
    if len(args) != 1 or args[0] in {"-h", "--help"}:
        print("usage: officium restore PATH   (into the configured database; re-applies the shred ledger)")
        return 2 if len(args) != 1 else 0
    removed = restore(Path(args[0]))
    print(f"restored {args[0]}; {removed} destroyed key(s) removed again (shred ledger {ledger.path()})",
          file=sys.stderr)
    return 0
