"""Alice's legal hold for the cross-tenant test (retention pages under /o/<org>/privacy/holds/)."""

from datetime import timedelta

from django.utils import timezone
from tests.role_groups import PRIVACY_STAFF

from officium.privacy.retention import holds


def build(w):
    # The hold keeps the data of a member of its own, so tests that erase alice or bob through
    # the full world still see an erasure untouched by holds.
    from officium.accounts.models import Membership, User

    dora = User.objects.create_user("dora@alpha.example", None, first_name="Dora", is_active=True)
    Membership.objects.create(organization=w.alice_org, user=dora, role="member")
    w.alice_hold = holds.place_hold(
        actor_id=w.alice.pk, organization_id=w.alice_org.pk, subject_id=dora.pk,
        reason_kind="dispute", reason="Sample dispute",
        until=timezone.localdate() + timedelta(days=30))


SAMPLES = {
    "hold_id": lambda w: w.alice_hold.pk,
}


# Who gets through each route (SE2, tests/test_roles.py); the roles not listed are refused
# (401/403/404, or sent to sign in). A page's POST is sent empty, an API call with a body its
# schema accepts: a role gets through once the route takes up its input (a 400 naming the
# fields counts). Every route of the app is listed; a new one fails the test until it is.
ROLES = {
    "GET /o/<slug:org>/privacy/holds/": PRIVACY_STAFF,
    "POST /o/<slug:org>/privacy/holds/": PRIVACY_STAFF,
    "POST /o/<slug:org>/privacy/holds/<int:hold_id>/release/": PRIVACY_STAFF,
}
