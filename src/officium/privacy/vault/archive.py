"""SC4: one backup archive holds what a restore needs, except the key store.

``officium backup`` writes one tar file:

- ``officium-archive.json``: what is inside (format, time, database kind, stored objects);
- ``audit-checkpoints.jsonl``: the signed audit checkpoints, copied *before* the database
  snapshot, so the snapshot's log extends the last checkpoint in the archive;
- ``database.sqlite3`` (SQLite's online backup) or ``database.pgdump`` (``pg_dump`` of an
  exported snapshot);
- the stored objects the snapshot's rows name: on local storage the objects themselves
  (``objects/<source>/<name>``, already ciphertext); on a versioned S3 bucket only their
  version ids (the bucket keeps the bytes; a restore makes those versions current again).

Never in it: the master key, the shred ledger, the erasure ledger (backed up apart, see
``backup.py``). Apps say which of their rows name stored objects with :func:`register_objects`
(the portal: files, shares, unfinished uploads); the engine knows no app.

Consistency: the names come from the database snapshot itself (the same SQLite copy, or the
PostgreSQL transaction whose snapshot ``pg_dump`` reads). An object a snapshot row requires
that is gone by the time it is copied (deleted in the moment between) makes the attempt fail;
the backup is taken again, up to three times.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final, Protocol

from django.db import connection, transaction
from django.utils import timezone

FORMAT: Final = 1
INDEX: Final = "officium-archive.json"
CHECKPOINTS: Final = "audit-checkpoints.jsonl"
OBJECTS: Final = "objects"
ATTEMPTS: Final = 3


class ObjectStore(Protocol):
    """Where an app's objects live, as the backup reads and the restore writes them."""

    kind: str  # "files": the archive holds the bytes; "s3": it holds version ids

    def open(self, name: str) -> tuple[IO[bytes], int] | None:
        """The object for reading and its size (``files``), None when it does not exist."""

    def version(self, name: str) -> str | None:
        """The id of the object's newest version that is not a deletion (``s3``), or None."""

    def put(self, name: str, data: IO[bytes]) -> None:
        """Store ``data`` as ``name``, replacing what is there (``files``)."""

    def make_current(self, name: str, version: str) -> bool:
        """Make ``version`` the object's current one; True if anything changed (``s3``)."""


@dataclass(frozen=True)
class ObjectSource:
    """Rows that name stored objects: ``sql`` (plain SQL for SQLite and PostgreSQL alike)
    selects the columns ``to_name`` turns into an object name. ``required``: a row whose
    object is missing makes the backup attempt fail (else it is skipped and counted)."""

    label: str
    store: Callable[[], ObjectStore]
    sql: str
    to_name: Callable[[Sequence[Any]], str]
    required: bool = True


_SOURCES: dict[str, ObjectSource] = {}


def register_objects(source: ObjectSource) -> None:
    _SOURCES[source.label] = source


def sources() -> list[ObjectSource]:
    return list(_SOURCES.values())


class ObjectsChanged(Exception):
    """A required object vanished between the snapshot and its copy."""


@dataclass
class Contents:
    database: str = ""
    checkpoints: bool = False
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"officium_archive": FORMAT, "created_at": timezone.now().isoformat(),
                "database": self.database, "checkpoints": self.checkpoints, "objects": self.objects}


def is_archive(path: Path) -> bool:
    if not tarfile.is_tarfile(path):
        return False
    with tarfile.open(path) as tar:
        try:
            tar.getmember(INDEX)
        except KeyError:
            return False
    return True


# --- writing --------------------------------------------------------------------------------

def write(target: Path, *, is_sqlite: bool, database: dict[str, Any], dump_postgres: Callable[[Path, str], None],
          checkpoint_file: Path) -> Contents:
    """Write the archive to ``target`` (retrying when objects change under it)."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _write_once(target, is_sqlite=is_sqlite, database=database, dump_postgres=dump_postgres,
                               checkpoint_file=checkpoint_file)
        except ObjectsChanged:
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _write_once(target: Path, *, is_sqlite: bool, database: dict[str, Any],
                dump_postgres: Callable[[Path, str], None], checkpoint_file: Path) -> Contents:
    contents = Contents()
    partial = target.with_name(f".{target.name}.partial")
    scratch = Path(tempfile.mkdtemp(prefix=".officium-backup-", dir=target.parent))
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
            # 1. checkpoints first: every checkpointed entry is then in the snapshot below.
            if checkpoint_file.is_file():
                tar.add(checkpoint_file, arcname=CHECKPOINTS)
                contents.checkpoints = True
            # 2. the snapshot, and the object names its rows hold.
            if is_sqlite:
                copy = scratch / "database.sqlite3"
                _sqlite_copy(Path(str(database["NAME"])), copy)
                names = _names_from_sqlite(copy)
            else:
                copy = scratch / "database.pgdump"
                names = _postgres_snapshot(copy, dump_postgres)
            tar.add(copy, arcname=copy.name)
            contents.database = copy.name
            copy.unlink()
            # 3. the objects (or their versions).
            for source in sources():
                contents.objects[source.label] = _add_objects(tar, source, names[source.label])
            _add_json(tar, INDEX, contents.as_json())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(scratch, ignore_errors=True)
    return contents


def _add_json(tar: tarfile.TarFile, name: str, data: dict[str, Any]) -> None:
    body = (json.dumps(data, indent=1, sort_keys=True) + "\n").encode("ascii")
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(body), 0o600, int(timezone.now().timestamp())
    tar.addfile(info, io.BytesIO(body))


def _sqlite_copy(source: Path, target: Path) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    live, copy = sqlite3.connect(str(source)), sqlite3.connect(str(target))
    try:
        live.backup(copy)
    finally:
        copy.close()
        live.close()


def _names_from_sqlite(copy: Path) -> dict[str, list[str]]:
    with sqlite3.connect(f"file:{copy}?mode=ro", uri=True) as db:
        return {s.label: sorted({s.to_name(row) for row in db.execute(s.sql)}) for s in sources()}


def _postgres_snapshot(target: Path, dump_postgres: Callable[[Path, str], None]) -> dict[str, list[str]]:
    """pg_dump reads the snapshot this transaction exports; the names are read in it too."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = str(cursor.fetchone()[0])
        names = {}
        for source in sources():
            cursor.execute(source.sql)
            names[source.label] = sorted({source.to_name(row) for row in cursor.fetchall()})
        dump_postgres(target, snapshot)
    return names


