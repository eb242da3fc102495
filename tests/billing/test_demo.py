"""UX1 (this part): the demo organization has paid invoices, a month of usage, a support grant
and a forum topic with a removal request; seeding twice adds nothing."""

from __future__ import annotations

import pytest

from officium.accounts.demo import DEMO_PASSWORD, seed_demo
from officium.accounts.models import Organization
from officium.billing.demo import seed_billing
from officium.billing.models import Invoice, UsageDay
from officium.operator.demo import seed_operator
from officium.operator.models import ForumTopic, RemovalRequest, SupportGrant


@pytest.mark.django_db
def test_UX1_billing_and_operator_demo_is_idempotent():
    for _ in range(2):
        seed_demo()
        seed_billing()
        logins = seed_operator(DEMO_PASSWORD)
    acme = Organization.objects.get(slug="acme")
    assert acme.plan == "standard"
    assert list(Invoice.objects.filter(organization=acme).values_list("status", flat=True)) == ["paid"] * 3
    assert UsageDay.objects.filter(organization=acme).count() == 30
    assert SupportGrant.objects.filter(organization=acme).count() == 1
    assert ForumTopic.objects.count() == 1 and RemovalRequest.objects.filter(status="pending").count() == 1
    assert logins[0][0] == "support@operator.example"
