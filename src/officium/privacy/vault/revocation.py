"""A destroyed key stops opening at once in every process: one shared generation counter.

Each process keeps unwrapped keys in memory (``keys.py``), which is what makes opening a
sealed value cheap. When one process destroys a key, every other process must stop using
its copy before the destroyer returns. The shred ledger is the truth, but reading a file's
size on every open (a ``stat``, ~2 µs) would double the cost of a decryption; so beside the
ledger lives an 8-byte counter, ``<ledger>.generation``, that every process maps into memory
(``mmap``, shared: the kernel's page cache is the one copy all processes on the machine see).
Recording destroyed key ids bumps it, after the ledger line is durable; a cache hit compares
the counter with the one its entry was stamped with (one memory read), and an entry from
an older generation is checked against the ledger before it is used again.

The counter only signals; it holds no secret and no personal data. Several machines sharing
one ledger over a network file system do not share page caches: there the cache's time limit
(``keys.CACHE_SECONDS``) bounds how long another machine may keep a copy (see operations.md).
"""

from __future__ import annotations

import fcntl
import mmap
import os
import struct
import threading
from pathlib import Path
from typing import Any, Final

from django.core.signals import setting_changed
from django.dispatch import receiver

_COUNTER: Final = struct.Struct("<Q")
_unpack = _COUNTER.unpack_from
_lock = threading.Lock()
_map: mmap.mmap | None = None


def path() -> Path:
    from officium.privacy.vault import ledger

    target = ledger.path()
    return target.with_name(f"{target.name}.generation")


def _open_counter() -> tuple[Path, int]:
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(target, os.O_RDWR | os.O_CREAT, 0o600)
    if os.fstat(fd).st_size < _COUNTER.size:
        os.ftruncate(fd, _COUNTER.size)  # growing only: never zeroes a counter another wrote
    return target, fd


def _mapped() -> mmap.mmap:
    global _map
    with _lock:
        current = _map
        if current is None:
            _, fd = _open_counter()
            try:
                current = _map = mmap.mmap(fd, _COUNTER.size, access=mmap.ACCESS_READ)
            finally:
                os.close(fd)  # the mapping keeps the file open
        return current


def generation() -> int:
    """The current generation: one read of shared memory (the hot path calls it per open)."""
    current = _map
    if current is None:
        current = _mapped()
    value: int = _unpack(current)[0]
    return value


def bump() -> int:
    """Tell every process that keys were destroyed (or the key store changed under it);
    returns the new generation. Called after the ledger line is on disk."""
    _, fd = _open_counter()
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        value = int(_COUNTER.unpack(os.pread(fd, _COUNTER.size, 0))[0]) + 1
        os.pwrite(fd, _COUNTER.pack(value), 0)
    finally:
        os.close(fd)  # closing releases the lock
    return value


def reset() -> None:
    """Forget the mapping (the ledger moved: tests, or settings changed)."""
    global _map
    with _lock:  # the old mapping is left to the garbage collector: a reader may hold it
        _map = None


@receiver(setting_changed)
def _ledger_moved(setting: str = "", **kwargs: Any) -> None:
    if setting in {"VAR_DIR", "VAULT_SHRED_LEDGER"}:
        reset()
