"""The notifications panel on the organization dashboard (UX3/UX4): the latest unread."""

from __future__ import annotations

from typing import Any

from officium.accounts import dashboard
from officium.accounts.models import Membership
from officium.accounts.roles import Role
from officium.notifications.services import inbox

SHOWN = 5


def unread(member: Membership) -> dict[str, Any] | None:
    rows = list(inbox(member.user).filter(read_at__isnull=True)[: SHOWN + 1])
    if not rows:
        return None
    return {"unread": rows[:SHOWN], "more": len(rows) > SHOWN}


def register() -> None:
    dashboard.register("notifications.unread", "notifications/panel_unread.html", tuple(Role), unread, order=5)
