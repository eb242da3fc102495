"""Signed checkpoints of the chain's head, kept outside the database.

A chain alone cannot reveal a cut tail: the remaining entries still link. A checkpoint (seq,
hash, time) signed with an Ed25519 key derived from the master key, and appended to a file
outside the database, can: verification fails if the table no longer reaches the checkpointed
entry, or reaches it with another hash. Publish ``public_key_hex()`` to let anyone check them.

Each new checkpoint must extend the last one: :func:`extend_checkpoint` (the periodic job)
refuses to sign a head that is lower than the last checkpoint or does not pass through it,
because signing a cut log would make the cut permanent; it reports the problem instead.
Only the entries written since the last checkpoint are unprotected against truncation, so the
job runs every minute (``AUDIT_CHECKPOINT_SECONDS``) and signs nothing when nothing is new.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils import timezone

from officium.privacy.audit.chain import Problem, Verification, verify, verify_after


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    entry_hash: str
    at: str
    signature: str

    def message(self) -> bytes:
        return f"officium-audit-checkpoint|{self.seq}|{self.entry_hash}|{self.at}".encode()


def _signing_key() -> Ed25519PrivateKey:
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"officium audit checkpoint signing key").derive(settings.OFFICIUM_MASTER_KEY.encode())
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_hex() -> str:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return _signing_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def checkpoint_file() -> Path:
    return Path(getattr(settings, "AUDIT_CHECKPOINT_FILE", settings.VAR_DIR / "audit-checkpoints.jsonl"))


@dataclass(frozen=True)
class Outcome:
    """What one checkpoint run did: signed a new head, found nothing new, or refused."""

    checkpoint: Checkpoint | None  # the checkpoint in force afterwards (new or previous)
    written: bool
    problem: Problem | None


def _sign(seq: int, entry_hash: str) -> Checkpoint:
    unsigned = Checkpoint(seq, entry_hash, timezone.now().isoformat(), "")
    signed = Checkpoint(unsigned.seq, unsigned.entry_hash, unsigned.at,
                        _signing_key().sign(unsigned.message()).hex())
    path = checkpoint_file()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a") as handle:
        handle.write(json.dumps(signed.__dict__) + "\n")
    return signed


@contextmanager
def _file_lock() -> Iterator[None]:
    """One checkpoint writer at a time (the job and an operator's command may overlap)."""
    path = checkpoint_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def write_checkpoint(verification: Verification) -> Checkpoint | None:
    """Append a signed checkpoint of a fully verified head, if it is new and extends the last
    checkpoint (never of a broken chain, never of a cut one)."""
    if not verification.ok or verification.head_seq == 0:
        return None
    with _file_lock():
        last = latest_checkpoint()
        if last is not None and (continuity(last) is not None or verification.head_seq <= last.seq):
            return None
        return _sign(verification.head_seq, verification.head_hash)


def extend_checkpoint() -> Outcome:
    """The periodic job's step: verify what is new since the last checkpoint and sign it.

    Refuses (``problem`` set, nothing signed) when the last checkpoint's entry is gone or has
    another hash (a cut or rewritten log), when the new entries do not chain onto it, or when
    the checkpoint file itself does not verify.
    """
    with _file_lock():
        try:
            last = latest_checkpoint()
        except ValueError as error:
            return Outcome(None, False, Problem(0, str(error)))
        if last is None:
            result = verify()
        else:
            problem = continuity(last)
            if problem is not None:
                return Outcome(last, False, problem)
            result = verify_after(last.seq, last.entry_hash)
        if result.problem is not None:
            return Outcome(last, False, result.problem)
        if result.head_seq == 0 or (last is not None and result.head_seq == last.seq):
            return Outcome(last, False, None)  # nothing new: no checkpoint to sign
        return Outcome(_sign(result.head_seq, result.head_hash), True, None)


def _last_line(path: Path, block: int = 4096) -> str:
    """The file's last non-empty line, read from its end (the file grows by one line a minute)."""
    with path.open("rb") as handle:
        end = handle.seek(0, os.SEEK_END)
        data = b""
        while end > 0:
            start = max(0, end - block)
            handle.seek(start)
            data = handle.read(end - start) + data
            end = start
            lines = [line for line in data.splitlines() if line.strip()]
            if len(lines) > 1 or (lines and end == 0):
                return lines[-1].decode()
        return ""


def latest_checkpoint() -> Checkpoint | None:
    path = checkpoint_file()
    if not path.exists():
        return None
    line = _last_line(path)
    if not line:
        return None
    try:
        checkpoint = Checkpoint(**json.loads(line))
        _signing_key().public_key().verify(bytes.fromhex(checkpoint.signature), checkpoint.message())
    except (InvalidSignature, ValueError, TypeError):
        raise ValueError(f"the last checkpoint in {path} has a bad signature") from None
    return checkpoint


def continuity(checkpoint: Checkpoint, head_seq: int | None = None) -> Problem | None:
    """Does the log still hold the checkpointed entry, with the checkpointed hash?"""
    from officium.privacy.audit.models import AuditEntry

    stored = AuditEntry.objects.filter(seq=checkpoint.seq).values_list("entry_hash", flat=True).first()
    if stored is None:
        if head_seq is None:
            head_seq = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        if head_seq < checkpoint.seq:
            return Problem(head_seq + 1,
                           f"missing: the log ends at #{head_seq} but entry #{checkpoint.seq} "
                           "was checkpointed (the tail was truncated)")
        return Problem(checkpoint.seq, "missing, but it was checkpointed (entries were removed)")
    if stored != checkpoint.entry_hash:
        return Problem(checkpoint.seq, "differs from the signed checkpoint (history rewritten)")
    return None


def against_checkpoint(verification: Verification) -> Problem | None:
    """A cut tail or a rewritten history, seen against the last signed checkpoint."""
    checkpoint = latest_checkpoint()
    if checkpoint is None or verification.problem is not None:
        return None
    return continuity(checkpoint, verification.head_seq)
