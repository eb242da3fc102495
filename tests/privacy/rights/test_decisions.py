"""RI2: an officer's decisions on a request (approve, deny, answer) and the requester's
withdrawal: each allowed only from the statuses it names, each leaving a history step, the
requester told by email; a refused decision changes nothing."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from tests import factories

from officium.accounts.roles import Role
from officium.privacy.rights import decisions
from officium.privacy.rights.models import RightsRequest, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(alice):
    return alice.memberships.get()


@pytest.fixture
def filed(officer, bob):
    """Bob's request, filed by the officer, in the status a test sets."""
    request = factories.rights_request(officer, bob.memberships.get())

    def at(status: str, **fields) -> RightsRequest:
        RightsRequest.objects.filter(pk=request.pk).update(status=status, **fields)
        request.refresh_from_db()
        return request

    return at


def kinds(request: RightsRequest) -> list[str]:
    return list(request.events.order_by("pk").values_list("kind", flat=True))


def test_RI2_officer_approves_a_received_request_and_it_runs(officer, filed,
                                                             django_capture_on_commit_callbacks):
    request = filed(Status.RECEIVED)
    with django_capture_on_commit_callbacks(execute=True):
        decisions.approve(officer, request, note="  identity checked by phone  ")
    request.refresh_from_db()
    assert request.verification == "officer" and request.verified_at is not None
    assert request.status in (Status.VERIFIED, Status.IN_PROGRESS, Status.COMPLETED)
    assert "approved" in kinds(request)
    assert request.events.get(kind="approved").note == "identity checked by phone"


def test_RI2_approving_a_closed_request_is_refused_and_changes_nothing(officer, filed):
    request = filed(Status.DENIED)
    before = kinds(request)
    with pytest.raises(ValidationError) as error:
        decisions.approve(officer, request)
    assert "status" in error.value.message_dict
    request.refresh_from_db()
    assert request.status == Status.DENIED and kinds(request) == before


def test_RI2_deny_needs_a_reason_and_tells_the_requester(officer, filed, bob,
                                                        django_capture_on_commit_callbacks):
    request = filed(Status.AWAITING_VERIFICATION, email=bob.email)
    with pytest.raises(ValidationError) as error:
        decisions.deny(officer, request, "   ")
    assert "reason" in error.value.message_dict
    assert RightsRequest.objects.get(pk=request.pk).status == Status.AWAITING_VERIFICATION
    with django_capture_on_commit_callbacks(execute=True):
        decisions.deny(officer, request, "Manifestly unfounded: repeated request.")
    request.refresh_from_db()
    assert request.status == Status.DENIED and request.completed_at is not None
    assert request.decision_reason == "Manifestly unfounded: repeated request."
    assert kinds(request)[-1] == "denied"
    assert [m.to for m in mail.outbox][-1] == [bob.email]
    assert "Manifestly unfounded" in mail.outbox[-1].body


def test_RI2_a_request_in_progress_cannot_be_denied_or_withdrawn(officer, filed, bob):
    request = filed(Status.IN_PROGRESS)
    with pytest.raises(ValidationError):
        decisions.deny(officer, request, "Too late")
    with pytest.raises(ValidationError):
        decisions.withdraw(bob, request)
    assert RightsRequest.objects.get(pk=request.pk).status == Status.IN_PROGRESS


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.MEMBER, Role.CLIENT])
def test_RI2_only_owners_and_privacy_officers_decide(filed, alice_org, role):
    request = filed(Status.RECEIVED)
    someone = factories.member(alice_org, role)
    for decide in (lambda: decisions.approve(someone, request),
                   lambda: decisions.deny(someone, request, "No"),
                   lambda: decisions.send_answer(someone, request, "Hello")):
        with pytest.raises(PermissionDenied):
            decide()
    assert RightsRequest.objects.get(pk=request.pk).status == Status.RECEIVED


def test_RI2_another_organizations_officer_cannot_decide(filed, charlie):
    request = filed(Status.RECEIVED)
    with pytest.raises(PermissionDenied):
        decisions.approve(charlie.memberships.get(), request)
    assert RightsRequest.objects.get(pk=request.pk).status == Status.RECEIVED


def test_RI2_privacy_officer_decides_like_the_owner(filed, alice_org):
    request = filed(Status.RECEIVED)
    petra = factories.member(alice_org, Role.PRIVACY_OFFICER)
    decisions.deny(petra, request, "Not a request about personal data.")
    assert RightsRequest.objects.get(pk=request.pk).status == Status.DENIED


def test_RI2_only_the_requester_withdraws(filed, alice, bob):
    request = filed(Status.RECEIVED)
    with pytest.raises(PermissionDenied):
        decisions.withdraw(alice, request)
    decisions.withdraw(bob, request)
    request.refresh_from_db()
    assert request.status == Status.WITHDRAWN and request.completed_at is not None
    assert kinds(request)[-1] == "withdrawn"
    with pytest.raises(ValidationError):
        decisions.withdraw(bob, request)  # closed already


