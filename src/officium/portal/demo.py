"""The demo's client space (UX1): Acme shares one space with its client contact."""

from __future__ import annotations

from django.db import transaction

from officium.accounts.models import Membership
from officium.portal import services
from officium.portal.models import Space

SPACE = "Client contracts"
SHARED_WITH = ("client@acme.example", "member1@acme.example", "manager@acme.example")


@transaction.atomic
def seed_spaces(slug: str = "acme") -> None:
    owner = Membership.objects.filter(organization__slug=slug, role="owner").select_related("organization").first()
    if owner is None or Space.objects.filter(organization_id=owner.organization_id).exists():
        return
    space = services.create_space(owner, SPACE)
    for member in Membership.objects.filter(organization_id=owner.organization_id, user__email__in=SHARED_WITH):
        services.add_member(owner, space, member.pk)
