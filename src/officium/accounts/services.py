"""Every operation on organizations, memberships and accounts.

Each function validates first, then changes the data and writes the audit entry in one
transaction; emails go out on commit, so a rolled-back change sends nothing.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from officium.accounts import limits, localtime
from officium.accounts.confirmation import confirmation_path
from officium.accounts.emails import send_service_email
from officium.accounts.models import ApiToken, Invitation, Membership, Organization, User
from officium.accounts.roles import ADMINISTRATORS, CAN_INVITE, GRANTABLE, Role
from officium.accounts.signup_fields import CATALOGUE
from officium.privacy import audit
from officium.text import validate_name

INVITATION_LIFETIME = timedelta(days=7)
RESERVED_SLUGS = {"api", "admin", "static", "privacy", "accounts", "o", "well-known"}


# --- signup and confirmation -------------------------------------------------------------

def signup_organization(data: dict[str, Any]) -> tuple[User | None, Organization | None]:
    """Create an inactive owner and their organization from the cleaned signup form (AC1, AC3).

    Only the keys of the active policy's signup fields reach this function; each is stored
    where the catalogue says. The account stays inactive until the emailed link is used.
    An address that already has an account gets an email instead and (None, None) comes back:
    the page answers exactly as for a new address, so signup does not tell who has an account.
    """
    email = data["email"].strip().lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        _signup_for_existing_address(existing, data.get("password"))
        return None, None
    if data.get("username") and User.objects.filter(username__iexact=data["username"]).exists():
        raise ValidationError({"username": "This username is taken."})
    user_fields, org_fields = _split_signup_data(data)
    org_fields["time_zone"] = localtime.validate_zone(data.get("time_zone") or localtime.DEFAULT_ZONE)
    org_fields["slug"] = _free_slug(data.get("preferred_domain") or org_fields.get("name", email))
    with transaction.atomic():
        organization = Organization.objects.create(**org_fields)
        user = User.objects.create_user(email=email, password=data.get("password"), **user_fields)
        membership = Membership.objects.create(organization=organization, user=user, role=Role.OWNER)
        audit.record("accounts.signup", actor=user, organization=organization, subject=user,
                     target=membership, details={"fields": sorted(k for k, v in data.items() if v)})
        send_service_email(user.email, "confirm", {"user": user, "path": confirmation_path(user)})
    return user, organization


def _signup_for_existing_address(user: User, password: str | None) -> None:
    if password:
        make_password(password)  # the same work as a real signup, so timing tells nothing either
    with transaction.atomic():
        audit.record("accounts.signup_existing_address", subject=user)
        send_service_email(user.email, "signup_existing", {"user": user})


def _split_signup_data(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    user_fields: dict[str, Any] = {}
    org_fields: dict[str, Any] = {}
    for key, value in data.items():
        spec = CATALOGUE.get(key)
        if spec is None or value in (None, "", []):
            continue
        if spec.target.startswith("user.") and key != "email":
            user_fields[spec.target[5:]] = value
        elif spec.target.startswith("organization."):
            org_fields[spec.target[13:]] = value.upper() if key == "country" else value
    if data.get("full_name"):
        first, _, last = data["full_name"].strip().rpartition(" ")
        user_fields["first_name"], user_fields["last_name"] = (first, last) if first else (last, "")
    org_fields.setdefault("name", data.get("full_name") or data["email"].split("@")[1])
    return user_fields, org_fields


def _free_slug(source: str) -> str:
    base = slugify(source)[:50].strip("-") or "org"
    if base in RESERVED_SLUGS or len(base) < 3:
        base = f"{base}-org"
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def confirm_email(user: User, password: str | None = None) -> User:
    """Activate the account behind a confirmation link; set the password if signup had none."""
    if user.email_confirmed_at is not None:
        raise ValidationError("This email address is already confirmed. Sign in instead.")
    if not user.has_usable_password() and not password:
        raise ValidationError({"new_password1": "Choose a password to finish."})
    with transaction.atomic():
        if password:
            user.set_password(password)
        user.is_active = True
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["password", "is_active", "email_confirmed_at"])
        audit.record("accounts.email_confirmed", actor=user, subject=user)
    return user


LOGO_MAX_BYTES = 256 * 1024
LOGO_TYPES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


def logo_type(data: bytes) -> str | None:
    """The image type of ``data`` by its first bytes (PNG, JPEG, WebP); None for anything else
    (SVG is refused: it can carry script)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for magic, kind in LOGO_TYPES if data.startswith(magic)), None)


