"""The demo organization `officium demo` seeds (idempotent) and the logins it prints."""

from __future__ import annotations

import sys

from django.db import transaction
from django.utils import timezone

from officium.accounts.models import Membership, Organization, Plan, User
from officium.accounts.roles import Role

DEMO_PASSWORD = "officium-demo-2026"  # noqa: S105  (printed demo login)

PEOPLE = [
    # (email, first, last, role, reports to, organization)
    ("owner@acme.example", "Olivia", "Owner", Role.OWNER, None, "acme"),
    ("privacy@acme.example", "Priya", "Officer", Role.PRIVACY_OFFICER, None, "acme"),
    ("manager@acme.example", "Manuel", "Manager", Role.MANAGER, None, "acme"),
    ("member1@acme.example", "Mina", "Member", Role.MEMBER, "manager@acme.example", "acme"),
    ("member2@acme.example", "Marco", "Member", Role.MEMBER, "manager@acme.example", "acme"),
    ("client@acme.example", "Clara", "Client", Role.CLIENT, None, "acme"),
    ("outsider@globex.example", "Oscar", "Outsider", Role.OWNER, None, "globex"),
]

ORGANIZATIONS = {
    "acme": {"name": "Acme Field Services", "country": "DE", "employee_count": 40,
             "industry": "Field services", "plan": Plan.STANDARD},
    "globex": {"name": "Globex Consulting", "country": "FR", "employee_count": 12,
               "industry": "Consulting", "plan": Plan.FREE},
}


@transaction.atomic
def seed_demo() -> list[tuple[str, str, str]]:
    orgs = {slug: Organization.objects.get_or_create(slug=slug, defaults=fields)[0]
            for slug, fields in ORGANIZATIONS.items()}
    memberships: dict[str, Membership] = {}
    for email, first, last, role, manager, org in PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, first_name=first, last_name=last,
                                            is_active=True, email_confirmed_at=timezone.now())
        memberships[email], _ = Membership.objects.get_or_create(
            organization=orgs[org], user=user,
            defaults={"role": role, "reports_to": memberships.get(manager or "")})
    return [(email, role.label, orgs[org].name) for email, _, _, role, _, org in PEOPLE]


def print_logins(logins: list[tuple[str, str, str]], url: str = "http://127.0.0.1:8000/") -> None:
    """The address actually served, then the logins: the last lines the demo prints."""
    print(f"\nOfficium demo: sign in at {url} with any of these", flush=True)
    print(f"(password for all: {DEMO_PASSWORD})\n")
    for email, role, org in logins:
        print(f"  {email:28} {role:18} {org}")
    sys.stdout.flush()
