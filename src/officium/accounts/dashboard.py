"""The dashboard shows what matters now (UX3): each app registers a panel (a template, who sees
it, and a function giving its context for one membership, or None when there is nothing to
say), in its ``AppConfig.ready()``::

    from officium.accounts import dashboard
    dashboard.register("attendance.me", "attendance/panel_me.html", WORKING_ROLES, my_day, order=10)

Panels are drawn in ``order``; one that fails is left out and logged, never a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from officium.accounts.models import Membership

logger = logging.getLogger(__name__)

PanelContext = Callable[["Membership"], dict[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    who: tuple[str, ...]
    context: PanelContext
    order: int


@dataclass(frozen=True)
class Shown:
    name: str
    template: str
    context: dict[str, Any]


_panels: dict[str, Panel] = {}


def register(name: str, template: str, who: tuple[str, ...], context: PanelContext, *, order: int = 50) -> None:
    _panels[name] = Panel(name, template, tuple(who), context, order)


def panels_for(membership: Membership) -> list[Shown]:
    shown = []
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.name)):
        if membership.role not in panel.who:
            continue
        try:
            context = panel.context(membership)
        except Exception:  # a broken panel must not take the dashboard down
            logger.exception("dashboard panel %s failed", panel.name)
            continue
        if context is not None:
            shown.append(Shown(panel.name, panel.template, context))
    return shown
