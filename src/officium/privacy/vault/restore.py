"""`officium restore PATH`: a backup comes back without bringing back anyone erased (RI4, SE2).

Run it with the web server and the worker stopped. In order:

1. check the backup against today's key store (``manifest.check``): the shred ledger and the
   erasure ledger must exist and extend the ones the backup saw, and the master key must
   hold every key id the backup's rows are wrapped under. Otherwise it refuses, unless the
   operator accepts that problem with its flag (``--accept-missing-ledger``,
   ``--accept-master-key-mismatch``); the consequence of each accepted problem is printed;
2. load the backup into the configured database; from an archive (``archive.py``) also put back
   the stored objects (local files, or the S3 object versions it names) and the audit
   checkpoints (a different checkpoint file already there is kept beside it as evidence);
   a database-only backup (before SC4) still loads;
3. delete every key named in the shred ledger (what those keys sealed stays unreadable);
   with an accepted master-key mismatch, also the keys this master key cannot unwrap;
4. erase again everyone named in the erasure ledger (``shredding.erase_again``): their
   account, memberships, times and requests leave this database as they left the live one,
   except what a legal hold in the restored database keeps;
5. move the account id sequence past every erased id, so no new account takes an erased
   person's id (the ledger names people by id);
6. tell every running process to drop its cached keys (``revocation.bump``).

Steps 3-6 are idempotent: if the command is interrupted, run it again.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from django.db import connection, connections

from officium.privacy.audit.checkpoints import checkpoint_file
from officium.privacy.registry import SELF, registrations
from officium.privacy.vault import archive, erasures, keys, ledger, manifest, revocation
from officium.privacy.vault.backup import _database, _is_sqlite, _pg_env

FLAGS: Final = {manifest.LEDGER: "--accept-missing-ledger",
                manifest.MASTER_KEY: "--accept-master-key-mismatch"}
CONSEQUENCES: Final = {
    manifest.LEDGER: (
        "Keys destroyed and people erased that the ledgers present do not name come back "
        "with this backup: their data is readable again and they can sign in again. Erase "
        "them again (a new erasure) if you know who they are."),
    manifest.MASTER_KEY: (
        "Keys that this master key cannot unwrap are destroyed: everything they sealed "
        "(phone numbers, coordinates, documents) reads as [erased] for good, even if the old "
        "master key turns up later."),
}


class RestoreRefused(Exception):
    """The backup does not match today's key store; nothing was changed."""

    def __init__(self, problems: list[manifest.Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass
class RestoreReport:
    keys_removed: int = 0
    keys_unwrappable: int = 0
    erased_again: list[int] = field(default_factory=list)
    accepted: list[manifest.Problem] = field(default_factory=list)
    objects: dict[str, int] = field(default_factory=dict)
    checkpoints: str = ""


def restore(path: Path, *, accept: frozenset[str] = frozenset()) -> RestoreReport:
    """Check, load, then make every erasure hold again (see the module docstring)."""
    source = Path(path)
    if not source.is_file():
        raise FileNotFoundError(f"no backup at {source}")
    problems = manifest.check(source)
    refused = [p for p in problems if p.kind not in accept]
    if refused:
        raise RestoreRefused(refused)
    report = RestoreReport(accepted=problems)
    if archive.is_archive(source):
        _load_archive(source, report)
    else:
        _load(source)
    keys.clear_cache()
    report.keys_removed = ledger.apply_to_database()
    if any(p.kind == manifest.MASTER_KEY for p in problems):
        report.keys_unwrappable = keys.discard_unwrappable()
    report.erased_again = _erase_again()
    _reserve_ids(max(erasures.subjects(), default=0))
    revocation.bump()
    return report


def _load(source: Path) -> None:
    db = _database()
    connections.close_all()
    if _is_sqlite(db):
        backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        target = sqlite3.connect(str(db["NAME"]))
        try:
            backup.backup(target)
        finally:
            target.close()
            backup.close()
    else:
        subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",  # noqa: S603, S607
                        f"--dbname={db['NAME']}", str(source)], check=True, env=_pg_env(db))


