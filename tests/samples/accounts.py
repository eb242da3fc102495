"""Alice's account objects for the cross-tenant test."""

from officium.accounts import services


def build(w):
    w.alice_token, _ = services.create_api_token(w.alice, "alice laptop")
    _, w.charlie_raw_token = services.create_api_token(w.charlie, "charlie script")


SAMPLES = {
    "org": lambda w: w.alice_org.slug,
    "member_id": lambda w: w.bob_membership.pk,
    "token_id": lambda w: w.alice_token.pk,
}

# Kwargs that carry a secret rather than an object id: the outsider gets a made-up value and
# must see an "invalid link" answer, never alice's data.
SECRETS = {
    "uidb64": lambda w: "Mg",
    "token": lambda w: "made-up-token",
}

# Body properties that name an object: the cross-tenant test fills them with alice's object
# (property -> the URL kwarg whose sample is the same kind of object).
BODY_FIELDS = {
    "reports_to": "member_id",
}
