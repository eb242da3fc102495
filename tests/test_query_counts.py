"""The hot pages cost the same number of queries for 2 rows as for 20: check-in (sites),
the attendance list (check-ins), the officer queue (rights requests), a portal space (files).
A loop that queries per row fails here before it is felt in production."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests import factories

from officium.accounts.roles import Role
from officium.portal import uploads

pytestmark = pytest.mark.django_db

CEILING = 20  # 11-14 today; no hot page needs more, whatever the rows


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def flat(client, url: str, add_rows: Callable[[int], None],
         django_assert_max_num_queries) -> None:
    add_rows(2)
    client.get(url)  # warm: per-process caches (policy, keys) are not the page's cost
    with django_assert_max_num_queries(CEILING):
        two = queries_for(client, url)
    add_rows(18)
    with django_assert_max_num_queries(CEILING):
        twenty = queries_for(client, url)
    assert twenty == two, f"{url}: {two} queries with 2 rows, {twenty} with 20"


def test_check_in_page_is_flat_in_sites(alice_org, bob_client, django_assert_max_num_queries):
    def add(n: int) -> None:
        for i in range(n):
            factories.site(alice_org, name=f"Site {i} {factories.next_number()}")

    flat(bob_client, "/o/alpha/attendance/check-in/", add, django_assert_max_num_queries)


def test_attendance_list_is_flat_in_check_ins(alice_org, alice_client, django_assert_max_num_queries):
    people = [factories.member(alice_org, Role.MEMBER) for _ in range(20)]
    taken = iter(people)

    def add(n: int) -> None:
        for _ in range(n):
            factories.check_in(next(taken))

    flat(alice_client, "/o/alpha/attendance/", add, django_assert_max_num_queries)


def test_officer_queue_is_flat_in_requests(alice_org, alice, alice_client,
                                           django_assert_max_num_queries):
    officer = alice.memberships.get()

    def add(n: int) -> None:
        for _ in range(n):
            factories.rights_request(officer, factories.member(alice_org, Role.MEMBER))

    flat(alice_client, "/o/alpha/privacy/requests/", add, django_assert_max_num_queries)


def test_portal_space_is_flat_in_files(alice, alice_client, django_assert_max_num_queries):
    owner = alice.memberships.get()
    space = factories.space(owner)

    def add(n: int) -> None:
        for _ in range(n):
            data = f"file {factories.next_number()}".encode()
            upload = uploads.start_upload(owner, space, name=f"f{factories.next_number()}.txt",
                                          size=len(data), sha256=hashlib.sha256(data).hexdigest())
            uploads.receive_chunk(owner, upload, 0, io.BytesIO(data), len(data))

    flat(alice_client, f"/o/alpha/portal/spaces/{space.pk}/", add, django_assert_max_num_queries)
