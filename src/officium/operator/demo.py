"""The operator's demo (`officium demo`, idempotent, UX1): a staff account (two-step sign-in
to enrol on first use), a live support grant from Acme, and a forum topic with a removal
request waiting."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from officium.accounts.models import Membership, Organization, User
from officium.accounts.roles import Role
from officium.operator.models import (
    ForumPost,
    ForumTopic,
    RemovalRequest,
    StaffAccount,
    SupportGrant,
)

STAFF_EMAIL = "support@operator.example"


@transaction.atomic
def seed_operator(password: str, slug: str = "acme") -> list[tuple[str, str, str]]:
    staff = User.objects.filter(email=STAFF_EMAIL).first()
    if staff is None:
        staff = User.objects.create_user(STAFF_EMAIL, password, first_name="Sam", last_name="Support",
                                         is_active=True, is_staff=True, email_confirmed_at=timezone.now())
        StaffAccount.objects.create(user=staff)
    organization = Organization.objects.filter(slug=slug).first()
    owner = Membership.objects.filter(organization=organization, role=Role.OWNER).select_related("user").first()
    if organization is not None and owner is not None and not SupportGrant.objects.filter(
            organization=organization, staff=staff).exists():
        SupportGrant.objects.create(organization=organization, staff=staff, granted_by=owner.user,
                                    areas=["members", "settings"], access="read",
                                    reason="Invitations to the Lisbon depot bounce",
                                    expires_at=timezone.now() + dt.timedelta(days=7))
    author = User.objects.filter(email="member1@acme.example").first()
    if author is not None and not ForumTopic.objects.exists():
        topic = ForumTopic.objects.create(author=author, title="Night shift shows on the wrong day?")
        post = ForumPost.objects.create(topic=topic, author=author, body=(
            "Our night shift from 22:00 counts on the day it starts. Is that right? "
            "I am Mina from the Berlin depot, happy to explain on a call."))
        ForumPost.objects.create(topic=topic, author=owner.user if owner else None, body=(
            "Yes: an overnight shift counts on the day it started (see Shifts)."))
        RemovalRequest.objects.create(post=post, requester=author, details="Please remove my name and depot.")
    return [(STAFF_EMAIL, "Platform staff", "(the operator)")]
