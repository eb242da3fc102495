"""OP2/PU6: support grants. An organization admin lets one named staff member into chosen
areas, read or write, until a time, for a reason. Staff see nothing of the organization
outside a live grant (404, as for what does not exist); each access is audited and listed to
the organization's admins; a grant expires by itself and can be revoked at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from officium.accounts.emails import send_service_email
from officium.accounts.models import Membership, Organization, User
from officium.accounts.roles import ADMINISTRATORS
from officium.notifications.services import notify
from officium.operator.audit_events import (
    GRANT_CREATED,
    GRANT_REVOKED,
    SUPPORT_ACCESS,
    SUPPORT_CHANGE,
)
from officium.operator.models import Access, Area, SupportAccess, SupportGrant
from officium.privacy import audit

MAX_DAYS = 30


def _require_admin(actor: Membership) -> None:
    if actor.role not in ADMINISTRATORS:
        raise PermissionDenied("Only owners and administrators grant support access.")


def staff_members() -> list[User]:
    return list(User.objects.filter(is_staff=True, is_active=True).order_by("email"))


def grant(actor: Membership, data: dict[str, Any]) -> SupportGrant:
    _require_admin(actor)
    staff = User.objects.filter(email__iexact=str(data.get("staff_email") or "").strip(),
                                is_staff=True, is_active=True).first()
    if staff is None:
        raise ValidationError({"staff_email": "This address is not a platform staff account."})
    areas = data.get("areas") or []
    if isinstance(areas, str):
        areas = [areas]
    if not isinstance(areas, list | tuple) or not areas or any(a not in Area.values for a in areas):
        raise ValidationError({"areas": "Choose one or more areas: " + ", ".join(Area.values) + "."})
    access = str(data.get("access") or Access.READ)
    if access not in Access.values:
        raise ValidationError({"access": "Choose read or write."})
    reason = " ".join(str(data.get("reason") or "").split())
    if not 3 <= len(reason) <= 300:
        raise ValidationError({"reason": "Say why support needs access (3-300 characters)."})
    expires_at = _moment(data.get("expires_at"))
    now = timezone.now()
    if expires_at <= now:
        raise ValidationError({"expires_at": "The end of the access must be in the future."})
    if expires_at > now + dt.timedelta(days=MAX_DAYS):
        raise ValidationError({"expires_at": f"Grant access for at most {MAX_DAYS} days."})
    with transaction.atomic():
        created = SupportGrant.objects.create(
            organization_id=actor.organization_id, staff=staff, granted_by=actor.user, areas=sorted(set(areas)),
            access=access, reason=reason, starts_at=now, expires_at=expires_at)
        audit.record(GRANT_CREATED, actor=actor.user_id, organization=actor.organization_id, subject=staff.pk,
                     target=created, details={"areas": created.areas, "access": access})
        send_service_email(staff.email, "support_grant", {"grant": created, "organization": actor.organization},
                           organization_id=actor.organization_id)
        notify(staff, actor.organization, "support.granted",
               f"{actor.organization.name} granted you support access", url="/operator/")
    return created


def _moment(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value or "").strip())
        except ValueError:
            raise ValidationError({"expires_at": "Enter a date and time (YYYY-MM-DDTHH:MM)."}) from None
    if timezone.is_naive(moment):
        raise ValidationError({"expires_at": "Give the time with its zone (or use the form)."})
    return moment


def revoke(actor: Membership, support_grant: SupportGrant) -> None:
    _require_admin(actor)
    if support_grant.organization_id != actor.organization_id:
        raise Http404
    with transaction.atomic():
        if not SupportGrant.objects.filter(pk=support_grant.pk, revoked_at=None).update(
                revoked_at=timezone.now(), revoked_by=actor.user):
            raise ValidationError({"grant": "This grant was revoked already."})
        audit.record(GRANT_REVOKED, actor=actor.user_id, organization=actor.organization_id,
                     subject=support_grant.staff_id, target=support_grant)


def live_grant(staff: Any, organization: Organization, area: str, *, write: bool = False) -> SupportGrant:
    """The staff member's live grant covering ``area`` (and write, if asked), else 404."""
    if not getattr(staff, "is_staff", False):
        raise Http404
    now = timezone.now()
    candidates = SupportGrant.objects.filter(organization=organization, staff_id=staff.pk, revoked_at=None,
                                             starts_at__lte=now, expires_at__gt=now)
    for candidate in candidates:
        if area in candidate.areas and (not write or candidate.access == Access.WRITE):
            return candidate
    raise Http404


def record_access(support_grant: SupportGrant, area: str, method: str, *, changed: str = "") -> None:
    """Every access is evidence: a row listed to the admins and an audit entry."""
    with transaction.atomic():
        SupportAccess.objects.create(organization_id=support_grant.organization_id, grant=support_grant,
                                     staff_id=support_grant.staff_id, area=area, method=method[:10])
        audit.record(SUPPORT_CHANGE if changed else SUPPORT_ACCESS, actor=support_grant.staff_id,
                     organization=support_grant.organization_id, target=support_grant,
                     details={"area": area, "method": method[:10], **({"changed": changed} if changed else {})})
