"""Who the privacy staff are: the one module of the engine that reads accounts' members and
roles (a named exception of the import contract in pyproject.toml).

The people-facing workflows (rights requests, retention and child-report pages) need the
organization's owners and privacy officers: to let them act, to email them, to list the
members they act for. They ask here, so the engine's other modules import nothing of accounts.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from officium.accounts.localtime import zone_for
from officium.accounts.models import Membership, Organization
from officium.accounts.roles import ADMINISTRATORS, PRIVACY_STAFF

OFFICE_ROLES = tuple(dict.fromkeys((*PRIVACY_STAFF, *ADMINISTRATORS)))
"""Who reads the privacy office's registers (audit log, data map, breaches): owners,
administrators and privacy officers."""

__all__ = ["OFFICE_ROLES", "PRIVACY_STAFF", "is_privacy_staff", "members", "officer_emails", "organization_zones",
           "organizations_of", "platform_staff_emails", "roles_in"]


def is_privacy_staff(membership: Any) -> bool:
    """An owner or privacy officer of their organization."""
    return membership is not None and membership.role in PRIVACY_STAFF


def members(organization: Any) -> QuerySet[Membership]:
    """The organization's memberships (with their users), for the forms that name a member."""
    return Membership.objects.filter(organization=organization).select_related("user")


def officer_emails(organization_id: int) -> list[str]:
    """Addresses of the organization's active owners and privacy officers."""
    return sorted(set(Membership.objects.filter(
        organization_id=organization_id, role__in=PRIVACY_STAFF, user__is_active=True,
    ).values_list("user__email", flat=True)))


def platform_staff_emails() -> list[str]:
    """Addresses of the platform's active staff (they handle requests from the public form)."""
    return sorted(set(get_user_model().objects.filter(is_staff=True, is_active=True)
                      .values_list("email", flat=True)))


def organization_zones(organization_ids: set[int]) -> dict[int, Any]:
    """Each organization's time zone (a ZoneInfo), for pages that show its entries' times."""
    return {o.pk: zone_for(o) for o in Organization.objects.filter(pk__in=organization_ids)}


def zone_of(organization: Any) -> Any:
    """The organization's time zone (a ZoneInfo)."""
    return zone_for(organization)


def organizations_of(user_id: int) -> list[tuple[int, str, str]]:
    """(id, name, country code) of each organization the person belongs to: the controllers
    of their data."""
    return list(Membership.objects.filter(user_id=user_id).order_by("organization__name")
                .values_list("organization_id", "organization__name", "organization__country"))


def roles_in(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], tuple[str, str]]:
    """(organization id, user id) -> (organization name, the person's role there in words)."""
    if not pairs:
        return {}
    found = Membership.objects.filter(organization_id__in={o for o, _ in pairs},
                                      user_id__in={u for _, u in pairs}).select_related("organization")
    return {(m.organization_id, m.user_id): (m.organization.name, str(m.get_role_display()))
            for m in found if (m.organization_id, m.user_id) in pairs}
