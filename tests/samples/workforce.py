"""Alice's shift objects for the cross-tenant test."""

from datetime import date, time

from tests.role_groups import ADMINS, EDITORS, STAFF

from officium.workforce.models import ShiftAssignment, ShiftType


def build(w):
    w.shift_type = ShiftType.objects.create(organization=w.alice_org, name="Alpha early", start=time(8),
                                            end=time(16), weekdays=[0, 1, 2, 3, 4])
    w.assignment = ShiftAssignment.objects.create(organization=w.alice_org, shift_type=w.shift_type,
                                                  member=w.bob_membership, starts_on=date(2026, 1, 1))


SAMPLES = {
    "shift_id": lambda w: w.shift_type.pk,
    "assignment_id": lambda w: w.assignment.pk,
}

BODY_FIELDS = {
    "shift_type_id": "shift_id",
    "member_id": "member_id",
}


# WT2: editors (owner, admin, manager) keep shift types and assignments; working roles read them.
ROLES = {
    "GET /api/workforce/orgs/<slug:org>/shift-types": STAFF,
    "POST /api/workforce/orgs/<slug:org>/shift-types": EDITORS,
    "GET /api/workforce/orgs/<slug:org>/shift-types/<int:shift_id>": STAFF,
    "PUT /api/workforce/orgs/<slug:org>/shift-types/<int:shift_id>": EDITORS,
    "DELETE /api/workforce/orgs/<slug:org>/shift-types/<int:shift_id>": EDITORS,
    "GET /api/workforce/orgs/<slug:org>/assignments": STAFF,
    "POST /api/workforce/orgs/<slug:org>/assignments": EDITORS,
    "DELETE /api/workforce/orgs/<slug:org>/assignments/<int:assignment_id>": ADMINS,
    "GET /api/workforce/orgs/<slug:org>/my-shift": STAFF,
    "GET /o/<slug:org>/shifts/": EDITORS,
    "GET /o/<slug:org>/shifts/new/": EDITORS,
    "POST /o/<slug:org>/shifts/new/": EDITORS,
    "GET /o/<slug:org>/shifts/<int:shift_id>/": EDITORS,
    "POST /o/<slug:org>/shifts/<int:shift_id>/": EDITORS,
    "POST /o/<slug:org>/shifts/<int:shift_id>/archive/": EDITORS,
    "GET /o/<slug:org>/shifts/assignments/new/": EDITORS,
    "POST /o/<slug:org>/shifts/assignments/new/": EDITORS,
    "POST /o/<slug:org>/shifts/assignments/<int:assignment_id>/delete/": ADMINS,
}
