"""Attendance's dashboard panels (UX3): one's own day, and who is in now for those who lead."""

from __future__ import annotations

from typing import Any

from officium.accounts import dashboard
from officium.accounts.models import Membership
from officium.accounts.roles import WORKING_ROLES, Role
from officium.attendance import board, clock
from officium.attendance.models import AttendanceRecord, Review

LEADS = (Role.OWNER, Role.ADMIN, Role.MANAGER)
SHOWN_NAMES = 8


def my_day(member: Membership) -> dict[str, Any]:
    return {"state": clock.clock_state(member), "organization": member.organization}


def who_is_in(member: Membership) -> dict[str, Any]:
    now = board.who_is_in(member)
    present = [p for site in now.sites for p in site.present]
    sites = [s for s in now.sites if s.present]
    to_review = AttendanceRecord.objects.filter(organization_id=member.organization_id,
                                                review=Review.PENDING).count()
    return {"inside": len(present), "out": now.out, "sites": sites, "shown": present[:SHOWN_NAMES],
            "more": max(0, len(present) - SHOWN_NAMES), "to_review": to_review,
            "organization": member.organization}


def register() -> None:
    dashboard.register("attendance.my_day", "attendance/panel_my_day.html", WORKING_ROLES, my_day, order=10)
    dashboard.register("attendance.who_is_in", "attendance/panel_who_is_in.html", LEADS, who_is_in, order=20)
