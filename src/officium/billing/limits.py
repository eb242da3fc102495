"""BI1: each organization's plan and what it allows; a limit reached is refused with a clear
sentence, and nothing already stored is lost or hidden (over a limit, an organization keeps
everything and can only not add more: read-only beyond the limits)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from officium.accounts.limits import StorageFull
from officium.accounts.models import Membership, Organization
from officium.accounts.roles import Role
from officium.billing.models import PlanTier, Subscription

MB = 1024 * 1024
WARN_PERCENT = 90
"""The owners are told once when storage passes this share of the plan, and once when it is full."""


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
    reserved_bytes: int = 0
    """Declared sizes of uploads in progress: counted against the plan until they end."""

    @property
    def max_storage_bytes(self) -> int:
        return self.max_storage_mb * MB

    @property
    def storage_percent(self) -> int:
        """Share of the plan's storage in use (uploads in progress included); 0 when unlimited."""
        if not self.max_storage_mb:
            return 0
        return int((self.storage_bytes + self.reserved_bytes) * 100 // self.max_storage_bytes)

    @property
    def storage_near(self) -> bool:
        return bool(self.max_storage_mb) and self.storage_percent >= WARN_PERCENT

    @property
    def members_over(self) -> bool:
        return bool(self.max_members) and self.members > self.max_members

    @property
    def storage_over(self) -> bool:
        return bool(self.max_storage_mb) and self.storage_bytes > self.max_storage_bytes

    def fits(self, plan: PlanTier) -> list[str]:
        """What would be beyond ``plan``'s limits (empty when it fits)."""
        problems = []
        if plan.max_members and self.members > plan.max_members:
            problems.append(f"{self.members} members (the {plan.name} plan allows {plan.max_members})")
        held = self.storage_bytes + self.reserved_bytes
        if plan.max_storage_mb and held > plan.max_storage_mb * MB:
            problems.append(f"{_megabytes(held)} stored (the {plan.name} plan allows {plan.max_storage_mb} MB)")
        return problems


def standing(organization: Organization, plan: PlanTier | None = None) -> Standing:
    """Members and storage as they are now (not the daily snapshot) against ``plan``."""
    from officium.billing.usage import reserved_bytes, storage_bytes

    plan = plan or subscription_for(organization).plan
    return Standing(members=Membership.objects.filter(organization=organization).count(),
                    max_members=plan.max_members, storage_bytes=storage_bytes(organization),
                    max_storage_mb=plan.max_storage_mb, reserved_bytes=reserved_bytes(organization))


def check(organization_id: int, resource: str, adding: int, field: str) -> None:
    """Registered with ``accounts.limits``: refuse adding beyond the plan (400 naming ``field``)."""
    organization = Organization.objects.get(pk=organization_id)
    subscription = subscription_for(organization)
    plan = subscription.plan
    if resource == "members" and plan.max_members:
        pending = organization.invitation_set.filter(accepted_at=None, revoked_at=None,
                                                     expires_at__gt=timezone.now()).count()
        members = Membership.objects.filter(organization=organization).count()
        if members + pending + adding > plan.max_members:
            raise ValidationError({field: (
                f"Your {plan.name} plan allows {plan.max_members} members and you have {members} "
                f"(and {pending} open invitations). Nothing was removed: the owner can choose a larger "
                "plan on the billing page, or you can remove a member first.")})
    if resource == "storage_bytes":
        check_storage(organization, adding, field, subscription=subscription)
    if resource == "retention_choices" and not plan.retention_choices:
        offering = [p.name for p in PlanTier.objects.filter(active=True, retention_choices=True)]
        raise ValidationError({field: (
            f"Your {plan.name} plan keeps the privacy policy's retention periods; choosing another "
            "period is part of the " + " and ".join(offering or ["larger"]) + " plans. Nothing was "
            "changed: the owner can choose one on the billing page.")})


def _megabytes(size: int) -> str:
    return f"{size / MB:,.1f} MB"


def check_storage(organization: Organization, adding: int, field: str = "size", *,
                  subscription: Subscription | None = None) -> None:
    """Refuse ``adding`` bytes beyond the plan's storage (413 naming ``field``). What counts:
    every stored portal file (versions and trash included), uploads in progress by their
    declared size, and field work photos. ``adding=0`` asks whether what is already reserved
    still fits (each chunk of an upload). Passing the warning share or reaching the limit
    tells the owners, once per crossing."""
    from officium.billing.usage import reserved_bytes, storage_bytes

    subscription = subscription or subscription_for(organization)  # (the caller's, if it has it)
    plan = subscription.plan
    if not plan.max_storage_mb:
        return
    # Each chunk of an upload asks this: the sizes only (not the member count of ``standing``).
    limit = plan.max_storage_mb * MB
    used = storage_bytes(organization) + reserved_bytes(organization)
    if used + adding > limit:
        if used >= limit:
            _alert(organization, subscription, 100, used, limit)
        elif used * 100 >= limit * WARN_PERCENT:
            _alert(organization, subscription, WARN_PERCENT, used, limit)
        raise StorageFull(
            {field: (f"Your {plan.name} plan has {_megabytes(limit)} of storage and "
                     f"{_megabytes(used)} is in use (files, their versions, the trash and uploads in "
                     f"progress); {_megabytes(adding)} more does not fit. Nothing was stored and nothing "
                     "was removed: empty the trash, delete files, or the owner can choose a larger plan "
                     "on the billing page.") if adding else
                    (f"Your {plan.name} plan's {_megabytes(limit)} of storage is full "
                     f"({_megabytes(used)} in use with this upload); the upload was stopped and its "
                     "bytes removed. Empty the trash, delete files, or the owner can choose a larger "
                     "plan on the billing page.")},
            extra={"limit_bytes": limit, "used_bytes": used})
    if (used + adding) * 100 >= limit * WARN_PERCENT:  # counting what is being added
        _alert(organization, subscription, 100 if used + adding >= limit else WARN_PERCENT, used + adding, limit)


def _alert(organization: Organization, subscription: Subscription, level: int, used: int, limit: int) -> None:
    """Tell the owners (a notification, emailed per their setting) once per level reached."""
    from officium.notifications.services import notify

    if subscription.storage_alert >= level:
        return
    if not Subscription.objects.filter(pk=subscription.pk, storage_alert__lt=level).update(storage_alert=level):
        return  # another request told them
    subscription.storage_alert = level
    plan = subscription.plan
    title = (f"Storage is full: the {plan.name} plan's {_megabytes(limit)} are in use"
             if level >= 100 else
             f"Storage is {used * 100 // limit}% full on the {plan.name} plan ({_megabytes(limit)})")
    owners = list(Membership.objects.filter(organization=organization, role=Role.OWNER).select_related("user"))

    def send() -> None:
        for owner in owners:
            notify(owner.user, organization, "billing.storage", title, url=f"/o/{organization.slug}/billing/")

    transaction.on_commit(send)


def review_storage_alert(organization: Organization) -> None:
    """The worker's daily look: tell the owners of a crossing no request noticed, and re-arm
    the alerts once usage is back under the warning share (after a clean-up or a larger plan)."""
    subscription = subscription_for(organization)
    now = standing(organization, subscription.plan)
    if not now.max_storage_mb or now.storage_percent < WARN_PERCENT:
        if subscription.storage_alert:
            Subscription.objects.filter(pk=subscription.pk).update(storage_alert=0)
        return
    _alert(organization, subscription, 100 if now.storage_percent >= 100 else WARN_PERCENT,
           now.storage_bytes + now.reserved_bytes, now.max_storage_bytes)
