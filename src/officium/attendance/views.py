"""Attendance pages: parse, check access, call a service, render."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views import View

from officium.accounts import localtime
from officium.accounts.models import Membership
from officium.accounts.roles import ADMINISTRATORS, WORKING_ROLES
from officium.accounts.scoping import OrganizationMixin, scoped_get
from officium.attendance import board, exports, purposes, reading, report, review, services
from officium.attendance.forms import (
    CheckInForm,
    ConnectionCodeForm,
    DeviceProfileForm,
    SettingsForm,
    SiteForm,
)
from officium.attendance.geofence import Verdict, validate_fix
from officium.attendance.models import (
    AttendanceRecord,
    AttendanceSettings,
    Device,
    DeviceProfile,
    Review,
    Site,
)
from officium.attendance.retention import chosen_days, location_period
from officium.attendance.rules import can_manage_member
from officium.attendance.sites import SITE_EDITORS
from officium.forms import apply_form_errors

REVIEWERS = (*ADMINISTRATORS, "manager")


class AttendancePage(OrganizationMixin, View):
    """Attendance pages are for the people who work for the organization (WT3: not clients)."""

    template = ""
    allowed_roles = tuple(WORKING_ROLES)

    def show(self, context: dict[str, Any], status: int = 200) -> HttpResponse:
        context.update(organization=self.organization, membership=self.membership,
                       zone=localtime.zone_for(self.organization),
                       can_review=self.membership.role in REVIEWERS)
        return render(self.request, f"attendance/{self.template}", context, status=status)

    def sites(self) -> Any:
        return Site.objects.for_organization(self.organization).filter(active=True)


class CheckInView(AttendancePage):
    template = "check_in.html"

    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        return self.show({"form": CheckInForm(self.sites()), "sites": self.sites(),
                          "privacy_mode": services.privacy_mode_on(self.membership),
                          "settings": AttendanceSettings.of(self.organization),
                          "state": services.clock_state(self.membership)})

    def post(self, request: HttpRequest, org: str) -> HttpResponse:
        form = CheckInForm(self.sites(), request.POST)
        if not form.is_valid():
            messages.error(request, "The check-in could not be read: " + " ".join(
                f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items()))
            return redirect("attendance:check_in", org=org)
        data = form.cleaned_data
        try:
            fix = None
            if data["latitude"] is not None or data["longitude"] is not None:
                fix = validate_fix(data["latitude"], data["longitude"], data["accuracy"] or 0.0)
            record = services.check_in(self.membership, data["direction"], fix, site_id=data["site"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("attendance:check_in", org=org)
        word = "Checked in" if record.direction == "in" else "Checked out"
        where = f" at {record.site.name}" if record.site else ""
        when = localtime.format_time(record.occurred_at, localtime.zone_for(self.organization, record.site))
        shift = f" ({record.get_shift_status_display().lower()})" if record.shift_status else ""
        if record.accepted:
            note = " without a location" if record.verdict == Verdict.NO_LOCATION else ""
            messages.success(request, f"{word}{where}{note} at {when}{shift}.")
        elif record.review == Review.PENDING:
            messages.warning(request, f"{word}{where} without a location at {when}: "
                                      "held for your manager's review.")
        else:
            messages.error(request, f"Not {word.lower()}: {_failure(record)}{where}. The attempt was recorded.")
        return redirect("attendance:check_in", org=org)


def _failure(record: AttendanceRecord) -> str:
    if record.suspected_mock:
        return "the location jumped implausibly fast (suspected mock location)"
    failures: dict[str, str] = {
        Verdict.OUTSIDE: "you are outside the geofence",
        Verdict.UNDECIDED: "your location is not precise enough to tell",
        Verdict.NO_LOCATION: "this organization requires a location"}
    return failures.get(record.verdict, record.verdict)


class ReviewQueueView(AttendancePage):
    """WT9: check-ins without a location held for review, for the members' managers."""

    template = "review.html"

    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        if self.membership.role not in REVIEWERS:
            raise PermissionDenied("Only managers and administrators review check-ins.")
        rows = review.pending(self.membership)
        for row in rows:
            row.zone = localtime.zone_for(self.organization, row.site)  # type: ignore[attr-defined]
        return self.show({"records": rows})


