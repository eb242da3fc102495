"""Alice's consent records for the cross-tenant test (no URL kwargs: choices are POST fields)."""

from tests.role_groups import EVERYONE, SIGNED_IN

from officium.privacy.consent import services
from officium.privacy.consent.ledger import Subject


def build(w):
    services.set_cookie_choice(Subject.of(w.alice), ["analytics"])
    services.record_signup_consents(w.alice, ["email"])


SAMPLES: dict = {}
SECRETS: dict = {}


# Who gets through each route (SE2, tests/test_roles.py); the roles not listed are refused
# (401/403/404, or sent to sign in). A page's POST is sent empty, an API call with a body its
# schema accepts: a role gets through once the route takes up its input (a 400 naming the
# fields counts). Every route of the app is listed; a new one fails the test until it is.
ROLES = {
    "GET /privacy/cookies/": EVERYONE,
    "POST /privacy/cookies/": EVERYONE,
    "GET /privacy/consent/": SIGNED_IN,
    "POST /privacy/consent/": SIGNED_IN,
    "GET /privacy/consent/receipts.json": SIGNED_IN,
    "GET /.well-known/gpc.json": EVERYONE,
}
