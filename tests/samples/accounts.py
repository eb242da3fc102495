"""Alice's account objects for the cross-tenant test."""

from tests.role_groups import ADMINS, EDITORS, EVERYONE, MEMBERS, NOBODY, SIGNED_IN, STAFF

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

# Body properties that name an object: the cross-tenant test fills them with alice's object
# (property -> the URL kwarg whose sample is the same kind of object).
BODY_FIELDS = {
    "reports_to": "member_id",
}


# Who gets through each route (SE2, tests/test_roles.py); the roles not listed are refused
# (401/403/404, or sent to sign in). A page's POST is sent empty, an API call with a body its
# schema accepts: a role gets through once the route takes up its input (a 400 naming the
# fields counts). Every route of the app is listed; a new one fails the test until it is.
ROLES = {
    "GET /api/openapi.json": EVERYONE,
    "POST /api/openapi.json": EVERYONE,
    "GET /api/docs": EVERYONE,
    "POST /api/docs": EVERYONE,
    "GET /api/orgs": SIGNED_IN,
    "GET /api/orgs/<slug:org>": MEMBERS,
    "GET /api/orgs/<slug:org>/members": STAFF,
    "POST /api/orgs/<slug:org>/members": EDITORS,
    "GET /api/orgs/<slug:org>/members/<int:member_id>": STAFF,
    "PATCH /api/orgs/<slug:org>/members/<int:member_id>": ADMINS,
    "DELETE /api/orgs/<slug:org>/members/<int:member_id>": ADMINS,
    "GET /api/": NOBODY,
    "POST /api/": NOBODY,
    "GET /": SIGNED_IN,
    "POST /": SIGNED_IN,
    "GET /accounts/signup/": EVERYONE,
    "POST /accounts/signup/": EVERYONE,
    "GET /accounts/confirm/<str:uidb64>/<str:token>/": NOBODY,
    "POST /accounts/confirm/<str:uidb64>/<str:token>/": NOBODY,
    "GET /accounts/login/": EVERYONE,
    "POST /accounts/login/": EVERYONE,
    "GET /accounts/login/verify/": NOBODY,
    "POST /accounts/login/verify/": NOBODY,
    "POST /accounts/logout/": NOBODY,
    "GET /accounts/password/": SIGNED_IN,
    "POST /accounts/password/": SIGNED_IN,
    "GET /accounts/password/reset/": EVERYONE,
    "POST /accounts/password/reset/": EVERYONE,
    "GET /accounts/password/reset/sent/": EVERYONE,
    "GET /accounts/password/reset/<uidb64>/<token>/": EVERYONE,
    "POST /accounts/password/reset/<uidb64>/<token>/": EVERYONE,
    "GET /accounts/security/": SIGNED_IN,
    "POST /accounts/security/": SIGNED_IN,
    "GET /accounts/security/two-step/": SIGNED_IN,
    "POST /accounts/security/two-step/": SIGNED_IN,
    "POST /accounts/security/two-step/passkeys/options/": SIGNED_IN,
    "POST /accounts/security/two-step/passkeys/": SIGNED_IN,
    "POST /accounts/security/two-step/passkeys/<int:passkey_id>/remove/": ("owner",),
    # the passkey sign-in step answers anyone (it is what signs a person in)
    "POST /accounts/login/passkey/options/": EVERYONE,
    "POST /accounts/login/passkey/": EVERYONE,
    # platform staff only: every organization role gets the 404 a missing page gets
    "GET /mail/outbox/": NOBODY,
    "POST /mail/outbox/": NOBODY,
    "GET /accounts/cancel/": SIGNED_IN,
    "POST /accounts/cancel/": SIGNED_IN,
    "POST /accounts/security/tokens/<int:token_id>/revoke/": ("owner",),
    "GET /accounts/invitations/<str:token>/": NOBODY,
    "POST /accounts/invitations/<str:token>/": NOBODY,
    "GET /o/<slug:org>/": MEMBERS,
    "GET /o/<slug:org>/members/": STAFF,
    "GET /o/<slug:org>/terminate/": ("owner",),
    "POST /o/<slug:org>/terminate/": ("owner",),
    "GET /o/<slug:org>/members/invite/": EDITORS,
    "POST /o/<slug:org>/members/invite/": EDITORS,
    "GET /o/<slug:org>/members/<int:member_id>/": ADMINS,
    "POST /o/<slug:org>/members/<int:member_id>/": ADMINS,
    "POST /o/<slug:org>/members/<int:member_id>/remove/": ADMINS,
    "PATCH /api/orgs/<slug:org>": ADMINS,
    "GET /o/<slug:org>/settings/": ADMINS,
    "POST /o/<slug:org>/settings/": ADMINS,
}
