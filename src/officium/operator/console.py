"""OP1: the operator console's figures. Metadata only: plan, status, sizes, usage counts and
open request counts per organization; never a member's name, address or content (the
organization's name is the customer's business name, shown to tell customers apart)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone

from officium.accounts.models import Organization
from officium.billing.models import Subscription, UsageDay
from officium.operator.models import SupportGrant
from officium.privacy.rights.models import OPEN_STATUSES, RightsRequest


@dataclass(frozen=True)
class OrganizationRow:
    id: int
    name: str
    plan: str
    billing_status: str
    status: str
    created_at: dt.datetime
    members: int
    storage_bytes: int
    api_calls_30d: int
    open_requests: int
    live_grants: int


def organizations() -> list[OrganizationRow]:
    """One row per organization, from aggregate queries (a fixed number, whatever the count)."""
    now = timezone.now()
    since = now.date() - dt.timedelta(days=30)
    orgs = Organization.objects.annotate(members=Count("membership", distinct=True)).order_by("name", "pk")
    calls = dict(UsageDay.objects.filter(day__gte=since).values("organization_id")
                 .annotate(n=Sum("api_calls")).values_list("organization_id", "n"))
    storage: dict[int, int] = {}
    for organization_id, value in (UsageDay.objects.order_by("organization_id", "-day")
                                   .values_list("organization_id", "storage_bytes")):
        storage.setdefault(organization_id, value)
    requests = dict(RightsRequest.objects.filter(status__in=OPEN_STATUSES, organization__isnull=False)
                    .values("organization_id").annotate(n=Count("pk")).values_list("organization_id", "n"))
    grants = dict(SupportGrant.objects.filter(Q(revoked_at=None), starts_at__lte=now, expires_at__gt=now)
                  .values("organization_id").annotate(n=Count("pk")).values_list("organization_id", "n"))
    billing = dict(Subscription.objects.values_list("organization_id", "status"))
    return [OrganizationRow(id=o.pk, name=o.name, plan=o.plan, billing_status=billing.get(o.pk, "active"),
                            status=o.status, created_at=o.created_at, members=o.members,
                            storage_bytes=storage.get(o.pk, 0), api_calls_30d=int(calls.get(o.pk) or 0),
                            open_requests=requests.get(o.pk, 0), live_grants=grants.get(o.pk, 0))
            for o in orgs]
