"""Roles of a membership and what each may do; one table, read by services and views."""

from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Administrator"
    PRIVACY_OFFICER = "privacy_officer", "Privacy officer"
    MANAGER = "manager", "Manager"
    MEMBER = "member", "Member"
    CLIENT = "client", "Client contact"


ADMINISTRATORS = (Role.OWNER, Role.ADMIN)
CAN_INVITE = (Role.OWNER, Role.ADMIN, Role.MANAGER)
CAN_SEE_MEMBERS = (Role.OWNER, Role.ADMIN, Role.PRIVACY_OFFICER, Role.MANAGER, Role.MEMBER)
PRIVACY_STAFF = (Role.OWNER, Role.PRIVACY_OFFICER)
# Roles that work for the organization: they clock in and see attendance (WT3). Client
# contacts are outsiders with a login; a role added later is non-working until listed here.
WORKING_ROLES = (Role.OWNER, Role.ADMIN, Role.PRIVACY_OFFICER, Role.MANAGER, Role.MEMBER)

# Which roles an inviter may hand out: nobody creates a role above their own.
GRANTABLE = {
    Role.OWNER: tuple(Role),
    Role.ADMIN: (Role.ADMIN, Role.PRIVACY_OFFICER, Role.MANAGER, Role.MEMBER, Role.CLIENT),
    Role.MANAGER: (Role.MEMBER, Role.CLIENT),
}
