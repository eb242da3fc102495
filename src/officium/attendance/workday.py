"""The local work day and shift judgement of each check-in (WT1, WT2).

Attendance knows the zone of a check-in (its site's, else the organization's); the shift rules
live in ``workforce``, above this app, which registers its judge here at start-up. Without one,
a check-in counts on its local calendar day and has no shift status.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from officium.accounts import localtime


@dataclass(frozen=True)
class Moment:
    """One check-in to place: where (site id or None), which way, when, in which zone."""

    site_id: int | None
    direction: str
    at: datetime
    zone: ZoneInfo


Judge = Callable[[int, int, Sequence[Moment]], list[tuple[date, str]]]
"""(organization id, member id, moments) -> (work day, shift status) per moment."""

_judges: list[Judge] = []


def register(judge: Judge) -> None:
    """Set the judge (workforce's AppConfig.ready); registering again replaces it."""
    _judges[:] = [judge]


def judge(organization_id: int, member_id: int, moments: Sequence[Moment]) -> list[tuple[date, str]]:
    if not moments:
        return []
    if _judges:
        return _judges[0](organization_id, member_id, moments)
    return [(localtime.local_day(m.at, m.zone), "") for m in moments]


Listener = Callable[[int, Sequence[tuple[int, date]]], None]
"""(organization id, [(member id, work day)]) -> None: told when records on those days changed."""

_listeners: list[Listener] = []


def listen(listener: Listener) -> None:
    """Be told when check-in records arrive or change (workforce's timesheets); set once."""
    _listeners[:] = [listener]


def changed(organization_id: int, days: Sequence[tuple[int, date | None]]) -> None:
    """Records of these members on these work days arrived, were synced or decided."""
    wanted = sorted({(m, d) for m, d in days if d is not None})
    if wanted:
        for listener in _listeners:
            listener(organization_id, wanted)