def _add_objects(tar: tarfile.TarFile, source: ObjectSource, names: list[str]) -> dict[str, Any]:
    store = source.store()
    entry: dict[str, Any] = {"store": store.kind, "count": 0, "missing": 0}
    if store.kind == "s3":
        versions = {}
        for name in names:
            version = store.version(name)
            if version is None:
                _missing(source, name)
                entry["missing"] += 1
            else:
                versions[name] = version
        entry.update(count=len(versions), versions=versions)
        return entry
    stored = []
    for name in names:
        opened = store.open(name)
        if opened is None:
            _missing(source, name)
            entry["missing"] += 1
            continue
        handle, size = opened
        with handle:
            info = tarfile.TarInfo(f"{OBJECTS}/{source.label}/{name}")
            info.size, info.mode, info.mtime = size, 0o600, int(timezone.now().timestamp())
            tar.addfile(info, handle)
        stored.append(name)
    entry.update(count=len(stored), names=stored)
    return entry


def _missing(source: ObjectSource, name: str) -> None:
    if source.required:
        raise ObjectsChanged(f"{source.label}: {name} vanished while the backup ran")


# --- reading --------------------------------------------------------------------------------

@dataclass
class Restored:
    objects: dict[str, int] = field(default_factory=dict)  # per source: objects written or made current
    checkpoints: str = ""  # what happened to the checkpoint file


@contextmanager
def opened(path: Path) -> Iterator[tuple[tarfile.TarFile, dict[str, Any]]]:
    with tarfile.open(path) as tar:
        index = tar.extractfile(INDEX)
        if index is None:
            raise ValueError(f"{path} is not an Officium backup archive")
        yield tar, json.loads(index.read())


def extract_database(tar: tarfile.TarFile, index: dict[str, Any], into: Path) -> Path:
    member = tar.getmember(str(index["database"]))
    target = into / Path(member.name).name
    source = tar.extractfile(member)
    if source is None:
        raise ValueError("the archive's database is not a file")
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with source, os.fdopen(fd, "wb") as out:
        shutil.copyfileobj(source, out, 1 << 20)
    return target


def restore_objects(tar: tarfile.TarFile, index: dict[str, Any]) -> dict[str, int]:
    done: dict[str, int] = {}
    for label, entry in dict(index.get("objects", {})).items():
        source = _SOURCES.get(label)
        if source is None:
            raise ValueError(f"the archive holds objects of {label!r}, which this installation does not know")
        store = source.store()
        if store.kind != entry["store"]:
            raise ValueError(f"the archive's {label} objects were on {entry['store']} storage, "
                             f"this installation stores them on {store.kind}")
        count = 0
        if store.kind == "s3":
            for name, version in dict(entry.get("versions", {})).items():
                count += store.make_current(name, version)
        else:
            for name in entry.get("names", []):
                member = tar.extractfile(f"{OBJECTS}/{label}/{name}")
                if member is None:
                    raise ValueError(f"the archive lost {label} object {name}")
                with member:
                    store.put(name, member)
                count += 1
        done[label] = count
    return done


def restore_checkpoints(tar: tarfile.TarFile, index: dict[str, Any], target: Path) -> str:
    """Install the archive's checkpoints. A different checkpoint file already there (newer
    checkpoints the restored log no longer reaches) is kept as evidence beside it."""
    if not index.get("checkpoints"):
        return "none in the archive"
    member = tar.extractfile(CHECKPOINTS)
    if member is None:
        raise ValueError("the archive's checkpoints are not a file")
    data = member.read()
    if target.is_file():
        if target.read_bytes() == data:
            return f"unchanged ({target})"
        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        aside = target.with_name(f"{target.stem}-before-restore-{stamp}{target.suffix}")
        os.replace(target, aside)
        kept = f"; the previous file kept as {aside}"
    else:
        kept = ""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return f"installed ({target}){kept}"
