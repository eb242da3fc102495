"""Organizations are the tenants; a user may belong to several through memberships."""

from __future__ import annotations

import hashlib
from typing import ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone

from officium.accounts.roles import WORKING_ROLES, Role
from officium.accounts.tenancy import TenantModel
from officium.privacy.access import PurposeManager, PurposeQuerySet
from officium.privacy.registry import NOT_PERSONAL, SELF, exempt, personal_data
from officium.privacy.vault.fields import BlindIndexField, EncryptedTextField


class OrganizationStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    TERMINATED = "terminated", "Terminated (grace period)"
    DELETED = "deleted", "Deleted"


class Plan(models.TextChoices):
    FREE = "free", "Free"
    STANDARD = "standard", "Standard"
    ENTERPRISE = "enterprise", "Enterprise"


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=63, unique=True)
    country = models.CharField(max_length=2, blank=True)
    employee_count = models.PositiveIntegerField(null=True, blank=True)
    industry = models.CharField(max_length=100, blank=True)
    preferred_domain = models.CharField(max_length=63, blank=True)
    address = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=100, blank=True)
    zip_code = models.CharField(max_length=20, blank=True)
    plan = models.CharField(max_length=20, choices=Plan.choices, default=Plan.FREE)
    time_zone = models.CharField(
        max_length=64, default="UTC",
        help_text="IANA zone name (e.g. Europe/Berlin): days, schedules and every time shown use it (WT1).")
    status = models.CharField(
        max_length=20, choices=OrganizationStatus.choices, default=OrganizationStatus.ACTIVE
    )
    created_at = models.DateTimeField(default=timezone.now)
    terminated_at = models.DateTimeField(null=True, blank=True)
    # UX3: a small logo shown in the header (PNG, JPEG or WebP, checked by its first bytes).
    logo = models.BinaryField(blank=True, default=b"", editable=True)
    logo_type = models.CharField(max_length=20, blank=True)
    # UX2: onboarding steps done or skipped ({"time_zone": "done", "site": "skipped", ...}).
    onboarding = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager.from_queryset(PurposeQuerySet)):  # type: ignore[misc]
    """Users, with purpose-bound reads (``User.objects.for_purpose(actor, purpose)``)."""

    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> User:
        if not email:
            raise ValueError("A user needs an email address.")
        user: User = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> User:
        fields.update(is_staff=True, is_superuser=True, email_confirmed_at=timezone.now())
        return self.create_user(email, password, **fields)


@personal_data(
    subject=SELF,
    fields={
        "password": NOT_PERSONAL,
        "last_login": "pd:AuthenticationHistory",
        "is_superuser": NOT_PERSONAL,
        "email": "pd:EmailAddress",
        "username": "pd:Username",
        "first_name": "pd:Name",
        "last_name": "pd:Name",
        "phone": "pd:TelephoneNumber",
        "phone_index": NOT_PERSONAL,  # keyed HMAC for exact lookups; useless without the vault
        "position": "pd:Job",
        "contact_channels": "pd:Preference",
        "is_active": NOT_PERSONAL,
        "is_staff": NOT_PERSONAL,
        "date_joined": NOT_PERSONAL,
        "email_confirmed_at": NOT_PERSONAL,
    },
    retention_anchor="date_joined",
    data_type="account",
    collected_if={"username": "username", "position": "position", "contact_channels": "contact_channels"},
)
class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    username = models.CharField(max_length=150, unique=True, null=True, blank=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    phone = EncryptedTextField(max_length=32, blank=True)  # SE2: sealed under the user's key
    phone_index = BlindIndexField(source="phone", normalize="officium.privacy.vault.fields.normalize_phone")
    position = models.CharField(max_length=150, blank=True)
    contact_channels = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=False)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    email_confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        # The rights export finds a person by address, case-insensitively (UPPER(email)).
        indexes = [models.Index(Upper("email"), name="accounts_user_email_ci")]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email


@personal_data(
    subject="user",
    fields={
        "organization": NOT_PERSONAL,
        "user": NOT_PERSONAL,
        "role": "pd:GroupMembership",
        "reports_to": "pd:CurrentEmployment",
        "created_at": NOT_PERSONAL,
        "can_see_report_locations": NOT_PERSONAL,
    },
    retention_anchor="created_at",
    data_type="membership",
)
class Membership(TenantModel):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    reports_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    objects: ClassVar[PurposeManager[Membership]] = PurposeManager()

    can_see_report_locations = models.BooleanField(
        default=False, help_text="Granted by an administrator: see reports' check-in locations."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="one_membership_per_org")
        ]
        ordering = ["user__last_name", "user__first_name", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} as {self.role}"

    @property
    def clocks_in(self) -> bool:
        """Whether this role works for the organization and so checks in (WT3): not clients."""
        return self.role in WORKING_ROLES


@personal_data(
    subject="invited_user",
    fields={
        "organization": NOT_PERSONAL,
        "email": "pd:EmailAddress",
        "role": "pd:GroupMembership",
        "reports_to": NOT_PERSONAL,
        "invited_by": NOT_PERSONAL,
        "invited_user": NOT_PERSONAL,
        "token_hash": NOT_PERSONAL,
        "created_at": NOT_PERSONAL,
        "expires_at": NOT_PERSONAL,
        "accepted_at": NOT_PERSONAL,
        "revoked_at": NOT_PERSONAL,
    },
    retention_anchor="created_at",
    data_type="invitation",
)
class Invitation(TenantModel):
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    reports_to = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    invited_user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(Upper("email"), name="accounts_invitation_email_ci")]

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


@exempt("A hash of a secret and its name; who owns it is an id.")
class ApiToken(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()


# The second-factor devices live in accounts/mfa/ and belong to this app.
from officium.accounts.mfa.models import (  # noqa: E402, F401
    PasskeyDevice,
    RecoveryCode,
    RecoveryDevice,
    TotpDevice,
)
