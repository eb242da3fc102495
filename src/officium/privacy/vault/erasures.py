"""The erasure ledger: the people erased, kept outside the database beside the shred ledger.

The shred ledger makes a restored backup's keys of an erased person unreadable, but their
plain rows (account, name, email, password hash, memberships, times) would come back with
the backup, and they could sign in. This append-only file (``VAULT_ERASURE_LEDGER``, default
``VAR_DIR/keystore/erased-subjects``) names every erasure, so ``officium restore`` erases
those people again before the database is used, and the retention job finishes an erasure
that a legal hold held back once the hold has ended.

One line per change of state: ``<subject id> <state> <key ids, comma-separated, or -> <ISO
time> <reason code>``. States: ``erasing`` (written before the first key is destroyed, so a
crash mid-erasure is still known), ``erased`` (nothing of the person is left) and ``kept``
(a legal hold keeps some of their rows). No personal value is ever written: ids, codes, times.
The latest line of a subject is their state.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Final, cast

from django.conf import settings
from django.utils import timezone

from officium.privacy.vault import ledger

ERASING: Final = "erasing"
ERASED: Final = "erased"
KEPT: Final = "kept"
PENDING: Final = frozenset({ERASING, KEPT})
"""States whose erasure is not finished: the retention job runs them again."""

_lock = threading.Lock()
_cache: dict[str, object] = {"stamp": None, "entries": {}}


@dataclass(frozen=True)
class Entry:
    """A subject's latest line."""

    subject_id: int
    state: str
    kids: frozenset[str]
    at: str
    reason: str


def path() -> Path:
    configured = getattr(settings, "VAULT_ERASURE_LEDGER", "")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "keystore" / "erased-subjects"


def record(subject_id: int, state: str, kids: list[str] | frozenset[str], reason: str) -> None:
    """Append a subject's new state durably; a line that changes nothing is not written."""
    subject_id = int(subject_id)
    previous = entries().get(subject_id)
    all_kids = frozenset(kids) | (previous.kids if previous else frozenset())
    if previous is not None and previous.state == state and previous.kids == all_kids:
        return
    code = _code(reason)
    kid_text = ",".join(sorted(all_kids)) or "-"
    ledger.append(path(), f"{subject_id} {state} {kid_text} {timezone.now().isoformat()} {code}\n")


def _code(reason: str) -> str:
    """Reasons are codes (``erasure_request``); keep the line's shape whatever is passed."""
    cleaned = "".join(ch if ch.isalnum() or ch in "_-." else "_" for ch in str(reason))
    return cleaned[:64] or "erasure"


def entries() -> dict[int, Entry]:
    """Every erased subject's latest state; re-read only when the file changed."""
    target = path()
    try:
        stat = target.stat()
    except FileNotFoundError:
        return {}
    stamp = (str(target), stat.st_mtime_ns, stat.st_size)
    with _lock:
        if _cache["stamp"] != stamp:
            _cache.update(stamp=stamp, entries=_parse(target.read_text("ascii")))
        return dict(cast("dict[int, Entry]", _cache["entries"]))


def _parse(text: str) -> dict[int, Entry]:
    found: dict[int, Entry] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) != 5 or not parts[0].isdigit():
            continue  # a torn last line after a crash: the erasure re-records itself
        subject, state, kid_text, at, reason = parts
        kids = frozenset() if kid_text == "-" else frozenset(kid_text.split(","))
        found[int(subject)] = Entry(int(subject), state, kids, at, reason)
    return found


def subjects() -> list[int]:
    """Every subject ever erased, in id order."""
    return sorted(entries())


def pending() -> list[int]:
    """Subjects whose erasure is unfinished: a hold kept something, or it was interrupted."""
    return sorted(s for s, entry in entries().items() if entry.state in PENDING)
