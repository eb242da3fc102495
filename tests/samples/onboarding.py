"""Onboarding routes (UX2): administrators set the organization up."""

from tests.role_groups import ADMINS


def build(w):
    pass


# A step's name is not an object of alice's: listed with the secrets (plain values), so the
# cross-tenant test does not expect charlie's own organization to answer 404 for it.
SECRETS = {
    "setup_step": lambda w: "time_zone",
}

ROLES = {
    "GET /o/<slug:org>/welcome/": ADMINS,
    "POST /o/<slug:org>/welcome/dismiss/": ADMINS,
    "GET /o/<slug:org>/welcome/<str:setup_step>/": ADMINS,
    "POST /o/<slug:org>/welcome/<str:setup_step>/": ADMINS,
}
