"""FW6: the dispatcher board shows the day's tasks by member and status, flags late ones,
reassigns, and shows last known positions only to entitled readers (audited reads)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests import factories
from tests.fieldwork.conftest import HQ

from officium.accounts import localtime
from officium.accounts.models import Membership
from officium.fieldwork import services
from officium.privacy.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_FW6_board_groups_by_member_and_flags_late_tasks(alice_m, bob_m, alice_client):
    past = datetime.now(UTC) - timedelta(hours=2)
    late = services.create_task(alice_m, services.TaskData(title="Overdue", assignee_ids=(bob_m.pk,),
                                                           window_start=past, window_end=past + timedelta(hours=1)))
    services.create_task(alice_m, services.TaskData(title="Nobody yet", window_start=past))
    # The board of the local day the tasks were due (shortly after midnight that is yesterday).
    day = past.astimezone(localtime.zone_for(alice_m.organization)).date().isoformat()
    board = alice_client.get("/api/fieldwork/orgs/alpha/dispatch", {"day": day}).json()
    rows = {r["member"]: r for r in board["rows"]}
    assert [t["title"] for t in rows["Bob Berg"]["tasks"]] == ["Overdue"] and rows["Bob Berg"]["tasks"][0]["late"]
    assert [t["title"] for t in rows["Unassigned"]["tasks"]] == ["Nobody yet"]
    page = alice_client.get("/o/alpha/dispatch/", {"day": day})
    assert page.status_code == 200 and b"Late" in page.content and b"Last known positions" in page.content
    assert late.pk


def test_FW6_reassignment_from_the_board(alice_m, task, berlin, alice_client):
    dora = factories.member(berlin)
    response = alice_client.post(f"/o/alpha/tasks/{task.pk}/assignees/", {"assignees": [str(dora.pk)], "next": "dispatch"})
    assert response.status_code == 302 and response["Location"].endswith("/dispatch/")
    assert list(task.assignments.values_list("member_id", flat=True)) == [dora.pk]


def test_FW6_positions_only_for_entitled_readers_and_audited(alice_m, bob_m, task, alice_client):
    services.add_entry(bob_m, task, note="here", fix=HQ)
    assert alice_client.get("/api/fieldwork/orgs/alpha/dispatch").json()["positions"] == []  # no right yet
    Membership.objects.filter(pk=alice_m.pk).update(can_see_report_locations=True)
    before = AuditEntry.objects.filter(event="privacy.sensitive_read", subject_id=bob_m.user_id).count()
    positions = alice_client.get("/api/fieldwork/orgs/alpha/dispatch").json()["positions"]
    assert [p["member"] for p in positions] == ["Bob Berg"] and positions[0]["latitude"] == pytest.approx(52.52)
    assert AuditEntry.objects.filter(event="privacy.sensitive_read", subject_id=bob_m.user_id).count() > before


def test_FW6_members_cannot_open_the_board(bob_client):
    assert bob_client.get("/o/alpha/dispatch/").status_code == 403
    assert bob_client.get("/api/fieldwork/orgs/alpha/dispatch").status_code == 403
