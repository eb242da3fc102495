"""Alice's privacy-engine objects for the cross-tenant test: a report that bob's account is a
child's, and a disclosure of bob's data recorded by alice."""

from django.utils import timezone
from tests.role_groups import EVERYONE, NOBODY, PRIVACY_STAFF, SIGNED_IN

from officium.accounts import age_gate
from officium.privacy import disclosures
from officium.privacy.models import ChildReport
from officium.privacy.notices import versions
from officium.privacy.office import breaches


def build(w):
    w.policy_version = versions.ensure_current_version()
    age_gate.report_child_account(w.bob.email)
    w.child_report = ChildReport.objects.get(organization=w.alice_org, account=w.bob)
    category = disclosures.disclosable_categories()[0][0]
    w.disclosure = disclosures.record_disclosure(
        w.alice_membership, recipient="Amtsgericht Alpha", legal_ground="court_order",
        disclosed_on=timezone.localdate(), categories=[category], subject_ids=[w.bob.pk])
    w.breach = breaches.record_breach(
        w.alice_membership, summary="Laptop lost", description="A laptop was left on a train.",
        discovered_at=timezone.now(), occurred_at=None, categories=["name"],
        subject_ids=[w.bob.pk], people_count=None, consequences="Names could be read.",
        measures="Disk was encrypted; remote wipe sent.", high_risk=False)


OFFICE = ("owner", "admin", "privacy_officer")

SAMPLES = {
    "report_id": lambda w: w.child_report.pk,
    "breach_id": lambda w: w.breach.pk,
}

# Policy versions are public (the notice of every version is readable by anyone), so they are
# not tenant objects: the outsider is sent a version that does not exist.
SECRETS = {
    "version_id": lambda w: 987654321,
}


# Who gets through each route (SE2, tests/test_roles.py); the roles not listed are refused
# (401/403/404, or sent to sign in). A page's POST is sent empty, an API call with a body its
# schema accepts: a role gets through once the route takes up its input (a 400 naming the
# fields counts). Every route of the app is listed; a new one fails the test until it is.
ROLES = {
    "GET /privacy/": EVERYONE,
    "POST /privacy/": EVERYONE,
    "GET /privacy/notice.md": EVERYONE,
    "POST /privacy/notice.md": EVERYONE,
    "GET /privacy/notice.json": EVERYONE,
    "POST /privacy/notice.json": EVERYONE,
    "GET /privacy/ropa.csv": EVERYONE,
    "POST /privacy/ropa.csv": EVERYONE,
    "GET /privacy/ropa.json": EVERYONE,
    "POST /privacy/ropa.json": EVERYONE,
    "GET /privacy/versions/": EVERYONE,
    "POST /privacy/versions/": EVERYONE,
    "GET /privacy/versions/<int:version_id>/": NOBODY,
    "POST /privacy/versions/<int:version_id>/": NOBODY,
    "POST /privacy/versions/<int:version_id>/decide/": NOBODY,
    "GET /privacy/my-reads/": SIGNED_IN,
    "POST /privacy/my-reads/": SIGNED_IN,
    "GET /privacy/report-child/": EVERYONE,
    "POST /privacy/report-child/": EVERYONE,
    "GET /o/<slug:org>/privacy/disclosures/": PRIVACY_STAFF,
    "POST /o/<slug:org>/privacy/disclosures/": PRIVACY_STAFF,
    "GET /o/<slug:org>/privacy/child-reports/": PRIVACY_STAFF,
    "GET /o/<slug:org>/privacy/child-reports/<int:report_id>/": PRIVACY_STAFF,
    "POST /o/<slug:org>/privacy/child-reports/<int:report_id>/": PRIVACY_STAFF,
    # The privacy office (PV1): owners, administrators and privacy officers.
    "GET /o/<slug:org>/privacy/audit/": OFFICE,
    "POST /o/<slug:org>/privacy/audit/": OFFICE,
    "GET /o/<slug:org>/privacy/audit.csv": OFFICE,
    "POST /o/<slug:org>/privacy/audit.csv": OFFICE,
    "GET /o/<slug:org>/privacy/data-map/": OFFICE,
    # PV2: the organization's own Art. 30 record, and its postal address and DPO.
    "GET /o/<slug:org>/privacy/ropa.json": OFFICE,
    "GET /o/<slug:org>/privacy/controller/": PRIVACY_STAFF,
    "POST /o/<slug:org>/privacy/controller/": PRIVACY_STAFF,
    # PV5: the breach register, kept by the owner and privacy officers.
    "GET /o/<slug:org>/privacy/breaches/": PRIVACY_STAFF,
    "POST /o/<slug:org>/privacy/breaches/": PRIVACY_STAFF,
    "GET /o/<slug:org>/privacy/breaches/<int:breach_id>/": PRIVACY_STAFF,
    "POST /o/<slug:org>/privacy/breaches/<int:breach_id>/": PRIVACY_STAFF,
    # PV6: statistics under differential privacy; the releases themselves are public.
    "GET /o/<slug:org>/privacy/releases/": PRIVACY_STAFF,
    "POST /o/<slug:org>/privacy/releases/": PRIVACY_STAFF,
    "GET /privacy/statistics/": EVERYONE,
    "POST /privacy/statistics/": EVERYONE,
}