def change_organization(actor: Membership, time_zone: str | None = None, *, name: str | None = None,
                        logo: bytes | None = None, remove_logo: bool = False) -> Organization:
    """An administrator's organization settings: name, time zone (WT1) and logo (UX3).
    An argument left None is unchanged."""
    if actor.role not in ADMINISTRATORS:
        raise PermissionDenied("Only owners and administrators can change the organization's settings.")
    changes: dict[str, Any] = {}
    if time_zone is not None:
        changes["time_zone"] = localtime.validate_zone(time_zone)
    if name is not None:
        name = " ".join(validate_name(name, "name").split())
        if not name:
            raise ValidationError({"name": "Enter the organization's name."})
        if len(name) > Organization._meta.get_field("name").max_length:  # type: ignore[operator]
            raise ValidationError({"name": "At most 200 characters."})
        changes["name"] = name
    if logo is not None:
        if len(logo) > LOGO_MAX_BYTES:
            raise ValidationError({"logo": "The logo may be at most 256 KB."})
        kind = logo_type(logo)
        if kind is None:
            raise ValidationError({"logo": "Upload a PNG, JPEG or WebP image."})
        changes.update(logo=logo, logo_type=kind)
    elif remove_logo:
        changes.update(logo=b"", logo_type="")
    organization = actor.organization
    with transaction.atomic():
        before = {field: getattr(organization, field) for field in ("time_zone", "name")}
        Organization.objects.filter(pk=organization.pk).update(**changes)
        for field, value in changes.items():
            setattr(organization, field, value)
        details: dict[str, Any] = {f: [before[f], changes[f]] for f in ("time_zone",) if f in changes}
        other = sorted(changes.keys() - {"time_zone", "logo_type"})
        if other:
            details["changed"] = other
        audit.record("accounts.organization_changed", actor=actor.user_id, organization=organization,
                     target=organization, details=details)
    return organization


ONBOARDING_STATES = ("done", "skipped", "dismissed")


def mark_onboarding(actor: Membership, step: str, state: str) -> Organization:
    """Record an onboarding step as done or skipped (UX2), or the checklist as dismissed."""
    if actor.role not in ADMINISTRATORS:
        raise PermissionDenied("Only owners and administrators set the organization up.")
    if state not in ONBOARDING_STATES or not step.isidentifier():
        raise ValidationError({"step": "Unknown onboarding step or state."})
    organization = actor.organization
    with transaction.atomic():
        current = (Organization.objects.select_for_update().values_list("onboarding", flat=True)
                   .get(pk=organization.pk)) or {}
        if current.get(step) == "done" and state == "skipped":
            return organization  # a step done stays done
        current = {**current, step: state}
        Organization.objects.filter(pk=organization.pk).update(onboarding=current)
        organization.onboarding = current
        audit.record("accounts.onboarding_step", actor=actor.user_id, organization=organization,
                     target=organization, details={"step": step, "state": state})
    return organization


# --- members ---------------------------------------------------------------------------

def invite_member(actor: Membership, email: str, role: str, reports_to: Membership | None) -> Invitation:
    """Invite someone by email with a role and, optionally, a reporting manager."""
    if actor.role not in CAN_INVITE:
        raise PermissionDenied("Only owners, administrators and managers can invite.")
    if role not in GRANTABLE[Role(actor.role)]:
        raise ValidationError({"role": "You cannot grant this role."})
    email = email.strip().lower()
    organization = actor.organization
    if reports_to is not None and reports_to.organization_id != organization.pk:
        raise ValidationError({"reports_to": "Choose a manager from this organization."})
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError({"email": "This person is already a member."})
    if Invitation.objects.filter(organization=organization, email__iexact=email,
                                 accepted_at=None, revoked_at=None,
                                 expires_at__gt=timezone.now()).exists():
        raise ValidationError({"email": "An invitation to this address is already open."})
    limits.check(organization.pk, "members", 1, field="email")  # BI1: the plan's member limit
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organization=organization, email=email, role=role, reports_to=reports_to,
            invited_by=actor.user, invited_user=User.objects.filter(email__iexact=email).first(),
            token_hash=ApiToken.hash(raw), expires_at=timezone.now() + INVITATION_LIFETIME,
        )
        audit.record("accounts.member_invited", actor=actor.user, organization=organization,
                     target=invitation, details={"role": role})
        send_service_email(email, "invite", {"organization": organization, "inviter": actor.user,
                                             "token": raw, "role": Role(role).label})
    return invitation


def open_invitation(raw_token: str) -> Invitation | None:
    invitation = Invitation.objects.select_related("organization").filter(
        token_hash=ApiToken.hash(raw_token)).first()
    return invitation if invitation is not None and invitation.is_open else None


