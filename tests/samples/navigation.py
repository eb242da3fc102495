"""Alice's organization logo (UX3) for the role and cross-tenant tests."""

from tests.role_groups import MEMBERS

from officium.accounts.models import Organization

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def build(w):
    Organization.objects.filter(pk=w.alice_org.pk).update(logo=PNG, logo_type="image/png")


ROLES = {
    "GET /o/<slug:org>/logo/": MEMBERS,
}
