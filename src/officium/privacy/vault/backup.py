"""`officium backup [PATH]`: one archive of the database, the stored objects and the audit
checkpoints (``archive.py``, SC4); never the master key or the ledgers.

SQLite: the online backup API (consistent while the service runs). PostgreSQL: ``pg_dump``
in custom format, of a snapshot the backup exports so the stored objects it lists match it.
Key rows are in the database, wrapped by the master key (which never is in the archive).
Beside the archive, ``<archive>.manifest.json`` (``manifest.py``) records what a restore must
find in today's key store; ``officium restore`` (``restore.py``) checks it, loads everything,
deletes every key named in the shred ledger and erases again everyone named in the erasure
ledger. Do not restore the ledgers or the master key from the same backup set: keep them apart.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from officium.privacy.audit.checkpoints import checkpoint_file
from officium.privacy.vault import archive, keys, manifest


def _database() -> dict[str, Any]:
    return dict(settings.DATABASES["default"])


def _is_sqlite(db: dict[str, Any]) -> bool:
    return "sqlite" in str(db["ENGINE"])


def default_path(db: dict[str, Any]) -> Path:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.VAR_DIR) / "backups" / f"officium-{stamp}.tar"


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def backup(path: Path | None = None) -> Path:
    """Write the backup and its manifest (mode 0600); returns the backup's path."""
    db = _database()
    key_ids = set(manifest.kms_key_ids())
    try:
        key_ids.add(keys.kms().key_id)  # rows created while the copy runs are wrapped under it
    except Exception:  # noqa: BLE001,S110  (no master key: the rows already say what is needed)
        pass
    target = Path(path) if path else default_path(db)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)

    def dump_postgres(into: Path, snapshot: str) -> None:
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}",  # noqa: S603, S607
                        f"--file={into}", str(db["NAME"])], check=True, env=_pg_env(db))

    archive.write(target, is_sqlite=_is_sqlite(db), database=db, dump_postgres=dump_postgres,
                  checkpoint_file=checkpoint_file())
    os.chmod(target, 0o600)
    manifest.write(target, sorted(key_ids))
    return target


def main(args: list[str]) -> int:
    """`officium backup [PATH]`."""
    if args and args[0] in {"-h", "--help"}:
        print("usage: officium backup [PATH]   (default: VAR_DIR/backups/officium-<time>.tar)\n"
              "One archive: the database, the stored objects (or their S3 versions) and the audit "
              "checkpoints; never the master key or the ledgers.")
        return 0
    target = backup(Path(args[0]) if args else None)
    print(target)
    with archive.opened(target) as (_tar, index):
        objects = ", ".join(f"{label}: {entry['count']} object(s) ({entry['store']})"
                            for label, entry in index["objects"].items()) or "no stored objects"
    print(f"in it: the database ({index['database']}), {objects}, "
          f"{'the audit checkpoints' if index['checkpoints'] else 'no audit checkpoints yet'}", file=sys.stderr)
    print(f"manifest: {manifest.path_for(target)} (keep it with the backup); the master key and the "
          "ledgers are not in it: back them up apart", file=sys.stderr)
    return 0
