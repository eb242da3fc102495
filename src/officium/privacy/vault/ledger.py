"""The shred ledger: destroyed key ids, kept outside the database.

Destroying a key deletes its row, but a database backup taken earlier still holds that row.
The ledger is the key store's own retention: an append-only file (``VAULT_SHRED_LEDGER``,
default ``VAR_DIR/keystore/destroyed-keys``) listing every destroyed key id. Keys named in
it are never loaded, and ``officium restore`` deletes them from the restored database, so
a subject shredded after a backup stays unreadable when that backup comes back.

Lines are ``<kid> <kind> <owner id> <ISO time>``; no personal value is written. Keep the
ledger with the master key (not with the database backups). Beside it, the erasure ledger
(``erasures.py``) names the people erased, so a restore can erase their rows again; and
a generation counter (``revocation.py``) tells every process at once that keys were destroyed.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import cast

from django.conf import settings
from django.utils import timezone

_lock = threading.Lock()
_state: dict[str, object] = {"stamp": None, "kids": frozenset()}


def path() -> Path:
    configured = getattr(settings, "VAULT_SHRED_LEDGER", "")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "keystore" / "destroyed-keys"


def record(kind: str, owner: int | str, kids: list[str]) -> None:
    """Append destroyed key ids durably (fsync) before the caller commits the deletion, then
    tell every process to stop using its cached copies (``revocation.bump``)."""
    from officium.privacy.vault import revocation

    if not kids:
        return
    now = timezone.now().isoformat()
    append(path(), "".join(f"{kid} {kind} {owner} {now}\n" for kid in kids))
    revocation.bump()


def append(target: Path, text: str) -> None:
    """Append to a ledger file durably (fsync); creates it (0600, directory 0700) if needed."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with _lock:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, text.encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)


def ensure(target: Path) -> None:
    """Create an empty ledger if there is none, so that a missing file later means a lost one."""
    append(target, "")


def destroyed_kids() -> frozenset[str]:
    """Every key id in the ledger; re-read only when the file changed."""
    target = path()
    try:
        stat = target.stat()
    except FileNotFoundError:
        return frozenset()
    stamp = (str(target), stat.st_mtime_ns, stat.st_size)
    with _lock:
        if _state["stamp"] != stamp:
            kids = frozenset(line.split(" ", 1)[0] for line in target.read_text("ascii").splitlines()
                             if line.strip())
            _state.update(stamp=stamp, kids=kids)
        return cast("frozenset[str]", _state["kids"])


def apply_to_database() -> int:
    """Delete every key row named in the ledger (run after a restore); returns how many."""
    from officium.privacy.vault import revocation
    from officium.privacy.vault.models import OrganizationKey, ServiceKey, SubjectKey

    kids = list(destroyed_kids())
    removed = 0
    for start in range(0, len(kids), 500):
        chunk = kids[start:start + 500]
        for model in (SubjectKey, OrganizationKey, ServiceKey):
            removed += model.objects.filter(kid__in=chunk).delete()[0]
    revocation.bump()  # the key store changed under every running process
    return removed
