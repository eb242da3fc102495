"""`officium audit verify` and `officium audit checkpoint`."""

from __future__ import annotations

import sys
import time

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
    problem = result.problem or against_checkpoint(result)
    elapsed = time.perf_counter() - started
    if problem is not None:
        print(f"audit log: FAILED at {problem}")
        return 1
    print(f"audit log: ok, {result.checked} entries verified in {elapsed:.2f}s "
          f"(head #{result.head_seq} {result.head_hash[:16]}…)")
    if command == "checkpoint":
        checkpoint = write_checkpoint(result)
        print(f"checkpoint written at #{checkpoint.seq}" if checkpoint else "nothing to checkpoint")
    return 0
