"""Alice's consent records for the cross-tenant test (no URL kwargs: choices are POST fields)."""

from officium.privacy.consent import services
from officium.privacy.consent.ledger import Subject


def build(w):
    services.set_cookie_choice(Subject.of(w.alice), ["analytics"])
    services.record_signup_consents(w.alice, ["email"])


SAMPLES: dict = {}
SECRETS: dict = {}
