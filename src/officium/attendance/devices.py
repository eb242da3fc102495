"""Devices (LO5): a single-use connection code, a revocable per-device token, a profile.

A manager (or an administrator) creates a short-lived code for a member: the "resource card".
The member's device exchanges it once for a bearer token; both are kept only as hashes. The
profile, set by the manager, lists the event kinds the device may attach a location to.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from officium.accounts.models import Membership, OrganizationStatus
from officium.attendance import coordinates
from officium.attendance.coordinates import Fix
from officium.attendance.models import (
    ConnectionCode,
    Device,
    DeviceProfile,
    EventKind,
    LocationEvent,
    LocationRequest,
    LocationStatus,
    RequestStatus,
)
from officium.attendance.privacy_mode import privacy_mode_on
from officium.attendance.rules import can_manage_member
from officium.db import Prepared, from_row, sqlite_writers
from officium.privacy import audit
from officium.text import validate_name

CODE_LIFETIME = timedelta(minutes=15)
TOKEN_LIFETIME = timedelta(days=180)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a card
CODE_LENGTH = 10
INVALID_CODE = "This connection code is invalid, expired or already used."


def _normal(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _check_manager(actor: Membership, member: Membership) -> None:
    if member.organization_id != actor.organization_id:
        raise PermissionDenied
    if not can_manage_member(actor, member):
        raise PermissionDenied("Only the member's manager or an administrator can do this.")


def create_connection_code(actor: Membership, member: Membership) -> tuple[ConnectionCode, str]:
    """A new code for ``member``'s device; the raw code is shown once."""
    _check_manager(actor, member)
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    with transaction.atomic():
        code = ConnectionCode.objects.create(
            organization_id=actor.organization_id, member=member, created_by=actor,
            code_hash=Device.hash(raw), expires_at=timezone.now() + CODE_LIFETIME)
        audit.record("attendance.connection_code_created", actor=actor.user_id,
                     organization=actor.organization_id, subject=member.user_id, target=code)
    return code, f"{raw[:5]}-{raw[5:]}"


