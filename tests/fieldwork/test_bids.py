"""FW5: a job offered to several members, accepted with an ETA or declined, awarded to one
who accepted; the task is assigned to them and everyone offered is told."""

from __future__ import annotations

import pytest
from tests import factories
from tests.fieldwork.conftest import send

from officium.fieldwork import bids
from officium.fieldwork.models import BidOffer
from officium.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def bid(alice_m, bob_m, task, berlin):
    dora = factories.member(berlin)
    return bids.offer(alice_m, task, [bob_m.pk, dora.pk]), dora


def test_FW5_offer_answer_award_and_others_told(bid, bob_m, alice_m, task):
    bid, dora = bid
    bids.answer_bid(bob_m, bid.offers.get(member=bob_m), "accepted", 30)
    bids.answer_bid(dora, bid.offers.get(member=dora), "accepted", 10)
    bids.award(alice_m, bid, dora.pk)
    bid.refresh_from_db()
    assert bid.status == "awarded" and bid.awarded_to_id == dora.pk
    assert list(task.assignments.values_list("member_id", flat=True)) == [dora.pk]
    told = {n.recipient_id: n.title for n in Notification.objects.filter(kind="fieldwork.bid_awarded")}
    assert told[dora.user_id].startswith("The job is yours")
    assert told[bob_m.user_id].startswith("The job went to someone else")
    assert Notification.objects.filter(kind="fieldwork.bid_offered").count() == 2


def test_FW5_a_bid_answered_twice_over_the_api_is_400_naming_answer(bid, bob_m, bob_client):
    bid, _ = bid
    offer = bid.offers.get(member=bob_m)
    url = f"/api/fieldwork/orgs/alpha/offers/{offer.pk}/answer"
    assert send(bob_client, "post", url, {"answer": "accepted", "eta_minutes": 15}).status_code == 200
    again = send(bob_client, "post", url, {"answer": "declined"})
    assert again.status_code == 400 and again.json()["field"] == "answer"
    offer.refresh_from_db()
    assert offer.answer == "accepted" and offer.eta_minutes == 15


def test_FW5_accepting_needs_an_eta_and_award_needs_an_acceptance(bid, bob_m, alice_m, bob_client):
    bid, dora = bid
    offer = bid.offers.get(member=bob_m)
    response = send(bob_client, "post", f"/api/fieldwork/orgs/alpha/offers/{offer.pk}/answer", {"answer": "accepted"})
    assert response.status_code == 400 and response.json()["field"] == "eta_minutes"
    assert not BidOffer.objects.filter(answered=True).exists()
    bids.answer_bid(dora, bid.offers.get(member=dora), "declined")
    with pytest.raises(Exception) as error:
        bids.award(alice_m, bid, dora.pk)
    assert "member_id" in error.value.message_dict


def test_FW5_bids_page_lets_the_member_answer_and_the_dispatcher_award(bid, bob_m, bob_client, alice_client):
    bid, _ = bid
    offer = bid.offers.get(member=bob_m)
    assert b"Fix the pump" in bob_client.get("/o/alpha/bids/").content
    answer = bob_client.post(f"/o/alpha/bids/offers/{offer.pk}/answer/", {"answer": "accepted", "eta_minutes": "12"})
    assert answer.status_code == 302
    award = alice_client.post(f"/o/alpha/bids/{bid.pk}/award/", {"member": str(bob_m.pk)})
    assert award.status_code == 302
    bid.refresh_from_db()
    assert bid.awarded_to_id == bob_m.pk
