"""Issue 13 item 4: scope applied once. ``restrict`` (API handlers) and
``OrganizationMixin.scoped`` (pages) keep the acting organization's rows and, with a declared
purpose, read through ``for_purpose``; nothing else decides tenancy for a list."""

from __future__ import annotations

import pytest
from tests import factories

from officium.accounts.roles import Role
from officium.accounts.scoping import OrganizationMixin, restrict
from officium.attendance.models import AttendanceRecord, Site
from officium.privacy.access import UndeclaredPurpose

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_tenants(alice, charlie):
    mine, theirs = alice.memberships.get(), charlie.memberships.get()
    return mine, theirs, factories.site(mine.organization), factories.site(theirs.organization)


def test_SE3_restrict_keeps_the_actors_organization_only(two_tenants):
    mine, theirs, my_site, their_site = two_tenants
    assert list(restrict(Site.objects.all(), mine)) == [my_site]
    assert list(restrict(Site.objects.all(), theirs)) == [their_site]


def test_SE1_restrict_with_a_purpose_reads_through_for_purpose(two_tenants, alice_org):
    mine, theirs, my_site, their_site = two_tenants
    worker = factories.member(alice_org, Role.MEMBER)
    ours = [factories.check_in(mine, my_site), factories.check_in(worker, my_site)]
    factories.check_in(theirs, their_site)
    for actor in (mine, worker):  # the owner and a member: the purpose's rules decide
        expected = list(AttendanceRecord.objects.for_purpose(actor, "attendance").order_by("pk"))
        assert list(restrict(AttendanceRecord.objects.all(), actor, "attendance").order_by("pk")) == expected
        assert {c.pk for c in expected} <= {c.pk for c in ours}
    with pytest.raises(UndeclaredPurpose):
        restrict(AttendanceRecord.objects.all(), mine, "no-such-purpose")


def test_a_purpose_on_a_model_without_a_purpose_manager_is_an_error(two_tenants):
    mine = two_tenants[0]
    with pytest.raises(TypeError):
        restrict(Site.objects.all(), mine, "attendance")


def test_pages_scope_with_their_declared_purpose(two_tenants):
    mine, theirs, my_site, their_site = two_tenants
    factories.check_in(mine, my_site)
    factories.check_in(theirs, their_site)

    class Page(OrganizationMixin):
        purpose = "attendance"

    page = Page()
    page.membership, page.organization = mine, mine.organization
    assert {c.organization_id for c in page.scoped(AttendanceRecord.objects.all())} == {mine.organization_id}
    page.purpose = "no-such-purpose"
    with pytest.raises(UndeclaredPurpose):
        page.scoped(AttendanceRecord.objects.all())
