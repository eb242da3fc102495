"""Signed checkpoints of the chain's head, kept outside the database.

A chain alone cannot reveal a cut tail: the remaining entries still link. A checkpoint (seq,
hash, time) signed with an Ed25519 key derived from the master key, and appended to a file
outside the database, can: verification fails if the table no longer reaches the checkpointed
entry, or reaches it with another hash. Publish ``public_key_hex()`` to let anyone check them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils import timezone

from officium.privacy.audit.chain import Problem, Verification


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


def write_checkpoint(verification: Verification) -> Checkpoint | None:
    """Append a signed checkpoint of a verified head (never of a broken chain)."""
    if not verification.ok or verification.head_seq == 0:
        return None
    unsigned = Checkpoint(verification.head_seq, verification.head_hash, timezone.now().isoformat(), "")
    signed = Checkpoint(unsigned.seq, unsigned.entry_hash, unsigned.at,
                        _signing_key().sign(unsigned.message()).hex())
    path = checkpoint_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a") as handle:
        handle.write(json.dumps(signed.__dict__) + "\n")
    return signed


def latest_checkpoint() -> Checkpoint | None:
    path = checkpoint_file()
    if not path.exists():
        return None
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    if not lines:
        return None
    checkpoint = Checkpoint(**json.loads(lines[-1]))
    try:
        _signing_key().public_key().verify(bytes.fromhex(checkpoint.signature), checkpoint.message())
    except (InvalidSignature, ValueError):
        raise ValueError(f"the last checkpoint in {path} has a bad signature") from None
    return checkpoint


def against_checkpoint(verification: Verification) -> Problem | None:
    """A cut tail or a rewritten history, seen against the last signed checkpoint."""
    from officium.privacy.audit.models import AuditEntry

    checkpoint = latest_checkpoint()
    if checkpoint is None or verification.problem is not None:
        return None
    if verification.head_seq < checkpoint.seq:
        return Problem(verification.head_seq + 1,
                       f"missing: the log ends at #{verification.head_seq} but entry #{checkpoint.seq} "
                       "was checkpointed (the tail was truncated)")
    stored = AuditEntry.objects.filter(seq=checkpoint.seq).values_list("entry_hash", flat=True).first()
    if stored != checkpoint.entry_hash:
        return Problem(checkpoint.seq, "differs from the signed checkpoint (history rewritten)")
    return None
