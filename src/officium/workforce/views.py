"""Shift pages (WT2): parse, check access, call a service, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from officium.accounts import localtime
from officium.accounts.models import Membership
from officium.accounts.roles import ADMINISTRATORS, WORKING_ROLES
from officium.accounts.scoping import OrganizationMixin, scoped_get
from officium.attendance import purposes
from officium.attendance.models import Site
from officium.forms import apply_form_errors
from officium.workforce import corrections, leave, reading, services, timesheets
from officium.workforce.forms import AssignmentForm, ShiftTypeForm
from officium.workforce.models import Correction, LeaveRequest, ShiftType


class ShiftPage(OrganizationMixin, View):
    """Shift planning is for owners, administrators and managers."""

    allowed_roles = tuple(services.SHIFT_EDITORS)
    template = ""

    def show(self, context: dict[str, Any], status: int = 200) -> HttpResponse:
        context.update(organization=self.organization, membership=self.membership)
        return render(self.request, f"workforce/{self.template}", context, status=status)

    def shift_types(self) -> Any:
        return ShiftType.objects.filter(organization=self.organization, active=True)

    def assignable_members(self) -> list[Membership]:
        members = Membership.objects.for_organization(self.organization).select_related("user")
        return [m for m in members if m.clocks_in and (
            self.membership.role in ADMINISTRATORS or m.reports_to_id == self.membership.pk)]


class ShiftsView(ShiftPage):
    template = "shifts.html"

    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        return self.show({"shift_types": self.shift_types(),
                          "assignments": reading.assignments(self.membership)})


class ShiftTypeEditView(ShiftPage):
    template = "shift_type_form.html"

    def shift(self, shift_id: int | None) -> ShiftType | None:
        return None if shift_id is None else scoped_get(ShiftType.objects.all(), self.organization, pk=shift_id)

    def get(self, request: HttpRequest, org: str, shift_id: int | None = None) -> HttpResponse:
        shift = self.shift(shift_id)
        form = ShiftTypeForm(initial=ShiftTypeForm.initial_for(shift) if shift else None)
        return self.show({"form": form, "shift": shift})

    def post(self, request: HttpRequest, org: str, shift_id: int | None = None) -> HttpResponse:
        shift = self.shift(shift_id)
        form = ShiftTypeForm(request.POST)
        if form.is_valid():
            try:
                saved = services.save_shift_type(self.membership, form.service_data(), shift)
            except ValidationError as error:
                apply_form_errors(form, error)
            else:
                messages.success(request, f"Shift {saved.name} saved.")
                return redirect("workforce:shifts", org=org)
        return self.show({"form": form, "shift": shift}, status=400)


class ShiftTypeArchiveView(ShiftPage):
    def post(self, request: HttpRequest, org: str, shift_id: int) -> HttpResponse:
        services.archive_shift_type(self.membership, scoped_get(ShiftType.objects.all(), self.organization,
                                                                pk=shift_id))
        messages.success(request, "The shift was archived.")
        return redirect("workforce:shifts", org=org)


class AssignmentNewView(ShiftPage):
    template = "assignment_form.html"

    def form(self, data: Any = None) -> AssignmentForm:
        sites = Site.objects.for_organization(self.organization).filter(active=True)
        return AssignmentForm(self.shift_types(), self.assignable_members(), sites, data)

    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        return self.show({"form": self.form()})

    def post(self, request: HttpRequest, org: str) -> HttpResponse:
        form = self.form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            shift = scoped_get(ShiftType.objects.all(), self.organization, pk=data["shift_type"])
            member = None if data["member"] is None else scoped_get(
                Membership.objects.all(), self.organization, pk=data["member"])
            site = None if data["site"] is None else scoped_get(Site.objects.all(), self.organization,
                                                                pk=data["site"])
            try:
                services.assign_shift(self.membership, shift, member=member, site=site,
                                      starts_on=data["starts_on"], ends_on=data["ends_on"])
            except ValidationError as error:
                apply_form_errors(form, error)
            else:
                messages.success(request, f"Shift {shift.name} assigned.")
                return redirect("workforce:shifts", org=org)
        return self.show({"form": form}, status=400)


class AssignmentDeleteView(ShiftPage):
    def post(self, request: HttpRequest, org: str, assignment_id: int) -> HttpResponse:
        assignment = scoped_get(reading.assignments_queryset(self.membership), self.organization,
                                pk=assignment_id)
        services.unassign_shift(self.membership, assignment)
        messages.success(request, "The assignment was removed.")
        return redirect("workforce:shifts", org=org)


class TimesheetsView(OrganizationMixin, View):
    """Week or month timesheets (WT4): your own, your reports' (managers), everyone's
    (administrators); a manager approves and locks a member's period and decides corrections."""

    allowed_roles = tuple(WORKING_ROLES)

    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        zone = localtime.zone_for(self.organization)
        view = request.GET.get("view") or "week"
        try:
            anchor = timesheets.parse_day(request.GET["day"]) if request.GET.get("day") else (
                localtime.local_day(timezone.now(), zone))
            period = timesheets.period_of(view, anchor)
        except ValidationError:
            anchor, view = localtime.local_day(timezone.now(), zone), "week"
            period = timesheets.period_of(view, anchor)
        members = timesheets.visible_members(self.membership)
        sheets = timesheets.sheet(self.membership, members, period, texts=True)
        for s in sheets:
            s["can_approve"] = any(timesheets.can_approve(self.membership, m) for m in members
                                   if m.pk == s["member_id"])
        step = 7 if view == "week" else 31
        return render(request, "workforce/timesheets.html", {
            "organization": self.organization, "membership": self.membership, "sheets": sheets,
            "period": period, "view": view, "zone": str(zone),
            "previous": period.first - dt.timedelta(days=1), "next": period.first + dt.timedelta(days=step),
            "corrections": corrections.pending_for(self.membership),
            "leave_requests": leave.pending_for(self.membership)})


