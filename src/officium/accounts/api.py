"""Organizations and members over the API."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import EmailStr

from officium.accounts import services
from officium.accounts.models import Membership
from officium.accounts.roles import CAN_SEE_MEMBERS, Role
from officium.accounts.scoping import SignedInRequest, membership_for, scoped_get

router = Router(tags=["organizations"])


class OrganizationOut(Schema):
    slug: str
    name: str
    country: str
    plan: str
    status: str
    role: str
    time_zone: str


class OrganizationPatch(Schema):
    time_zone: str


class MemberOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    role: str
    reports_to: int | None
    created_at: datetime


class InviteIn(Schema):
    email: EmailStr
    role: Role = Role.MEMBER
    reports_to: int | None = None


class MemberPatch(Schema):
    role: Role
    reports_to: int | None = None


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    expires_at: datetime


def _member_out(m: Membership) -> MemberOut:
    return MemberOut(id=m.pk, email=m.user.email, first_name=m.user.first_name,
                     last_name=m.user.last_name, role=m.role, reports_to=m.reports_to_id,
                     created_at=m.created_at)


@router.get("/orgs", response=list[OrganizationOut])
def list_organizations(request: SignedInRequest) -> list[OrganizationOut]:
    memberships = request.user.memberships.select_related("organization")
    return [OrganizationOut(slug=m.organization.slug, name=m.organization.name,
                            country=m.organization.country, plan=m.organization.plan,
                            status=m.organization.status, role=m.role,
                            time_zone=m.organization.time_zone) for m in memberships]


@router.get("/orgs/{slug:org}", response=OrganizationOut)
def get_organization(request: HttpRequest, org: str) -> OrganizationOut:
    m = membership_for(request, org)
    o = m.organization
    return OrganizationOut(slug=o.slug, name=o.name, country=o.country, plan=o.plan,
                           status=o.status, role=m.role, time_zone=o.time_zone)


@router.patch("/orgs/{slug:org}", response=OrganizationOut)
def change_organization(request: HttpRequest, org: str, payload: OrganizationPatch) -> OrganizationOut:
    m = membership_for(request, org)
    o = services.change_organization(m, payload.time_zone)
    return OrganizationOut(slug=o.slug, name=o.name, country=o.country, plan=o.plan,
                           status=o.status, role=m.role, time_zone=o.time_zone)


@router.get("/orgs/{slug:org}/members", response=list[MemberOut])
def list_members(request: HttpRequest, org: str) -> list[MemberOut]:
    actor = membership_for(request, org, *CAN_SEE_MEMBERS)
    members = Membership.objects.for_organization(actor.organization).select_related("user")
    return [_member_out(m) for m in members]


@router.post("/orgs/{slug:org}/members", response={201: InvitationOut})
def invite_member(request: HttpRequest, org: str, payload: InviteIn) -> Status[InvitationOut]:
    actor = membership_for(request, org)
    reports_to = _optional_member(actor, payload.reports_to)
    invitation = services.invite_member(actor, payload.email, payload.role.value, reports_to)
    return Status(201, InvitationOut(id=invitation.pk, email=invitation.email,
                                     role=invitation.role, expires_at=invitation.expires_at))


@router.get("/orgs/{slug:org}/members/{int:member_id}", response=MemberOut)
def get_member(request: HttpRequest, org: str, member_id: int) -> MemberOut:
    actor = membership_for(request, org, *CAN_SEE_MEMBERS)
    return _member_out(scoped_get(Membership.objects.select_related("user"), actor.organization, pk=member_id))


@router.patch("/orgs/{slug:org}/members/{int:member_id}", response=MemberOut)
def change_member(request: HttpRequest, org: str, member_id: int, payload: MemberPatch) -> MemberOut:
    actor = membership_for(request, org)
    member = scoped_get(Membership.objects.select_related("user"), actor.organization, pk=member_id)
    updated = services.change_member(actor, member, payload.role.value,
                                     _optional_member(actor, payload.reports_to))
    return _member_out(updated)


@router.delete("/orgs/{slug:org}/members/{int:member_id}", response={204: None})
def remove_member(request: HttpRequest, org: str, member_id: int) -> Status[None]:
    actor = membership_for(request, org)
    member = scoped_get(Membership.objects.all(), actor.organization, pk=member_id)
    services.remove_member(actor, member)
    return Status(204, None)


def _optional_member(actor: Membership, member_id: int | None) -> Membership | None:
    if member_id is None:
        return None
    return get_object_or_404(Membership, organization=actor.organization, pk=member_id)
