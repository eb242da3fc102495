from django.urls import path

from officium.workforce import views

app_name = "workforce"

urlpatterns = [
    path("o/<slug:org>/shifts/", views.ShiftsView.as_view(), name="shifts"),
    path("o/<slug:org>/shifts/new/", views.ShiftTypeEditView.as_view(), name="shift_new"),
    path("o/<slug:org>/shifts/<int:shift_id>/", views.ShiftTypeEditView.as_view(), name="shift"),
    path("o/<slug:org>/shifts/<int:shift_id>/archive/", views.ShiftTypeArchiveView.as_view(),
         name="shift_archive"),
    path("o/<slug:org>/shifts/assignments/new/", views.AssignmentNewView.as_view(), name="assignment_new"),
    path("o/<slug:org>/shifts/assignments/<int:assignment_id>/delete/", views.AssignmentDeleteView.as_view(),
         name="assignment_delete"),
    path("o/<slug:org>/timesheets/", views.TimesheetsView.as_view(), name="timesheets"),
    path("o/<slug:org>/timesheets/approve/", views.TimesheetApproveView.as_view(), name="timesheet_approve"),
    path("o/<slug:org>/timesheets/corrections/<int:correction_id>/decision/", views.CorrectionDecisionView.as_view(),
         name="correction_decision"),
    path("o/<slug:org>/timesheets/leave/<int:leave_id>/decision/", views.LeaveDecisionView.as_view(),
         name="leave_decision"),
]