def accept_invitation(invitation: Invitation, user: User) -> Membership:
    """Join the organization; the invitation is for one email address and one use."""
    if not invitation.is_open:
        raise ValidationError("This invitation has expired or was already used.")
    if user.email.lower() != invitation.email.lower():
        raise PermissionDenied("This invitation was sent to another email address.")
    with transaction.atomic():
        updated = Invitation.objects.filter(pk=invitation.pk, accepted_at=None).update(
            accepted_at=timezone.now(), invited_user=user)
        if updated == 0:
            raise ValidationError("This invitation was already used.")
        if not user.is_active:
            user.is_active = True
            user.email_confirmed_at = user.email_confirmed_at or timezone.now()
            user.save(update_fields=["is_active", "email_confirmed_at"])
        membership = Membership.objects.create(
            organization=invitation.organization, user=user, role=invitation.role,
            reports_to=invitation.reports_to)
        audit.record("accounts.member_joined", actor=user, organization=invitation.organization,
                     subject=user, target=membership, details={"role": invitation.role})
    return membership


def register_invited_user(invitation: Invitation, first_name: str, last_name: str, password: str) -> Membership:
    """Create the account of an invited person (the emailed link proves the address)."""
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError("An account with this email exists: sign in to accept.")
    with transaction.atomic():
        user = User.objects.create_user(email=invitation.email, password=password,
                                        first_name=first_name, last_name=last_name)
        return accept_invitation(invitation, user)


def change_member(actor: Membership, member: Membership, role: str,
                  reports_to: Membership | None, can_see_report_locations: bool | None = None) -> Membership:
    """Change a member's role and reporting manager (administrators only)."""
    if actor.role not in ADMINISTRATORS:
        raise PermissionDenied("Only owners and administrators can change roles.")
    if member.organization_id != actor.organization_id:
        raise PermissionDenied
    if role not in GRANTABLE[Role(actor.role)]:
        raise ValidationError({"role": "You cannot grant this role."})
    if reports_to is not None and (reports_to.organization_id != member.organization_id or reports_to.pk == member.pk):
        raise ValidationError({"reports_to": "Choose another member of this organization."})
    if member.role == Role.OWNER and role != Role.OWNER:
        _ensure_another_owner(member)
    with transaction.atomic():
        before = {"role": member.role, "reports_to": member.reports_to_id}
        member.role, member.reports_to = role, reports_to
        if can_see_report_locations is not None:
            member.can_see_report_locations = can_see_report_locations
        member.save(update_fields=["role", "reports_to", "can_see_report_locations"])
        audit.record("accounts.member_changed", actor=actor.user, organization=member.organization,
                     subject=member.user_id, target=member,
                     details={"before": before, "role": role, "reports_to": member.reports_to_id,
                              "can_see_report_locations": member.can_see_report_locations})
    return member


def remove_member(actor: Membership, member: Membership) -> None:
    if actor.role not in ADMINISTRATORS:
        raise PermissionDenied("Only owners and administrators can remove members.")
    if member.organization_id != actor.organization_id:
        raise PermissionDenied
    if member.role == Role.OWNER:
        _ensure_another_owner(member)
    with transaction.atomic():
        audit.record("accounts.member_removed", actor=actor.user, organization=member.organization,
                     subject=member.user_id, target=member)
        member.delete()


def _ensure_another_owner(member: Membership) -> None:
    owners = Membership.objects.filter(organization=member.organization_id, role=Role.OWNER)
    if not owners.exclude(pk=member.pk).exists():
        raise ValidationError({"role": "An organization needs at least one owner."})


# --- API tokens and second factor --------------------------------------------------------

def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token; the raw value is shown once and only its hash is kept."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": "Name the token (1-100 characters)."})
    raw = "ofc_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, prefix=raw[:10], token_hash=ApiToken.hash(raw))
        audit.record("accounts.api_token_created", actor=user, subject=user, target=token)
    return token, raw


def revoke_api_token(user: User, token: ApiToken) -> None:
    if token.user_id != user.pk:
        raise PermissionDenied
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=timezone.now())
        audit.record("accounts.api_token_revoked", actor=user, subject=user, target=token)


def password_changed(user: User, how: str) -> int:
    """After a password change or reset: every API token stops working (a token outlives no
    password it was made under), and the person is told. Returns how many were revoked."""
    with transaction.atomic():
        revoked = ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())
        audit.record("accounts.password_reset" if how == "reset" else "accounts.password_changed",
                     actor=user, subject=user, details={"api_tokens_revoked": revoked})
        send_service_email(user.email, "password_changed", {"user": user, "how": how, "revoked": revoked})
    return revoked
