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
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from officium.accounts import localtime
from officium.accounts.models import Membership
from officium.accounts.roles import ADMINISTRATORS, WORKING_ROLES
from officium.accounts.scoping import OrganizationMixin, scoped_get
from officium.attendance import purposes
from officium.attendance.models import AttendanceRecord, Site
from officium.forms import apply_form_errors
from officium.workforce import corrections, leave, paging, reading, services, timesheets
from officium.workforce.forms import AssignmentForm, CorrectionForm, LeaveForm, ShiftTypeForm
from officium.workforce.models import Correction, CorrectionKind, LeaveRequest, LeaveType, ShiftType


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
            "period": period, "view": view, "zone": str(zone), "today": localtime.local_day(timezone.now(), zone),
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
        return _back(request, f"{reverse('workforce:timesheets', kwargs={'org': org})}?day={request.POST.get('day', '')}")


# --- a member's leave and corrections; a manager's requests to decide (WT5, WT6) -------------

def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Redirect to the form's ``next`` when it is a page of this site, else to ``fallback``."""
    target = str(request.POST.get("next") or "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


class MemberPage(OrganizationMixin, View):
    """Pages for everyone who clocks in (never client contacts)."""

    allowed_roles = tuple(WORKING_ROLES)

    def zone(self) -> Any:
        return localtime.zone_for(self.organization)

    def today(self) -> dt.date:
        return localtime.local_day(timezone.now(), self.zone())


class LeaveView(MemberPage):
    """Request leave (the balance next to the form) and follow your requests."""

    def leave_types(self) -> Any:
        return LeaveType.objects.filter(organization=self.organization, active=True)

    def show(self, form: LeaveForm, status: int = 200) -> HttpResponse:
        today = self.today()
        mine = paging.page(leave.own_queryset(self.membership), "starts_on", descending=True,
                           cursor=self.request.GET.get("cursor"))
        return render(self.request, "workforce/leave.html", {
            "organization": self.organization, "membership": self.membership, "form": form,
            "balances": leave.balances(self.membership, today.year), "year": today.year,
            "requests": mine.items, "next_cursor": mine.next_cursor, "today": today,
            "has_types": self.leave_types().exists()}, status=status)

    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        day = request.GET.get("day") or ""
        try:
            initial = {"starts_on": timesheets.parse_day(day), "ends_on": timesheets.parse_day(day)} if day else {}
        except ValidationError:
            initial = {}
        try:
            return self.show(LeaveForm(self.leave_types(), initial=initial))
        except ValidationError:  # a broken page link: the first page
            return redirect("workforce:leave", org=org)

    def post(self, request: HttpRequest, org: str) -> HttpResponse:
        form = LeaveForm(self.leave_types(), request.POST)
        if form.is_valid():
            try:
                made = leave.request_leave(self.membership, dict(form.cleaned_data))
            except ValidationError as error:
                apply_form_errors(form, error)
            else:
                manager = self.membership.reports_to
                messages.success(request, f"Your request for {made.days} working days was sent"
                                          f"{' to ' + str(manager.user) if manager else ''}.")
                return redirect("workforce:leave", org=org)
        return self.show(form, status=400)


class LeaveCancelView(MemberPage):
    def post(self, request: HttpRequest, org: str, leave_id: int) -> HttpResponse:
        found = scoped_get(leave.own_queryset(self.membership), self.organization, pk=leave_id)
        try:
            leave.cancel(self.membership, found)
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        else:
            messages.success(request, "Your request was withdrawn.")
        return redirect("workforce:leave", org=org)


class CorrectionsView(MemberPage):
    """Ask to fix a check-in record (from a timesheet day or a record) and follow your requests."""

    def records(self, day: dt.date | None, record_id: int | None) -> list[tuple[int, str]]:
        """Your records of ``day`` (else of the last 31 days), newest first, as local times."""
        own = AttendanceRecord.objects.filter(member_id=self.membership.pk, accepted=True).select_related("site")
        if day is not None:
            own = own.filter(work_day=day)
        else:
            own = own.filter(occurred_at__gte=timezone.now() - dt.timedelta(days=31))
        found = list(own.order_by("-occurred_at", "-pk")[:100])
        if record_id is not None and all(r.pk != record_id for r in found):
            found += list(AttendanceRecord.objects.filter(member_id=self.membership.pk, pk=record_id))
        labels = {"in": "check-in", "out": "check-out"}
        return [(r.pk, f"{localtime.format_datetime(r.occurred_at, localtime.zone_for(self.organization, r.site))}"
                       f" {labels.get(r.direction, r.direction)}") for r in found]

    def form(self, data: Any = None, initial: dict[str, Any] | None = None, day: dt.date | None = None,
             record_id: int | None = None) -> CorrectionForm:
        return CorrectionForm(CorrectionKind.choices, self.records(day, record_id), str(self.zone()), data,
                              initial=initial)

    def show(self, form: CorrectionForm, day: dt.date | None = None, status: int = 200) -> HttpResponse:
        mine = paging.page(corrections.own_queryset(self.membership), "created_at", descending=True,
                           cursor=self.request.GET.get("cursor"))
        zone = self.zone()
        return render(self.request, "workforce/corrections.html", {
            "organization": self.organization, "membership": self.membership, "form": form, "day": day,
            "zone": str(zone), "next_cursor": mine.next_cursor,
            "items": [{"c": c, "when": localtime.format_datetime(c.occurred_at, zone)} for c in mine.items]},
            status=status)

    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        day = record_id = None
        try:
            day = timesheets.parse_day(request.GET["day"]) if request.GET.get("day") else None
        except ValidationError:
            day = None
        raw = request.GET.get("record", "")
        record_id = int(raw) if raw.isdigit() and len(raw) < 18 else None
        initial: dict[str, Any] = {"kind": CorrectionKind.MISSING_CHECK_OUT}
        if record_id is not None:
            initial["record_id"] = record_id
        if day is not None:
            initial["occurred_at"] = f"{day.isoformat()}T17:00"
        try:
            return self.show(self.form(initial=initial, day=day, record_id=record_id), day)
        except ValidationError:  # a broken page link: the first page
            return redirect("workforce:corrections", org=org)

    def post(self, request: HttpRequest, org: str) -> HttpResponse:
        raw = request.POST.get("record_id", "")
        form = self.form(request.POST, record_id=int(raw) if raw.isdigit() and len(raw) < 18 else None)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                data["occurred_at"] = self.moment(data["occurred_at"], data.get("record_id"))
                made = corrections.request_correction(self.membership, data)
            except ValidationError as error:
                apply_form_errors(form, error)
            else:
                messages.success(request, f"Your correction ({made.get_kind_display().lower()}) was sent to "
                                          "your manager.")
                return redirect("workforce:corrections", org=org)
        return self.show(form, status=400)

    def moment(self, text: str, record_id: int | None) -> dt.datetime:
        """The form's local wall-clock time, in the zone of the record's site (else the organization's)."""
        try:
            naive = dt.datetime.fromisoformat(str(text).strip())
        except ValueError:
            raise ValidationError({"occurred_at": "Enter a date and time (YYYY-MM-DD HH:MM)."}) from None
        if naive.tzinfo is not None:
            return naive
        record = AttendanceRecord.objects.filter(member_id=self.membership.pk, pk=record_id).select_related(
            "site").first() if record_id is not None else None
        return naive.replace(tzinfo=localtime.zone_for(self.organization, record.site if record else None))


class CorrectionCancelView(MemberPage):
    def post(self, request: HttpRequest, org: str, correction_id: int) -> HttpResponse:
        found = scoped_get(corrections.own_queryset(self.membership), self.organization, pk=correction_id)
        try:
            corrections.cancel(self.membership, found)
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        else:
            messages.success(request, "Your correction was withdrawn.")
        return redirect("workforce:corrections", org=org)


class RequestsView(OrganizationMixin, View):
    """Leave requests and corrections waiting for the manager's (or an administrator's) decision,
    oldest first, each list paged."""

    allowed_roles = tuple(services.SHIFT_EDITORS)

    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        zone = localtime.zone_for(self.organization)
        try:
            waiting_leave = paging.page(leave.waiting_queryset(self.membership), "starts_on", descending=False,
                                        cursor=request.GET.get("leave_cursor"))
            waiting_fixes = paging.page(corrections.waiting_queryset(self.membership), "created_at",
                                        descending=False, cursor=request.GET.get("correction_cursor"))
        except ValidationError:
            return redirect("workforce:requests", org=org)
        return render(request, "workforce/requests.html", {
            "organization": self.organization, "membership": self.membership, "zone": str(zone),
            "leave_requests": waiting_leave.items, "leave_next": waiting_leave.next_cursor,
            "corrections": [{"c": c, "when": localtime.format_datetime(c.occurred_at, zone),
                             "original": localtime.format_datetime(c.original.occurred_at, zone) if c.original else ""}
                            for c in waiting_fixes.items],
            "corrections_next": waiting_fixes.next_cursor})


class LeaveDecisionView(OrganizationMixin, View):
    allowed_roles = tuple(WORKING_ROLES)

    def post(self, request: HttpRequest, org: str, leave_id: int) -> HttpResponse:
        found = scoped_get(LeaveRequest.objects.for_purpose(self.membership, purposes.location()).select_related(
            "member__user", "member__organization", "leave_type"), self.organization, pk=leave_id)
        try:
            leave.decide(self.membership, found, request.POST.get("decision", ""))
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        else:
            messages.success(request, f"The leave request was {found.state}.")
        return _back(request, reverse("workforce:requests", kwargs={"org": org}))
