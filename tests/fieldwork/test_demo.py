"""UX1 (field work): the demo has tasks in every state, a form with two versions and
submissions, and a bid with an answer; seeding twice adds nothing."""

from __future__ import annotations

import pytest

from officium.accounts.demo import seed_demo
from officium.fieldwork.demo import seed_field_work
from officium.fieldwork.models import BidOffer, FormVersion, Status, Submission, Task
from officium.workforce.demo import seed_working_time

pytestmark = pytest.mark.django_db


def test_UX1_demo_field_work_in_every_state_and_idempotent():
    seed_demo()
    seed_working_time()
    seed_field_work()
    assert set(Task.objects.values_list("status", flat=True)) == set(Status.values)
    assert FormVersion.objects.count() == 2 and Submission.objects.count() >= 2
    assert BidOffer.objects.filter(answered=True).count() == 1
    counts = (Task.objects.count(), Submission.objects.count())
    seed_field_work()
    assert (Task.objects.count(), Submission.objects.count()) == counts