def _load_archive(source: Path, report: RestoreReport) -> None:
    from django.conf import settings

    scratch = Path(tempfile.mkdtemp(prefix=".officium-restore-", dir=settings.VAR_DIR))
    try:
        with archive.opened(source) as (tar, index):
            _load(archive.extract_database(tar, index, scratch))
            report.objects = archive.restore_objects(tar, index)
            report.checkpoints = archive.restore_checkpoints(tar, index, checkpoint_file())
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _erase_again() -> list[int]:
    from officium.privacy.vault.shredding import erase_again

    return erase_again()


def _reserve_ids(highest: int) -> None:
    """Make the account table's next id higher than ``highest`` (a restored sequence starts
    where the backup left it, below ids handed out and erased since)."""
    reg = next((r for r in registrations() if r.subject == SELF), None)
    if reg is None or highest <= 0:
        return
    table, column = reg.model._meta.db_table, reg.model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) SELECT %s, 0 WHERE NOT EXISTS "
                           "(SELECT 1 FROM sqlite_sequence WHERE name = %s)", [table, table])
            cursor.execute("UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s", [highest, table])
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT setval(s, GREATEST(%s, COALESCE(pg_sequence_last_value(s), 0))) "
                           "FROM (SELECT pg_get_serial_sequence(%s, %s)::regclass AS s) AS seq",
                           [highest, table, column])


def main(args: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="officium restore",
        description="Restore a backup into the configured database (stop serve and worker first). "
                    "Deletes the keys named in the shred ledger and erases again everyone named "
                    "in the erasure ledger.")
    parser.add_argument("path", type=Path)
    parser.add_argument(FLAGS[manifest.LEDGER], dest="ledger", action="store_true",
                        help="restore although a ledger is missing or older than the backup. "
                             + CONSEQUENCES[manifest.LEDGER])
    parser.add_argument(FLAGS[manifest.MASTER_KEY], dest="master_key", action="store_true",
                        help="restore although the master key does not match the backup. "
                             + CONSEQUENCES[manifest.MASTER_KEY])
    options = parser.parse_args(args)
    accept = frozenset(kind for kind, on in ((manifest.LEDGER, options.ledger),
                                             (manifest.MASTER_KEY, options.master_key)) if on)
    try:
        report = restore(options.path, accept=accept)
    except RestoreRefused as refused:
        print(f"officium restore: refused, nothing was changed ({options.path}):", file=sys.stderr)
        for problem in refused.problems:
            print(f"  - {problem.message}.\n    To restore anyway: {FLAGS[problem.kind]}. "
                  f"Consequence: {CONSEQUENCES[problem.kind]}", file=sys.stderr)
        return 2
    except FileNotFoundError as missing:
        print(f"officium restore: {missing}", file=sys.stderr)
        return 2
    for kind in sorted({p.kind for p in report.accepted}):
        messages = "; ".join(p.message for p in report.accepted if p.kind == kind)
        print(f"ACCEPTED with {FLAGS[kind]}: {messages}.\n  Consequence: {CONSEQUENCES[kind]}",
              file=sys.stderr)
    print(f"restored {options.path}; {report.keys_removed} destroyed key(s) removed again "
          f"(shred ledger {ledger.path()}); {len(report.erased_again)} erased person(s) erased "
          f"again (erasure ledger {erasures.path()})"
          + (f"; {report.keys_unwrappable} key(s) the master key cannot unwrap destroyed"
             if report.keys_unwrappable else "")
          + "".join(f"; {label}: {count} stored object(s) put back" for label, count in report.objects.items())
          + (f"; audit checkpoints {report.checkpoints}" if report.checkpoints else ""), file=sys.stderr)
    return 0
