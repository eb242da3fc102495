"""Operator objects for the cross-tenant and role tests (OP1-OP4)."""

from datetime import timedelta

from django.utils import timezone
from tests.role_groups import ADMINS, EVERYONE, NOBODY, SIGNED_IN

from officium.accounts.models import User
from officium.operator.models import ForumPost, ForumTopic, RemovalRequest, SupportGrant


def build(w):
    staff = User.objects.create_user("staff@operator.example", "x-unused-password", is_active=True, is_staff=True)
    w.grant = SupportGrant.objects.create(organization=w.alice_org, staff=staff, granted_by=w.alice,
                                          areas=["members"], reason="Help with invitations",
                                          expires_at=timezone.now() + timedelta(days=1))
    w.topic = ForumTopic.objects.create(author=w.bob, title="Exporting timesheets")
    w.post = ForumPost.objects.create(topic=w.topic, author=w.bob, body="How do I export a month?")
    w.removal = RemovalRequest.objects.create(post=w.post, requester=w.bob, details="my name")


SAMPLES = {
    "org_id": lambda w: w.alice_org.pk,
    "grant_id": lambda w: w.grant.pk,
    "removal_id": lambda w: w.removal.pk,
}

# The forum is public (not any organization's data); an area is a word, not an object.
SECRETS = {
    "topic_id": lambda w: w.topic.pk,
    "post_id": lambda w: w.post.pk,
    "area": lambda w: "members",
}

# OP1/OP2: the console and support views are for platform staff only (no organization role
# reaches them: 404). Admins grant and revoke. OP4: anyone reads the forum, the signed-in
# post, and only a post's author (bob, the member) asks for its removal.
ROLES = {
    "GET /operator/": NOBODY,
    "POST /operator/": NOBODY,
    "POST /operator/orgs/<int:org_id>/": NOBODY,
    "POST /operator/forum/removals/": NOBODY,
    "GET /operator/forum/removals/<int:removal_id>/decide/": NOBODY,
    "GET /operator/orgs/<int:org_id>/": NOBODY,
    "GET /operator/support/<int:org_id>/<slug:area>/": NOBODY,
    "POST /operator/support/<int:org_id>/<slug:area>/": NOBODY,
    "GET /operator/forum/removals/": NOBODY,
    "POST /operator/forum/removals/<int:removal_id>/decide/": NOBODY,
    "GET /o/<slug:org>/support-access/": ADMINS,
    "POST /o/<slug:org>/support-access/": ADMINS,
    "POST /o/<slug:org>/support-access/<int:grant_id>/revoke/": ADMINS,
    "GET /forum/": EVERYONE,
    "GET /forum/new/": SIGNED_IN,
    "POST /forum/new/": SIGNED_IN,
    "GET /forum/t/<int:topic_id>/": EVERYONE,
    "POST /forum/t/<int:topic_id>/": SIGNED_IN,
    "GET /forum/p/<int:post_id>/removal/": ("member",),
    "POST /forum/p/<int:post_id>/removal/": ("member",),
    "GET /forum/removals/": SIGNED_IN,
}
