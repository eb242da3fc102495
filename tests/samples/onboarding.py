"""Onboarding routes (UX2): administrators set the organization up."""

from tests.role_groups import ADMINS


def build(w):
    pass


SAMPLES = {
    "setup_step": lambda w: "time_zone",
}

ROLES = {
    "GET /o/<slug:org>/welcome/": ADMINS,
    "POST /o/<slug:org>/welcome/dismiss/": ADMINS,
    "GET /o/<slug:org>/welcome/<str:setup_step>/": ADMINS,
    "POST /o/<slug:org>/welcome/<str:setup_step>/": ADMINS,
}
