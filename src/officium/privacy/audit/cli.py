"""`officium audit verify`, `officium audit checkpoint` and `officium audit public-key`."""

from __future__ import annotations

import sys
import time

from officium.privacy.audit.chain import Verification

USAGE = "usage: officium audit verify | checkpoint | public-key"


def main(args: list[str]) -> int:
    from officium.privacy.audit.chain import verify
    from officium.privacy.audit.checkpoints import (
        against_checkpoint,
        public_key_hex,
        write_checkpoint,
    )

    command = args[0] if args else ""
    if command == "public-key":
        print(public_key_hex())
        return 0
    if command not in {"verify", "checkpoint"}:
        print(USAGE, file=sys.stderr)
        return 2
    started = time.perf_counter()
    result = verify()
    try:
        problem = result.problem or against_checkpoint(result)
    except ValueError as error:  # the checkpoint file itself does not verify
        print(f"audit log: FAILED: {error}")
        return 1
    elapsed = time.perf_counter() - started
    if problem is not None:
        print(f"audit log: FAILED at {problem}")
        print(protection(result))
        return 1
    print(f"audit log: ok, {result.checked} entries verified in {elapsed:.2f}s "
          f"(head #{result.head_seq} {result.head_hash[:16]}…)")
    if command == "checkpoint":
        checkpoint = write_checkpoint(result)
        print(f"checkpoint written at #{checkpoint.seq}" if checkpoint
              else "nothing new to checkpoint")
    print(protection(result))
    return 0


def protection(result: Verification) -> str:
    """The last checkpoint and how many entries after it a truncation could remove unseen."""
    from officium.privacy.audit.checkpoints import checkpoint_file, latest_checkpoint

    checkpoint = latest_checkpoint()
    if checkpoint is None:
        return (f"last checkpoint: none in {checkpoint_file()}; unprotected tail: "
                f"{result.head_seq} entries (all of them)")
    tail = max(0, result.head_seq - checkpoint.seq)
    return (f"last checkpoint: #{checkpoint.seq} at {checkpoint.at}; "
            f"unprotected tail: {tail} {'entry' if tail == 1 else 'entries'} after it")
