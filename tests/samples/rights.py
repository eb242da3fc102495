"""Alice's rights requests for the cross-tenant test: bob's access request (handled by alice's
organization) must be invisible to charlie, in the privacy center, the officer pages and the API."""

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
