"""RE2 and RE3: an owner terminates the organization; a person cancels their account.

Termination keeps the organization exportable for the policy's grace period
(``termination_grace_days``; else its ``account_terminated`` rule; else 30 days), then the
periodic job shreds the people who belonged only to it and deletes every tenant row of it,
except what legal holds keep. Cancelling an account shreds the person at once
(``shred_subject``): their data leaves the live database, and the report lists what holds keep.
Both need the person's password again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_tasks import task

from officium.accounts.models import Membership, Organization, OrganizationStatus, User
from officium.accounts.reauthentication import confirm_password
from officium.accounts.roles import Role
from officium.privacy import audit
from officium.privacy.retention import holds
from officium.privacy.vault.shredding import ShredReport, destroy_organization_keys, shred_subject

DEFAULT_GRACE_DAYS = 30


def _check_password(user: User, password: str, request: HttpRequest | None) -> None:
    """Through the login's throttle: a borrowed session cannot guess the password here."""
    confirm_password(request, user, password)


def grace_days() -> int:
    from officium.privacy.policy.loader import active_policy

    policy = active_policy()
    if policy.termination_grace_days is not None:
        return policy.termination_grace_days
    rule = next((r for r in policy.retention if r.trigger == "account_terminated"), None)
    return rule.duration_days if rule is not None else DEFAULT_GRACE_DAYS


def deletion_due(organization: Organization) -> datetime | None:
    """When a terminated organization's data goes (None while it is active)."""
    if organization.terminated_at is None:
        return None
    return organization.terminated_at + timedelta(days=grace_days())


# --- the organization ------------------------------------------------------------------

def terminate_organization(actor: Membership, password: str,
                           request: HttpRequest | None = None) -> Organization:
    """The owner ends the organization's account; its data stays exportable for the grace period."""
    if actor.role != Role.OWNER:
        raise PermissionDenied("Only an owner can terminate the organization.")
    _check_password(actor.user, password, request)
    organization = actor.organization
    if organization.status != OrganizationStatus.ACTIVE:
        raise ValidationError({"organization": "This organization is already terminated."})
    with transaction.atomic():
        now = timezone.now()
        updated = Organization.objects.filter(pk=organization.pk, status=OrganizationStatus.ACTIVE).update(
            status=OrganizationStatus.TERMINATED, terminated_at=now)
        if not updated:
            raise ValidationError({"organization": "This organization is already terminated."})
        audit.record("accounts.organization_terminated", actor=actor.user, organization=organization,
                     details={"grace_days": grace_days()})
    organization.refresh_from_db()
    return organization


def purge_organization(organization: Organization) -> dict[str, int]:
    """Delete a terminated organization's data now (the job calls it after the grace period):
    shred the people who belong to no other organization, delete every tenant row, except
    held data; then mark it deleted. Safe to run again after a crash."""
    from officium.privacy.retention.engine import purge_organization as purge_rows

    others = Membership.objects.exclude(organization=organization).exclude(
        organization__status=OrganizationStatus.DELETED).values("user_id")
    only_here = list(Membership.objects.filter(organization=organization).exclude(user_id__in=others)
                     .values_list("user_id", flat=True))
    counts: dict[str, int] = {}
    for user_id in only_here:
        report = shred_subject(user_id, reason="organization_terminated")
        for label, n in report.deleted.items():
            counts[label] = counts.get(label, 0) + n
    for label, n in purge_rows(organization.pk).items():
        counts[label] = counts.get(label, 0) + n
    if not _held(organization.pk):  # held documents must stay readable until the hold ends
        destroy_organization_keys(organization.pk, reason="organization_terminated")
    with transaction.atomic():
        Organization.objects.filter(pk=organization.pk, status=OrganizationStatus.TERMINATED).update(
            status=OrganizationStatus.DELETED)
        audit.record("accounts.organization_deleted", organization=organization,
                     details={"deleted": counts, "people_shredded": len(only_here)})
    return counts


def _held(organization_id: int) -> bool:
    return any(h.organization_id == organization_id for h in holds.active_holds())


def purge_due_organizations(now: datetime | None = None) -> list[int]:
    """Every terminated organization past its grace period is purged (RE2)."""
    now = now or timezone.now()
    due = Organization.objects.filter(status=OrganizationStatus.TERMINATED,
                                      terminated_at__lte=now - timedelta(days=grace_days()))
    done = []
    for organization in due:
        purge_organization(organization)
        done.append(organization.pk)
    return done


@task(queue_name="retention")
def purge_terminated_organizations() -> int:
    return len(purge_due_organizations())


# --- the person ------------------------------------------------------------------------

def cancellation_blockers(user: User) -> list[Organization]:
    """Active organizations the person is the only owner of (they would be left without one)."""
    owned = Organization.objects.filter(membership__user=user, membership__role=Role.OWNER,
                                        status=OrganizationStatus.ACTIVE)
    return [org for org in owned
            if not Membership.objects.filter(organization=org, role=Role.OWNER).exclude(user=user).exists()]


def kept_on_cancel(user: User) -> list[dict[str, object]]:
    """What legal holds would keep, for the page that asks for confirmation."""
    return holds.describe(holds.kept_for_subject(user.pk))


def cancel_account(user: User, password: str, request: HttpRequest | None = None) -> ShredReport:
    """RE3: the person's data leaves the live database now (crypto-shredded)."""
    _check_password(user, password, request)
    blockers = cancellation_blockers(user)
    if blockers:
        names = ", ".join(org.name for org in blockers)
        raise ValidationError({"account": f"You are the only owner of {names}: make someone else "
                                          "an owner, or terminate the organization first."})
    audit.record("accounts.account_cancelled", actor=user, subject=user)
    return shred_subject(user.pk, actor=user, reason="account_cancelled")
