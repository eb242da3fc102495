"""Factories for the objects most tests need: plain functions with sensible defaults.

Each builds one object through the same path the product uses (the model manager, or the
service where the service is what makes the object valid), so a test reads as its story:
``member(org, Role.MANAGER)``, ``site(org)``, ``space(owner_membership)``.
"""

from __future__ import annotations

import itertools
from typing import Any

from django.utils import timezone

from officium.accounts.models import Membership, Organization, User
from officium.accounts.roles import Role

PASSWORD = "correct-horse-battery-staple"
_serial = itertools.count(1)


def organization(name: str | None = None, *, slug: str | None = None,
                 country: str = "DE") -> Organization:
    number = next(_serial)
    return Organization.objects.create(name=name or f"Factory Org {number}",
                                       slug=slug or f"factory-org-{number}", country=country)


def user(email: str | None = None, first: str = "Fay", last: str = "Example",
         **extra: Any) -> User:
    """An active user whose email is confirmed and whose password is ``PASSWORD``."""
    email = email or f"person{next(_serial)}@factory.example"
    return User.objects.create_user(email, PASSWORD, first_name=first, last_name=last,
                                    is_active=True, email_confirmed_at=timezone.now(), **extra)


def member(org: Organization, role: str = Role.MEMBER, account: User | None = None,
           **extra: Any) -> Membership:
    """A membership of ``org`` with ``role`` (a new user unless ``account`` is given)."""
    account = account or user(f"{role}{next(_serial)}@{org.slug}.example", first=str(role).title())
    return Membership.objects.create(organization=org, user=account, role=role, **extra)


def site(org: Organization, name: str = "HQ", **extra: Any) -> Any:
    """A circular site of radius 150 m in Berlin."""
    from officium.attendance.models import Site

    values = {"shape": "circle", "center_latitude": 52.52, "center_longitude": 13.405,
              "radius_m": 150, **extra}
    return Site.objects.create(organization=org, name=name, **values)


def check_in(membership: Membership, at_site: Any = None, direction: str = "in") -> Any:
    """An accepted check-in of ``membership`` (without a location unless a site is given)."""
    from officium.attendance import services
    from officium.attendance.geofence import validate_fix

    fix = None
    if at_site is not None:
        fix = validate_fix(at_site.center_latitude, at_site.center_longitude, 10.0)
    return services.check_in(membership, direction, fix,
                             site_id=at_site.pk if at_site is not None else None)


def space(owner: Membership, name: str | None = None) -> Any:
    """A portal space created by ``owner`` (an owner or administrator membership)."""
    from officium.portal import services

    return services.create_space(owner, name or f"Space {next(_serial)}")


def space_member(owner: Membership, of_space: Any, who: Membership) -> Any:
    from officium.portal import services

    return services.add_member(owner, of_space, who.pk)


def folder(owner: Membership, of_space: Any, name: str | None = None) -> Any:
    from officium.portal import services

    return services.create_folder(owner, of_space, name or f"Folder {next(_serial)}", None)


def rights_request(officer: Membership, subject: Membership,
                   request_type: str = "do_you_hold_my_data") -> Any:
    """A rights request of ``subject`` filed on their behalf by ``officer``."""
    from officium.privacy.rights import intake

    return intake.file_by_officer(officer, subject, request_type=request_type, country="DE",
                                  details="")


def next_number() -> int:
    """A number no other factory call in this process has used (for unique names)."""
    return next(_serial)
