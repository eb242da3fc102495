"""Alice's privacy-engine objects for the cross-tenant test: a report that bob's account is a
child's, and a disclosure of bob's data recorded by alice."""

from django.utils import timezone

from officium.accounts import age_gate
from officium.privacy import disclosures
from officium.privacy.models import ChildReport
from officium.privacy.notices import versions


def build(w):
    w.policy_version = versions.ensure_current_version()
    age_gate.report_child_account(w.bob.email)
    w.child_report = ChildReport.objects.get(organization=w.alice_org, account=w.bob)
    category = disclosures.disclosable_categories()[0][0]
    w.disclosure = disclosures.record_disclosure(
        w.alice_membership, recipient="Amtsgericht Alpha", legal_ground="court_order",
        disclosed_on=timezone.localdate(), categories=[category], subject_ids=[w.bob.pk])


SAMPLES = {
    "report_id": lambda w: w.child_report.pk,
}

# Policy versions are public (the notice of every version is readable by anyone), so they are
# not tenant objects: the outsider is sent a version that does not exist.
SECRETS = {
    "version_id": lambda w: 987654321,
}
