"""Hook points for the crash tests: ``OFFICIUM_RIGHTS_CRASH_AT=export`` (or ``erasure``) makes
the task write ``OFFICIUM_RIGHTS_CRASH_MARKER`` and sleep there the first time it passes, so a
test can SIGKILL the worker mid-way. Unset (always, outside those tests) it does nothing."""

from __future__ import annotations

import os
import time
from pathlib import Path

_passed: set[str] = set()


def reached(point: str) -> None:
    if os.environ.get("OFFICIUM_RIGHTS_CRASH_AT") != point or point in _passed:
        return
    _passed.add(point)
    marker = os.environ.get("OFFICIUM_RIGHTS_CRASH_MARKER")
    if marker:
        Path(marker).write_text(point)
    time.sleep(float(os.environ.get("OFFICIUM_RIGHTS_CRASH_SLEEP", "60")))
