"""Other apps told of a member's newest recorded fix (a device's synced batch or a check-in):
field work re-estimates the arrival time of a task the member is on the way to (FW7).

Only fixes stored as ``recorded`` get here, so the device profile and privacy mode are already
applied. Listeners run inside the storing transaction and must stay cheap (one short query
when there is nothing to do): they are on the sync's hot path.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from officium.accounts.models import Membership

Listener = Callable[[Membership, datetime], None]
_LISTENERS: list[Listener] = []


def on_new_fix(listener: Listener) -> None:
    """Called from an app's ``ready()``."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def new_fix(member: Membership, at: datetime) -> None:
    for listener in _LISTENERS:
        listener(member, at)
