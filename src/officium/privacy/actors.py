"""Who acts, as the engine sees it: typed without importing the apps above it.

The engine is called by apps with their own models: a ``Membership`` (a person in one
organization, in one role) when the act belongs to an organization, a ``User`` when a person
acts for themself, or only an account id (a job acting for someone). These protocols name the
few attributes the engine reads, so ``officium.accounts`` stays above ``officium.privacy``
(DESIGN.md: imports point down) while mypy still checks every call.
"""

from __future__ import annotations

from typing import Protocol, TypeAlias


class Person(Protocol):
    """An account (``officium.accounts.models.User``): its id is what the audit log keeps."""

    @property
    def pk(self) -> int: ...

    @property
    def email(self) -> str: ...


class Tenant(Protocol):
    """An organization (``officium.accounts.models.Organization``)."""

    @property
    def pk(self) -> int: ...


class Member(Protocol):
    """A membership (``officium.accounts.models.Membership``): who, in which organization, in
    which role. Purpose-bound reads, officer decisions and disclosures act as one."""

    @property
    def pk(self) -> int: ...

    @property
    def user_id(self) -> int: ...

    @property
    def organization_id(self) -> int: ...

    @property
    def role(self) -> str: ...

    @property
    def user(self) -> Person: ...

    @property
    def organization(self) -> Tenant: ...


AuditActor: TypeAlias = "Person | int | None"
"""Who an audit entry names as the actor: an account, an account id, or nobody (the system)."""