class TimesheetApproveView(OrganizationMixin, View):
    allowed_roles = tuple(services.SHIFT_EDITORS)

    def post(self, request: HttpRequest, org: str) -> HttpResponse:
        member = Membership.objects.select_related("organization").filter(
            organization=self.organization, pk=int(request.POST.get("member_id", "") or 0)
            if str(request.POST.get("member_id", "")).isdigit() else 0).first()
        try:
            if member is None:
                raise ValidationError({"member_id": "Choose a member of this organization."})
            period = timesheets.Period(timesheets.parse_day(request.POST.get("starts_on"), "starts_on"),
                                       timesheets.parse_day(request.POST.get("ends_on"), "ends_on"))
            timesheets.approve_period(self.membership, member, period)
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        else:
            messages.success(request, "The period is approved and locked.")
        return redirect(f"{reverse('workforce:timesheets', kwargs={'org': org})}?day={request.POST.get('starts_on', '')}")


class CorrectionDecisionView(OrganizationMixin, View):
    allowed_roles = tuple(WORKING_ROLES)

    def post(self, request: HttpRequest, org: str, correction_id: int) -> HttpResponse:
        found = scoped_get(Correction.objects.for_purpose(self.membership, purposes.location()).select_related(
            "member__user", "member__organization", "original"), self.organization, pk=correction_id)
        try:
            corrections.decide(self.membership, found, request.POST.get("decision", ""))
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        else:
            messages.success(request, f"The correction was {found.state}.")
        return redirect(f"{reverse('workforce:timesheets', kwargs={'org': org})}?day={request.POST.get('day', '')}")


class LeaveDecisionView(OrganizationMixin, View):
    """The reporting manager (or an administrator) approves or rejects leave from the page."""

    allowed_roles = tuple(WORKING_ROLES)

    def post(self, request: HttpRequest, org: str, leave_id: int) -> HttpResponse:
        found = scoped_get(LeaveRequest.objects.select_related("member__user", "member__organization", "leave_type"),
                           self.organization, pk=leave_id)
        try:
            leave.decide(self.membership, found, request.POST.get("decision", ""))
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        else:
            messages.success(request, f"The leave request was {found.state}.")
        return redirect(f"{reverse('workforce:timesheets', kwargs={'org': org})}?day={request.POST.get('day', '')}")
