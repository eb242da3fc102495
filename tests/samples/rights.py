"""Alice's rights requests for the cross-tenant test: bob's access request (handled by alice's
organization) must be invisible to charlie, in the privacy center, the officer pages and the API."""

from tests.role_groups import EVERYONE, NOBODY, PRIVACY_STAFF, SIGNED_IN

from officium.privacy.rights import intake


def build(w):
    w.rights_request = intake.file_by_officer(
        w.alice_membership, w.bob_membership, request_type="do_you_hold_my_data",
        country="DE", details="")


SAMPLES = {
    "rights_request_id": lambda w: w.rights_request.pk,
}

# The public reference is a secret capability: the outsider gets a made-up one.
SECRETS = {
    "rights_ref": lambda w: "0123456789abcdef",
}

BODY_FIELDS = {
    "member_id": "member_id",
}


# Who gets through each route (SE2, tests/test_roles.py); the roles not listed are refused
# (401/403/404, or sent to sign in). A page's POST is sent empty, an API call with a body its
# schema accepts: a role gets through once the route takes up its input (a 400 naming the
# fields counts). Every route of the app is listed; a new one fails the test until it is.
ROLES = {
    "GET /api/privacy/rights/requests": SIGNED_IN,
    "POST /api/privacy/rights/requests": SIGNED_IN,
    "GET /api/privacy/rights/requests/<rights_request_id>": ("member",),
    "POST /api/privacy/rights/requests/<rights_request_id>/verify": ("member",),
    "POST /api/privacy/rights/requests/<rights_request_id>/withdraw": ("member",),
    "POST /api/privacy/rights/public/requests": EVERYONE,
    "POST /api/privacy/rights/public/requests/<rights_ref>/verify": NOBODY,
    "GET /api/privacy/rights/o/<org>/requests": PRIVACY_STAFF,
    "POST /api/privacy/rights/o/<org>/requests": PRIVACY_STAFF,
    "GET /api/privacy/rights/o/<org>/requests/<rights_request_id>": PRIVACY_STAFF,
    "POST /api/privacy/rights/o/<org>/requests/<rights_request_id>/decisions": PRIVACY_STAFF,
    "GET /privacy/center/": SIGNED_IN,
    "POST /privacy/center/": SIGNED_IN,
    "GET /privacy/center/correct/": SIGNED_IN,
    "POST /privacy/center/correct/": SIGNED_IN,
    "GET /privacy/center/requests/<int:rights_request_id>/": ("member",),
    "POST /privacy/center/requests/<int:rights_request_id>/": ("member",),
    "GET /privacy/center/requests/<int:rights_request_id>/status.json": ("member",),
    "POST /privacy/center/requests/<int:rights_request_id>/status.json": ("member",),
    "GET /privacy/center/requests/<int:rights_request_id>/download/": NOBODY,
    "POST /privacy/center/requests/<int:rights_request_id>/download/": NOBODY,
    "POST /privacy/center/requests/<int:rights_request_id>/withdraw/": ("member",),
    "GET /privacy/request/": EVERYONE,
    "POST /privacy/request/": EVERYONE,
    "GET /privacy/request/<str:rights_ref>/": NOBODY,
    "POST /privacy/request/<str:rights_ref>/": NOBODY,
    "GET /privacy/request/<str:rights_ref>/download/": NOBODY,
    "POST /privacy/request/<str:rights_ref>/download/": NOBODY,
    "GET /privacy/platform/requests/": NOBODY,
    "POST /privacy/platform/requests/": NOBODY,
    "GET /o/<slug:org>/privacy/requests/": PRIVACY_STAFF,
    "GET /o/<slug:org>/privacy/requests/new/": PRIVACY_STAFF,
    "POST /o/<slug:org>/privacy/requests/new/": PRIVACY_STAFF,
    "GET /o/<slug:org>/privacy/requests/<int:rights_request_id>/": PRIVACY_STAFF,
    "POST /o/<slug:org>/privacy/requests/<int:rights_request_id>/": PRIVACY_STAFF,
}
