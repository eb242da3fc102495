"""Privacy mode (LO3, LO6): while it is on, coordinates are dropped before they are stored.

The state is the latest ``PrivacyModeChange`` row; the history also answers "was it on at
time T?" for events a device queued offline.
"""

from __future__ import annotations

import bisect
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from officium.accounts.models import Membership
from officium.attendance.models import PrivacyModeChange
from officium.db import Prepared
from officium.privacy import audit

SOURCES = ("web", "api", "device")


def privacy_mode_on(member: Membership | int) -> bool:
    version = privacy_version(member)
    return version is not None and bool(version[1])


_LATEST_SWITCH = Prepared(lambda member: PrivacyModeChange.objects.filter(member_id=member)
                         .order_by("-changed_at", "-pk").values_list("pk", "enabled")[:1])


def privacy_version(member: Membership | int) -> tuple[int, bool] | None:
    """(id, enabled) of the latest switch: compared before and after a write to catch a switch
    that landed in between (the caller then retries with the new state). A prepared query:
    every check-in and batch asks it twice."""
    return _LATEST_SWITCH.first(getattr(member, "pk", member))


class PrivacyModeChanged(Exception):
    """Privacy mode was switched while a write was being prepared; redo it with the new state."""


def set_privacy_mode(actor: Membership, enabled: bool, source: str = "web") -> PrivacyModeChange | None:
    """Switch the actor's own privacy mode; recorded and audited. None when nothing changed."""
    if source not in SOURCES:
        raise ValidationError({"source": "Unknown source."})
    with transaction.atomic():
        # Lock the member's row so two switches at once cannot both think they changed it.
        Membership.objects.select_for_update().filter(pk=actor.pk).first()
        if privacy_mode_on(actor) == enabled:
            return None
        change = PrivacyModeChange.objects.create(
            organization_id=actor.organization_id, member=actor, enabled=enabled, source=source)
        audit.record("attendance.privacy_mode_on" if enabled else "attendance.privacy_mode_off",
                     actor=actor.user_id, organization=actor.organization_id, subject=actor.user_id,
                     target=change, details={"source": source})
    return change


class PausedPeriods:
    """The periods a member had privacy mode on, for judging many event times at once."""

    def __init__(self, member: Membership | int) -> None:
        rows = list(PrivacyModeChange.objects.filter(member=member).order_by("changed_at", "pk")
                    .values_list("changed_at", "enabled", "pk"))
        self.times: list[datetime] = [at for at, _, _ in rows]
        self.states: list[bool] = [enabled for _, enabled, _ in rows]
        self.version = (rows[-1][2], rows[-1][1]) if rows else None

    @property
    def now(self) -> bool:
        return bool(self.states) and self.states[-1]

    def at(self, moment: datetime) -> bool:
        index = bisect.bisect_right(self.times, moment) - 1
        return index >= 0 and self.states[index]
