"""The operations endpoints (SC2): no objects, no URL kwargs."""

from tests.role_groups import EVERYONE, NOBODY


def build(w):
    pass


SAMPLES: dict = {}
SECRETS: dict = {}

# /healthz and /readyz answer anyone (they name no person); /metrics is a 404 without a
# configured token (and a 401 without the bearer token when one is set).
ROLES = {
    "GET /healthz": EVERYONE,
    "GET /readyz": EVERYONE,
    "GET /metrics": NOBODY,
}