@pytest.mark.parametrize("status", [Status.VERIFIED, Status.IN_PROGRESS, Status.PAUSED])
def test_RI2_answer_completes_a_request_waiting_for_the_officer(officer, filed, bob, status,
                                                              django_capture_on_commit_callbacks):
    request = filed(status, email=bob.email)
    with django_capture_on_commit_callbacks(execute=True):
        decisions.send_answer(officer, request, "  We hold your name and email.  ")
    request.refresh_from_db()
    assert request.status == Status.COMPLETED and request.progress == 100
    assert request.answer["message_sent"] is True
    assert kinds(request)[-2:] == ["completed", "answer_sent"]
    assert request.events.get(kind="answer_sent").note == "We hold your name and email."
    assert "We hold your name and email." in mail.outbox[-1].body


def test_RI2_answer_on_a_completed_request_is_added_as_a_note(officer, filed):
    request = filed(Status.COMPLETED, email="")
    decisions.send_answer(officer, request, "One more thing.")
    request.refresh_from_db()
    assert request.status == Status.COMPLETED and kinds(request)[-1] == "answer_sent"


def test_RI2_answer_needs_a_message_and_a_verified_requester(officer, filed):
    request = filed(Status.AWAITING_VERIFICATION)
    before = kinds(request)
    with pytest.raises(ValidationError) as error:
        decisions.send_answer(officer, request, "")
    assert "message" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        decisions.send_answer(officer, request, "Here is your answer.")
    assert "status" in error.value.message_dict
    request.refresh_from_db()
    assert request.status == Status.AWAITING_VERIFICATION and kinds(request) == before


# --- one service for the officer's decisions: the page and the API share decisions.decide ---

SOME_DATA = {"reason": "Checked", "message": "Hello", "field": "first_name", "value": "Bo"}


@pytest.mark.parametrize("action", sorted(decisions.DECISIONS))
def test_RI2_every_decision_checks_the_officer_inside_the_service(filed, charlie, alice_org, action):
    """Extend, pause and resume used to check the officer only on the page: now every action
    is refused by the service itself to another organization's officer and to a manager."""
    request = filed(Status.VERIFIED)
    before = kinds(request)
    for outsider in (charlie.memberships.get(), factories.member(alice_org, Role.MANAGER)):
        with pytest.raises(PermissionDenied):
            decisions.decide(outsider, request, action, SOME_DATA)
    request.refresh_from_db()
    assert request.status == Status.VERIFIED and request.extended_at is None
    assert kinds(request) == before


def test_RI2_an_unknown_decision_is_refused_naming_the_action(officer, filed):
    request = filed(Status.RECEIVED)
    with pytest.raises(ValidationError) as error:
        decisions.decide(officer, request, "delete", {})
    assert "action" in error.value.message_dict


def _both_paths(client, request, action: str, data: dict[str, str]) -> tuple[int, int]:
    import json

    page = client.post(f"/o/alpha/privacy/requests/{request.pk}/", {"action": action, **data})
    api = client.post(f"/api/privacy/rights/o/alpha/requests/{request.pk}/decisions",
                      json.dumps({"action": action, **data}), content_type="application/json")
    return page.status_code, api.status_code


@pytest.mark.parametrize(("action", "data"), [
    ("approve", {}),                      # already verified
    ("retry", {}),                        # only a failed request
    ("deny", {"reason": " "}),            # a reason is needed
    ("extend", {"reason": ""}),
    ("pause", {"reason": ""}),
    ("resume", {}),                       # not paused
    ("answer", {"message": ""}),
    ("rectify", {"field": "first_name", "value": "Bo"}),  # not a rectification request
    ("delete", {}),                       # no such decision
])
def test_RI2_the_api_refuses_what_the_officer_page_refuses(alice, filed, action, data):
    from tests.conftest import client_for

    request = filed(Status.VERIFIED)
    before = kinds(request)
    assert _both_paths(client_for(alice), request, action, data) == (400, 400)
    request.refresh_from_db()
    assert request.status == Status.VERIFIED and kinds(request) == before


@pytest.mark.parametrize("action", sorted(decisions.DECISIONS))
def test_RI2_a_manager_is_refused_on_both_paths(filed, alice_org, action):
    from tests.conftest import client_for

    request = filed(Status.RECEIVED)
    manager = factories.member(alice_org, Role.MANAGER)
    assert _both_paths(client_for(manager.user), request, action, SOME_DATA) == (403, 403)
    assert RightsRequest.objects.get(pk=request.pk).status == Status.RECEIVED


def test_RI2_the_api_decision_goes_through_the_same_service(alice, filed, bob):
    """A decision over the API leaves the same history and mail as on the page."""
    import json

    from tests.conftest import client_for

    request = filed(Status.VERIFIED)
    response = client_for(alice).post(
        f"/api/privacy/rights/o/alpha/requests/{request.pk}/decisions",
        json.dumps({"action": "pause", "reason": "Which account?"}), content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == Status.PAUSED
    assert kinds(request)[-1] == "paused"
