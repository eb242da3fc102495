"""Alice's shift objects for the cross-tenant test."""

from datetime import date, time

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
