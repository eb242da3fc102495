"""BI1: each organization's plan and what it allows; a limit reached is refused with a clear
sentence, and nothing already stored is lost or hidden (over a limit, an organization keeps
everything and can only not add more: read-only beyond the limits)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from officium.accounts.models import Membership, Organization
from officium.billing.models import PlanTier, Subscription, UsageDay


def period_bounds(moment: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The calendar month (UTC) around ``moment``: billing periods are months."""
    start = moment.astimezone(dt.UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


def tier(code: str) -> PlanTier:
    found = PlanTier.objects.filter(code=code, active=True).first()
    if found is None:
        raise ValidationError({"plan": f"{code!r} is not a plan you can choose."})
    return found


def subscription_for(organization: Organization) -> Subscription:
    """The organization's subscription, created on first look from its current plan."""
    found = Subscription.objects.select_related("plan").filter(organization=organization).first()
    if found is not None:
        return found
    start, end = period_bounds(timezone.now())
    plan = PlanTier.objects.filter(code=organization.plan).first() or PlanTier.objects.get(code="free")
    subscription, _ = Subscription.objects.get_or_create(
        organization=organization, defaults={"plan": plan, "period_start": start, "period_end": end})
    return subscription


@dataclass(frozen=True)
class Standing:
    """An organization against its plan's limits (0 = unlimited)."""

    members: int
    max_members: int
    storage_bytes: int
    max_storage_mb: int

    @property
    def members_over(self) -> bool:
        return bool(self.max_members) and self.members > self.max_members

    @property
    def storage_over(self) -> bool:
        return bool(self.max_storage_mb) and self.storage_bytes > self.max_storage_mb * 1024 * 1024

    def fits(self, plan: PlanTier) -> list[str]:
        """What would be beyond ``plan``'s limits (empty when it fits)."""
        problems = []
        if plan.max_members and self.members > plan.max_members:
            problems.append(f"{self.members} members (the {plan.name} plan allows {plan.max_members})")
        if plan.max_storage_mb and self.storage_bytes > plan.max_storage_mb * 1024 * 1024:
            problems.append(f"{self.storage_bytes // (1024 * 1024)} MB stored "
                            f"(the {plan.name} plan allows {plan.max_storage_mb} MB)")
        return problems


def standing(organization: Organization, plan: PlanTier | None = None) -> Standing:
    plan = plan or subscription_for(organization).plan
    latest = UsageDay.objects.filter(organization=organization).order_by("-day").first()
    return Standing(members=Membership.objects.filter(organization=organization).count(),
                    max_members=plan.max_members,
                    storage_bytes=latest.storage_bytes if latest else 0,
                    max_storage_mb=plan.max_storage_mb)


def check(organization_id: int, resource: str, adding: int, field: str) -> None:
    """Registered with ``accounts.limits``: refuse adding beyond the plan (400 naming ``field``)."""
    organization = Organization.objects.get(pk=organization_id)
    plan = subscription_for(organization).plan
    if resource == "members" and plan.max_members:
        pending = organization.invitation_set.filter(accepted_at=None, revoked_at=None,
                                                     expires_at__gt=timezone.now()).count()
        members = Membership.objects.filter(organization=organization).count()
        if members + pending + adding > plan.max_members:
            raise ValidationError({field: (
                f"Your {plan.name} plan allows {plan.max_members} members and you have {members} "
                f"(and {pending} open invitations). Nothing was removed: the owner can choose a larger "
                "plan on the billing page, or you can remove a member first.")})