def connect_device(raw_code: str, name: str, platform: str = "") -> tuple[Device, str]:
    """Exchange a code for a device token (once: a conditional UPDATE claims the code)."""
    name, platform = (name or "").strip(), (platform or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": "Name the device (1-100 characters)."})
    if len(platform) > 100:
        raise ValidationError({"platform": "At most 100 characters."})
    validate_name(name, "name")
    validate_name(platform, "platform")
    now = timezone.now()
    code = ConnectionCode.objects.select_related("member").filter(
        code_hash=Device.hash(_normal(raw_code or "")), used_at=None, expires_at__gt=now,
        member__user__is_active=True).exclude(organization__status=OrganizationStatus.DELETED).first()
    if code is None:
        raise ValidationError({"code": INVALID_CODE})
    raw = "ofd_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        if not ConnectionCode.objects.filter(pk=code.pk, used_at=None).update(used_at=now):
            raise ValidationError({"code": INVALID_CODE})
        device = Device.objects.create(
            organization_id=code.organization_id, member=code.member, name=name, platform=platform,
            token_prefix=raw[:10], token_hash=Device.hash(raw), created_by=code.created_by,
            expires_at=now + TOKEN_LIFETIME)
        ConnectionCode.objects.filter(pk=code.pk).update(device=device)
        audit.record("attendance.device_connected", actor=code.member.user_id,
                     organization=code.organization_id, subject=code.member.user_id, target=device)
    return device, raw


_DEVICE_FIELDS = tuple(f.attname for f in Device._meta.concrete_fields)
_MEMBER_FIELDS = tuple(f.attname for f in Membership._meta.concrete_fields)
_MEMBER = Device._meta.get_field("member")
_TOKEN = Prepared(lambda token_hash: Device.objects.filter(token_hash=token_hash).values_list(
    *_DEVICE_FIELDS, *(f"member__{name}" for name in _MEMBER_FIELDS),
    "member__user__is_active", "organization__status")[:1], kinds=(str,))


def device_for_token(raw: str) -> Device | None:
    """The active device a bearer token belongs to; None when unknown, revoked or expired, its
    member's account is deactivated or its organization deleted.

    Read from the database on every request (one prepared query, no cache), so a revocation
    takes effect on the device's very next request, in every server process. The member comes
    with the device; their user, organization and manager load when asked for.
    """
    row = _TOKEN.first(Device.hash(raw))
    if row is None:
        return None
    split = len(_DEVICE_FIELDS)
    device = from_row(Device, _DEVICE_FIELDS, row[:split])
    is_active, status = row[-2:]
    now = timezone.now()
    if (device.revoked_at is not None or device.expires_at <= now or not is_active
            or status == OrganizationStatus.DELETED):
        return None
    # The member is the row device.member_id names: kept as its cached relation (what the
    # descriptor's assignment does after its checks).
    _MEMBER.set_cached_value(device, from_row(Membership, _MEMBER_FIELDS, row[split:split + len(_MEMBER_FIELDS)]))
    if device.last_seen_at is None or now - device.last_seen_at > timedelta(minutes=1):
        with sqlite_writers.turn():  # a write: it queues with the check-ins (see there)
            Device.objects.filter(pk=device.pk).update(last_seen_at=now)
    return device


def revoke_device(actor: Membership, device: Device) -> None:
    if device.member_id != actor.pk:
        _check_manager(actor, device.member)
    with transaction.atomic():
        Device.objects.filter(pk=device.pk, revoked_at=None).update(revoked_at=timezone.now())
        audit.record("attendance.device_revoked", actor=actor.user_id, organization=actor.organization_id,
                     subject=device.member.user_id, target=device)


def set_device_profile(actor: Membership, member: Membership, kinds: list[str]) -> DeviceProfile:
    """Which event kinds ``member``'s devices may send with a location (set by their manager)."""
    _check_manager(actor, member)
    unknown = sorted(set(kinds) - set(EventKind.values))
    if unknown:
        raise ValidationError({"location_kinds": f"Unknown event kinds: {', '.join(unknown)}."})
    chosen = [k for k in EventKind.values if k in set(kinds)]
    with transaction.atomic():
        profile, _ = DeviceProfile.objects.update_or_create(
            member=member, defaults={"organization_id": member.organization_id,
                                     "location_kinds": chosen, "updated_by": actor,
                                     "updated_at": timezone.now()})
        audit.record("attendance.device_profile_changed", actor=actor.user_id,
                     organization=actor.organization_id, subject=member.user_id, target=profile,
                     details={"location_kinds": chosen})
    return profile


def request_location(actor: Membership, member: Membership) -> LocationRequest:
    """A manager with the right to see report locations asks where a report is."""
    if member.organization_id != actor.organization_id:
        raise PermissionDenied
    if member.reports_to_id != actor.pk or not actor.can_see_report_locations:
        raise PermissionDenied("Only a reporting manager with the right to see locations can ask.")
    with transaction.atomic():
        request = LocationRequest.objects.create(organization_id=actor.organization_id,
                                                 member=member, requested_by=actor)
        audit.record("attendance.location_requested", actor=actor.user_id,
                     organization=actor.organization_id, subject=member.user_id, target=request)
    return request


def answer_location_request(device: Device, request: LocationRequest, fix: Fix | None) -> LocationRequest:
    """The device answers; in privacy mode (or if the profile says no) without a location."""
    if request.member_id != device.member_id or request.status != RequestStatus.PENDING:
        raise ValidationError({"request": "This request is not waiting for this device."})
    member = device.member
    status = LocationStatus.RECORDED if fix is not None else LocationStatus.NONE
    if fix is not None and EventKind.LOCATION_REQUEST not in DeviceProfile.kinds_for(member):
        fix, status = None, LocationStatus.NOT_COLLECTED
    now = timezone.now()
    with transaction.atomic():
        if fix is not None and privacy_mode_on(member):
            fix, status = None, LocationStatus.PAUSED
        event = LocationEvent.objects.create(
            organization_id=device.organization_id, member=member, device=device,
            kind=EventKind.LOCATION_REQUEST, occurred_at=now, received_at=now,
            location_status=status, **coordinates.columns(fix))
        answered = RequestStatus.ANSWERED if fix is not None else RequestStatus.PAUSED
        LocationRequest.objects.filter(pk=request.pk).update(status=answered, answered_at=now, event=event)
        audit.record("attendance.location_request_answered", actor=member.user_id,
                     organization=device.organization_id, subject=member.user_id, target=request,
                     details={"location": status})
    request.refresh_from_db()
    return request
