"""Alice's account objects for the cross-tenant test."""

from officium.accounts import services
from officium.accounts.mfa.models import PasskeyDevice


def build(w):
    w.alice_token, _ = services.create_api_token(w.alice, "alice laptop")
    _, w.charlie_raw_token = services.create_api_token(w.charlie, "charlie script")
    w.alice_passkey = PasskeyDevice.objects.create(
        user=w.alice, name="Passkey 1", confirmed=True, credential_id=b"alice-credential",
        public_key=b"alice-public-key")


SAMPLES = {
    "org": lambda w: w.alice_org.slug,
    "member_id": lambda w: w.bob_membership.pk,
    "token_id": lambda w: w.alice_token.pk,
    "passkey_id": lambda w: w.alice_passkey.pk,
}

# Kwargs that carry a secret rather than an object id: the outsider gets a made-up value and
# must see an "invalid link" answer, never alice's data.
SECRETS = {
    "uidb64": lambda w: "Mg",
    "token": lambda w: "made-up-token",
}
