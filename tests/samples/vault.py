"""Alice's legal hold for the cross-tenant test (retention pages under /o/<org>/privacy/holds/)."""

from datetime import timedelta

from django.utils import timezone

from officium.privacy.retention import holds


def build(w):
    w.alice_hold = holds.place_hold(
        actor_id=w.alice.pk, organization_id=w.alice_org.pk, subject_id=w.bob.pk,
        reason_kind="dispute", reason="Sample dispute",
        until=timezone.localdate() + timedelta(days=30))


SAMPLES = {
    "hold_id": lambda w: w.alice_hold.pk,
}
