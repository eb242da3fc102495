"""A new organization's setup (UX2): time zone, first site, inviting people, plan.

Each step is done when the organization shows it (a site exists, someone was invited) or when
an administrator finished or skipped it on its page; progress lives in the organization, so
leaving halfway and coming back resumes at the first open step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from officium.accounts import dashboard
from officium.accounts.models import Invitation, Membership, Organization
from officium.accounts.roles import ADMINISTRATORS
from officium.attendance.models import Site


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    why: str
    done_when: Callable[[Organization], bool]


def _marked(key: str) -> Callable[[Organization], bool]:
    return lambda org: (org.onboarding or {}).get(key) == "done"


def _has_site(org: Organization) -> bool:
    return Site.objects.filter(organization=org, active=True).exists() or _marked("site")(org)


def _invited(org: Organization) -> bool:
    return (Invitation.objects.filter(organization=org).exists()
            or Membership.objects.filter(organization=org).count() > 1)


STEPS: tuple[Step, ...] = (
    Step("time_zone", "Time zone", "Days, shifts and every time shown use it.", _marked("time_zone")),
    Step("site", "First site", "Where people check in: draw it on the map.", _has_site),
    Step("invite", "Invite people", "Your team and client contacts get an email to join.", _invited),
    Step("plan", "Plan", "Start free; change whenever you need more.", _marked("plan")),
)
BY_KEY = {s.key: s for s in STEPS}


@dataclass(frozen=True)
class Progress:
    step: Step
    state: str  # done | skipped | open
    url: str


def progress(org: Organization) -> list[Progress]:
    marks = org.onboarding or {}
    found = []
    for step in STEPS:
        state = "done" if step.done_when(org) else ("skipped" if marks.get(step.key) == "skipped" else "open")
        found.append(Progress(step, state, reverse("onboarding:step", kwargs={"org": org.slug, "setup_step": step.key})))
    return found


def next_step(org: Organization) -> Progress | None:
    """The first step neither done nor skipped (None: setup is through)."""
    return next((p for p in progress(org) if p.state == "open"), None)


def checklist(member: Membership) -> dict[str, Any] | None:
    org = member.organization
    if (org.onboarding or {}).get("checklist") == "dismissed":
        return None
    items = progress(org)
    if all(p.state == "done" for p in items):
        return None
    return {"items": items, "done": sum(p.state == "done" for p in items), "total": len(items),
            "organization": org, "started": bool(org.onboarding)}


def register() -> None:
    dashboard.register("onboarding.checklist", "onboarding/checklist.html", ADMINISTRATORS, checklist, order=0)
