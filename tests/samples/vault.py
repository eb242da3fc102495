"""Alice's legal hold for the cross-tenant test (retention pages under /o/<org>/privacy/holds/)."""

from datetime import timedelta

from django.utils import timezone

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
