"""Hook points for the crash tests: ``OFFICIUM_RIGHTS_CRASH_AT=export`` (or ``erasure``) makes
the task write ``OFFICIUM_RIGHTS_CRASH_MARKER`` and sleep there the first time it passes, so a
test can SIGKILL the worker mid-way (read as settings; settings.py reads the environment). Unset (always, outside those tests) it does nothing."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings

_passed: set[str] = set()


def reached(point: str) -> None:
    if getattr(settings, "OFFICIUM_RIGHTS_CRASH_AT", "") != point or point in _passed:
        return
    _passed.add(point)
    marker = getattr(settings, "OFFICIUM_RIGHTS_CRASH_MARKER", "")
    if marker:
        Path(marker).write_text(point)
    time.sleep(float(getattr(settings, "OFFICIUM_RIGHTS_CRASH_SLEEP", 60)))
