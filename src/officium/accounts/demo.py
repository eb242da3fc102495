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
    ("member@globex.example", "Gina", "Globex", Role.MEMBER, None, "globex"),
    ("outsider@globex.example", "Oscar", "Outsider", Role.OWNER, None, "globex"),
]

ORGANIZATIONS = {
    "acme": {"name": "Acme Field Services", "country": "DE", "employee_count": 40,
             "industry": "Field services", "plan": Plan.STANDARD},
    "globex": {"name": "Globex Consulting", "country": "FR", "employee_count": 12,
               "industry": "Consulting", "plan": Plan.FREE, "time_zone": "Europe/Paris"},
}
# UX1/UX2: Acme is set up; Globex's owner is halfway through setup (the checklist shows).
ONBOARDING = {
    "acme": {"time_zone": "done", "site": "done", "invite": "done", "plan": "done"},
    "globex": {"time_zone": "done"},
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
    for slug, marks in ONBOARDING.items():
        if not orgs[slug].onboarding:
            Organization.objects.filter(pk=orgs[slug].pk).update(onboarding=marks)
    return [(email, role.label, orgs[org].name) for email, _, _, role, _, org in PEOPLE]


def print_logins(logins: list[tuple[str, str, str]], url: str = "http://127.0.0.1:8000/") -> None:
    """The address actually served, then the logins: the last lines the demo prints."""
    print(f"\nOfficium demo: sign in at {url} with any of these", flush=True)
    print(f"(password for all: {DEMO_PASSWORD})\n")
    for email, role, org in logins:
        print(f"  {email:28} {role:18} {org}")
    sys.stdout.flush()


# --- privacy: a consent history and data requests in several states (UX1) -------------------

@transaction.atomic
def seed_privacy_story(slug: str = "acme") -> None:
    """Members gave and withdrew consents over the weeks; the privacy office has requests: one
    waiting for review due in three days, one due later, one paused, one answered. Rows are
    only added when the demo people have none yet."""
    from datetime import timedelta

    from officium.privacy.consent import catalogue, ledger
    from officium.privacy.consent.models import ConsentRecord, Method
    from officium.privacy.policy.loader import active_policy
    from officium.privacy.rights.catalogue import offer_for
    from officium.privacy.rights.models import RightsRequest, Status

    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        return
    people = {m.user.email: m.user for m in Membership.objects.filter(organization=organization).select_related("user")}
    purposes = [p.id for p in catalogue.consent_purposes()][:2]
    now = timezone.now()
    history = [("member1@acme.example", "given", Method.SIGNUP_FORM), ("member2@acme.example", "given", Method.SIGNUP_FORM),
               ("member2@acme.example", "withdrawn", Method.EMAIL_LINK), ("client@acme.example", "given", Method.PREFERENCE_PAGE)]
    for email, state, method in history:
        user = people.get(email)
        if user is None or not purposes or ConsentRecord.objects.filter(
                subject_user_id=user.pk, method=method, state=state).exists():
            continue
        for purpose in purposes:
            ledger.decide(ledger.Subject.of(user), purpose, state, method)  # append-only: recorded now
    policy = active_policy()
    today = timezone.localdate(now)
    requests = [
        # (ref, subject, type, status, received days ago, due in days)
        ("demo-acme-review", "member1@acme.example", "rectification", Status.VERIFIED, 27, 3),
        ("demo-acme-later", "member2@acme.example", "rectification", Status.VERIFIED, 5, 25),
        ("demo-acme-paused", "client@acme.example", "objection", Status.PAUSED, 12, 18),
        ("demo-acme-done", "member2@acme.example", "access", Status.COMPLETED, 20, 10),
    ]
    for ref, email, kind, status, received, due in requests:
        user = people.get(email)
        if user is None or RightsRequest.objects.filter(ref=ref).exists():
            continue
        try:
            group = offer_for(policy, kind, organization.country or "DE").group.id
        except Exception:  # noqa: BLE001, S112  (a policy without this right: no such demo row)
            continue
        received_at = now - timedelta(days=received)
        RightsRequest.objects.create(
            organization=organization, subject=user, subject_ref=user.pk, ref=ref, request_type=kind,
            status=status, email=user.email, residence_country=organization.country or "DE",
            rights_group=group, channel="privacy_center", verification="reauthentication", verified_at=received_at,
            received_at=received_at, due_on=today + timedelta(days=due),
            details="Please correct my job title." if kind == "rectification" else "",
            paused_at=now - timedelta(days=2) if status == Status.PAUSED else None,
            paused_from=Status.VERIFIED if status == Status.PAUSED else "",
            pause_reason="Which processing do you object to?" if status == Status.PAUSED else "",
            completed_at=now - timedelta(days=15) if status == Status.COMPLETED else None, progress=100 if status == Status.COMPLETED else 0)


def seed_breach_drill(slug: str = "acme") -> None:
    """UX1: a breach drill in the register, recorded 20 hours ago: its 72-hour clock for telling
    the authority runs on the privacy office's dashboard. Added once."""
    from datetime import timedelta

    from officium.privacy.office.breaches import breaches_for, record_breach
    from officium.privacy.policy.loader import active_policy

    officer = Membership.objects.filter(organization__slug=slug, role=Role.PRIVACY_OFFICER).select_related(
        "organization", "user").first()
    if officer is None or breaches_for(officer.organization_id).exists():
        return
    discovered = timezone.now() - timedelta(hours=20)
    record_breach(officer, summary="Drill: a laptop with timesheet exports left on a train",
                  description="A breach drill: the laptop was encrypted; the exports held names and "
                              "worked hours of the Berlin team.",
                  discovered_at=discovered, occurred_at=discovered - timedelta(hours=3),
                  categories=[c.id for c in active_policy().categories if c.id in ("name", "attendance")][:2]
                  or [active_policy().categories[0].id], subject_ids=[], people_count=12,
                  consequences="Unlikely to cause harm: the disk was encrypted.",
                  measures="Remote wipe requested; exports now expire after 7 days.", high_risk=False)


def seed_release(slug: str = "acme") -> None:
    """PV6: one published release (check-ins per site per week over the last four full weeks),
    published by the privacy officer: the public statistics page shows it and how it was
    protected. In a team this small every group is withheld, as it should be. Added once."""
    from datetime import timedelta

    from officium.privacy.office import releases

    officer = Membership.objects.filter(organization__slug=slug, role=Role.PRIVACY_OFFICER).select_related(
        "organization", "user").first()
    if officer is None or releases.releases_for(officer.organization_id).exists():
        return
    datasets = [d.key for d in releases.datasets()]
    if "checkins_per_site_week" not in datasets:
        return
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    releases.publish(officer, dataset="checkins_per_site_week", since=monday - timedelta(weeks=4),
                     until=monday, epsilon=0.5)


def seed_controller_contact(slug: str = "acme") -> None:
    """PV2: the demo organization's postal address and data protection officer, entered by its
    privacy officer where the policy profile gives none. Added once."""
    from officium.privacy.office import controller
    from officium.privacy.policy.loader import active_policy

    officer = Membership.objects.filter(organization__slug=slug, role=Role.PRIVACY_OFFICER).select_related(
        "organization", "user").first()
    if officer is None or controller.entered(officer.organization_id) is not None:
        return
    policy = active_policy()
    controller.save(officer, policy,
                    postal_address="" if policy.controller.postal_address else
                    "Acme Field Services GmbH\nMusterstrasse 12\n10115 Berlin, Germany",
                    dpo_name="" if policy.controller.dpo else officer.user.get_full_name() or "Privacy officer",
                    dpo_email="" if policy.controller.dpo else officer.user.email)
