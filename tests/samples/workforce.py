"""Alice's shift objects for the cross-tenant test."""

from datetime import UTC, date, datetime, time

from tests.role_groups import ADMINS, EDITORS, STAFF

from officium.attendance.models import AttendanceRecord
from officium.workforce.models import (
    Correction,
    LeaveRequest,
    LeaveType,
    ShiftAssignment,
    ShiftType,
)


def build(w):
    w.shift_type = ShiftType.objects.create(organization=w.alice_org, name="Alpha early", start=time(8),
                                            end=time(16), weekdays=[0, 1, 2, 3, 4])
    w.assignment = ShiftAssignment.objects.create(organization=w.alice_org, shift_type=w.shift_type,
                                                  member=w.bob_membership, starts_on=date(2026, 1, 1))
    record = AttendanceRecord.objects.create(organization=w.alice_org, member=w.bob_membership, direction="in",
                                             verdict="inside", accepted=True, work_day=date(2026, 1, 14),
                                             occurred_at=datetime(2026, 1, 14, 7, tzinfo=UTC))
    w.correction = Correction.objects.create(organization=w.alice_org, member=w.bob_membership,
                                             kind="missing_check_out", original=record, direction="out",
                                             occurred_at=datetime(2026, 1, 14, 16, tzinfo=UTC), reason="Forgot")
    w.leave_type = LeaveType.objects.create(organization=w.alice_org, name="Annual", yearly_days=20)
    w.leave = LeaveRequest.objects.create(organization=w.alice_org, member=w.bob_membership,
                                          leave_type=w.leave_type, starts_on=date(2026, 2, 2),
                                          ends_on=date(2026, 2, 3), days=2,
                                          ended_at=datetime(2026, 2, 4, tzinfo=UTC))


SAMPLES = {
    "shift_id": lambda w: w.shift_type.pk,
    "assignment_id": lambda w: w.assignment.pk,
    "correction_id": lambda w: w.correction.pk,
    "leave_id": lambda w: w.leave.pk,
}

# Body properties naming alice's objects (the role matrix sends valid ids on every database).
BODY_FIELDS = {
    "shift_type_id": "shift_id",
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
    # WT4-WT6: everyone working reads their own timesheet, leave and corrections; the member's
    # manager or an administrator decides (bob reports to alice, the owner); administrators keep
    # leave types and holidays.
    "GET /api/workforce/orgs/<slug:org>/timesheets": STAFF,
    "POST /api/workforce/orgs/<slug:org>/timesheets/approvals": EDITORS,
    "GET /api/workforce/orgs/<slug:org>/corrections": STAFF,
    "POST /api/workforce/orgs/<slug:org>/corrections": STAFF,
    "POST /api/workforce/orgs/<slug:org>/corrections/<int:correction_id>/decision": ADMINS,
    "GET /api/workforce/orgs/<slug:org>/leave-types": STAFF,
    "POST /api/workforce/orgs/<slug:org>/leave-types": ADMINS,
    "GET /api/workforce/orgs/<slug:org>/leave/balances": STAFF,
    "GET /api/workforce/orgs/<slug:org>/leave-requests": STAFF,
    "POST /api/workforce/orgs/<slug:org>/leave-requests": STAFF,
    "POST /api/workforce/orgs/<slug:org>/leave-requests/<int:leave_id>/decision": ADMINS,
    "GET /api/workforce/orgs/<slug:org>/holidays": STAFF,
    "POST /api/workforce/orgs/<slug:org>/holidays": ADMINS,
    "POST /api/workforce/orgs/<slug:org>/holidays/import": ADMINS,
    "GET /o/<slug:org>/timesheets/": STAFF,
    "POST /o/<slug:org>/timesheets/approve/": EDITORS,
    "POST /o/<slug:org>/timesheets/corrections/<int:correction_id>/decision/": ADMINS,
    "POST /o/<slug:org>/timesheets/leave/<int:leave_id>/decision/": ADMINS,
}
