"""Reads of shift assignments for people, through ``for_purpose`` (a member's schedule is
their personal data: administrators see all, managers their reports', everyone the sites')."""

from __future__ import annotations

from typing import Any

from officium.accounts.models import Membership
from officium.attendance import purposes
from officium.workforce.models import ShiftAssignment


def assignments_queryset(actor: Membership) -> Any:
    return (ShiftAssignment.objects.for_purpose(actor, purposes.location())
            .select_related("shift_type", "member__user", "site"))


def assignments(actor: Membership, limit: int = 500) -> list[ShiftAssignment]:
    return list(assignments_queryset(actor).filter(shift_type__active=True)
                .order_by("shift_type__start", "starts_on", "pk")[:limit])