class ReviewDecisionView(AttendancePage):
    def post(self, request: HttpRequest, org: str, record_id: int) -> HttpResponse:
        record = scoped_get(AttendanceRecord.objects.for_purpose(self.membership, purposes.location())
                            .select_related("member"), self.organization, pk=record_id)
        try:
            services.decide_review(self.membership, record, request.POST.get("decision", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Check-in accepted." if record.accepted else "Check-in rejected.")
        return redirect("attendance:review", org=org)


class RecordsView(AttendancePage):
    """The attendance report (WT7): filters, keyset pages, local times with the zone named."""

    template = "records.html"

    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        try:
            filters = report.parse(self.membership, request.GET)
            page = report.page(self.membership, filters, cursor=request.GET.get("cursor"),
                               size=report.page_size(request.GET.get("limit")))
        except ValidationError as error:
            return self.show({"errors": error.message_dict, "params": request.GET, "records": [],
                              "members": self.members(), "sites": self.sites()}, status=400)
        return self.show({"page": page, "records": page.rows, "filters": filters,
                          "query": urlencode(filters.query()), "params": request.GET,
                          "zone_name": filters.zone.key, "members": self.members(),
                          "managers": self.managers(), "sites": self.sites(),
                          "next_query": urlencode({**filters.query(), "cursor": page.next_cursor})
                          if page.next_cursor else "",
                          "is_admin": self.membership.role in ADMINISTRATORS})

    def members(self) -> list[Membership]:
        return list(report.readable_members(self.membership).select_related("user")
                    .order_by("user__first_name", "user__last_name", "pk"))

    def managers(self) -> list[Membership]:
        if self.membership.role in ADMINISTRATORS:
            return list(Membership.objects.filter(organization=self.organization, role__in=REVIEWERS)
                        .select_related("user").order_by("user__first_name", "pk"))
        return [self.membership] if self.membership.role == "manager" else []


class ExportView(AttendancePage):
    """The report as CSV (streamed) or XLSX, with local times and their UTC offsets (WT7)."""

    def get(self, request: HttpRequest, org: str) -> HttpResponseBase:
        fmt = request.GET.get("format", "csv")
        try:
            if fmt not in exports.FORMATS:
                raise ValidationError({"format": "Choose csv or xlsx."})
            filters = report.parse(self.membership, request.GET)
        except ValidationError as error:
            return HttpResponse("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items()),
                                status=400, content_type="text/plain; charset=utf-8")
        return exports.response(self.membership, filters, fmt)


class BoardView(AttendancePage):
    """WT8: who is in now, per site, for managers (their reports) and administrators."""

    template = "board.html"
    allowed_roles = tuple(REVIEWERS)

    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        return self.show({"board": board.who_is_in(self.membership)})


class MapView(AttendancePage):
    """WT8: the sites on a map (Leaflet, served by Officium) and, for a local day, the check-in
    attempts whose location the reader may see. No tile layer unless the operator set one."""

    template = "map.html"

    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        try:
            day = board.parse_day(self.membership, request.GET.get("day"))
        except ValidationError as error:
            return self.show({"errors": error.message_dict, "map_data": {"sites": [], "attempts": []}},
                             status=400)
        data = {"sites": board.site_shapes(self.membership), "attempts": board.attempts(self.membership, day),
                "tiles": settings.OFFICIUM_MAP_TILES_URL,
                "attribution": settings.OFFICIUM_MAP_TILES_ATTRIBUTION}
        return self.show({"map_data": data, "day": day, "can_edit": self.membership.role in SITE_EDITORS})


class SitesView(AttendancePage):
    template = "sites.html"

    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        return self.show({"sites": self.sites(), "can_edit": self.membership.role in SITE_EDITORS})


class SiteEditView(AttendancePage):
    template = "site_form.html"

    def site(self, site_id: int | None) -> Site | None:
        return None if site_id is None else scoped_get(Site.objects.all(), self.organization, pk=site_id)

    def get(self, request: HttpRequest, org: str, site_id: int | None = None) -> HttpResponse:
        site = self.site(site_id)
        if self.membership.role not in SITE_EDITORS:
            raise PermissionDenied("Only owners, administrators and managers can edit sites.")
        form = SiteForm(initial=SiteForm.initial_for(site) if site else None)
        return self.show({"form": form, "site": site, "map_data": self.map_data(site)})

    def map_data(self, site: Site | None) -> dict[str, Any]:
        """The other sites, for context while drawing this one (WT8)."""
        others = [s for s in board.site_shapes(self.membership) if site is None or s["id"] != site.pk]
        return {"sites": others, "attempts": [], "tiles": settings.OFFICIUM_MAP_TILES_URL,
                "attribution": settings.OFFICIUM_MAP_TILES_ATTRIBUTION}

    def post(self, request: HttpRequest, org: str, site_id: int | None = None) -> HttpResponse:
        site = self.site(site_id)
        form = SiteForm(request.POST)
        if form.is_valid():
            try:
                saved = services.save_site(self.membership, form.service_data(), site)
            except ValidationError as error:
                apply_form_errors(form, error)
            else:
                messages.success(request, f"Site {saved.name} saved.")
                back = request.POST.get("next", "")  # UX2: onboarding sends people here and back
                if back and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
                    return redirect(back)
                return redirect("attendance:sites", org=org)
        return self.show({"form": form, "site": site, "map_data": self.map_data(site)}, status=400)


class SiteArchiveView(AttendancePage):
    def post(self, request: HttpRequest, org: str, site_id: int) -> HttpResponse:
        services.archive_site(self.membership, scoped_get(Site.objects.all(), self.organization, pk=site_id))
        messages.success(request, "The site was archived.")
        return redirect("attendance:sites", org=org)


class DevicesView(AttendancePage):
    template = "devices.html"

    def managed(self) -> list[Membership]:
        members = Membership.objects.for_organization(self.organization).select_related("user")
        return [m for m in members if can_manage_member(self.membership, m)]

    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        return self.render_page(ConnectionCodeForm(self.managed()))

    def post(self, request: HttpRequest, org: str) -> HttpResponse:
        managed = self.managed()
        form = ConnectionCodeForm(managed, request.POST)
        if not form.is_valid():
            return self.render_page(form, status=400)
        member = scoped_get(Membership.objects.select_related("user"), self.organization,
                            pk=form.cleaned_data["member"])
        code, raw = services.create_connection_code(self.membership, member)
        return self.render_page(ConnectionCodeForm(managed), new_code=raw, code=code, code_member=member)

    def render_page(self, form: ConnectionCodeForm, status: int = 200, **extra: Any) -> HttpResponse:
        return self.show({"devices": reading.devices(self.membership), "form": form,
                          "can_connect": bool(cast(forms.ChoiceField, form.fields["member"]).choices),
                          "managed": cast(forms.ChoiceField, form.fields["member"]).choices, **extra}, status=status)


class DeviceRevokeView(AttendancePage):
    def post(self, request: HttpRequest, org: str, device_id: int) -> HttpResponse:
        device = scoped_get(Device.objects.select_related("member"), self.organization, pk=device_id)
        services.revoke_device(self.membership, device)
        messages.success(request, "The device was disconnected.")
        return redirect("attendance:devices", org=org)


class DeviceProfileView(AttendancePage):
    template = "device_profile.html"

    def member(self, member_id: int) -> Membership:
        member = scoped_get(Membership.objects.select_related("user"), self.organization, pk=member_id)
        if not can_manage_member(self.membership, member):
            raise PermissionDenied("Only the member's manager or an administrator can do this.")
        return member

    def get(self, request: HttpRequest, org: str, member_id: int) -> HttpResponse:
        member = self.member(member_id)
        form = DeviceProfileForm(initial={"location_kinds": sorted(DeviceProfile.kinds_for(member))})
        return self.show({"form": form, "member": member})

    def post(self, request: HttpRequest, org: str, member_id: int) -> HttpResponse:
        member = self.member(member_id)
        form = DeviceProfileForm(request.POST)
        if form.is_valid():
            services.set_device_profile(self.membership, member, form.cleaned_data["location_kinds"])
            messages.success(request, "The device profile was saved.")
            return redirect("attendance:devices", org=org)
        return self.show({"form": form, "member": member}, status=400)


class LocationRequestView(AttendancePage):
    def post(self, request: HttpRequest, org: str, member_id: int) -> HttpResponse:
        member = scoped_get(Membership.objects.all(), self.organization, pk=member_id)
        services.request_location(self.membership, member)
        messages.success(request, "The location request was sent to the member's device.")
        return redirect("attendance:records", org=org)


class PrivacyModeView(AttendancePage):
    template = "privacy_mode.html"

    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        return self.show({"privacy_mode": services.privacy_mode_on(self.membership),
                          "history": reading.privacy_history(self.membership)})

    def post(self, request: HttpRequest, org: str) -> HttpResponse:
        enabled = request.POST.get("enabled") == "1"
        services.set_privacy_mode(self.membership, enabled, source="web")
        messages.success(request, "Privacy mode is on: no location is recorded." if enabled
                         else "Privacy mode is off: check-ins record your location again.")
        target = request.POST.get("next") or ""
        if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
            return redirect(target)
        return redirect("attendance:privacy_mode", org=org)


class NotificationsView(AttendancePage):
    template = "notifications.html"

    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        return self.show({"notifications": reading.notifications(self.membership)})

    def post(self, request: HttpRequest, org: str) -> HttpResponse:
        services.mark_read(self.membership)
        return redirect("attendance:notifications", org=org)


class LocationReadsView(AttendancePage):
    """SE1: a person's location reads are listed with every other read of their data, in one
    place ("Who read my data", PV1); this address keeps working for old links."""

    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        return redirect(f"{reverse('privacy:my_reads')}?kind=location")


class SettingsView(AttendancePage):
    template = "settings.html"
    allowed_roles = tuple(ADMINISTRATORS)

    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        current = AttendanceSettings.of(self.organization)
        form = SettingsForm(initial={"without_location": current.without_location,
                                     "repeat_check_in": current.repeat_check_in,
                                     "location_retention_days": chosen_days(self.organization.pk)})
        return self.show({"form": form, "period": location_period(self.organization)})

    def post(self, request: HttpRequest, org: str) -> HttpResponse:
        form = SettingsForm(request.POST)
        if form.is_valid():
            try:
                services.change_settings(self.membership, form.cleaned_data["without_location"],
                                         form.cleaned_data["location_retention_days"],
                                         form.cleaned_data["repeat_check_in"])
            except ValidationError as error:
                apply_form_errors(form, error)
            else:
                messages.success(request, "Attendance settings saved.")
                return redirect("attendance:settings", org=org)
        return self.show({"form": form, "period": location_period(self.organization)}, status=400)
