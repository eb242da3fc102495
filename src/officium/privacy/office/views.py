"""The privacy office's pages (PV1, PV2, PV5): the audit log, the data map, the breach register.

Tenancy through ``accounts.scoping`` (exception X2): each page belongs to one organization,
seen by its owner, administrators and privacy officers."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views import View
from django.views.generic import TemplateView

from officium.accounts.scoping import OrganizationMixin
from officium.privacy import staff
from officium.privacy.audit.events import declared
from officium.privacy.audit.models import AuditEntry
from officium.privacy.audit_events import SENSITIVE_READ
from officium.privacy.office import auditlog

OFFICE_ROLES = staff.OFFICE_ROLES


class AuditFilterForm(forms.Form):
    event = forms.ChoiceField(label="Event", required=False)
    actor = forms.TypedChoiceField(label="Who acted", required=False, coerce=int,
                                   empty_value=None)
    subject = forms.TypedChoiceField(label="About whom", required=False, coerce=int,
                                     empty_value=None)
    since = forms.DateField(label="From (day)", required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To (day, included)", required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, people: list[tuple[int, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        events = [("", "Any event")] + [(e.name, e.label) for e in declared()]
        self.fields["event"].choices = events  # type: ignore[attr-defined]  # ChoiceField
        everyone = [("", "Anyone")] + [(str(pk), name) for pk, name in people]
        self.fields["actor"].choices = everyone  # type: ignore[attr-defined]  # ChoiceField
        self.fields["subject"].choices = everyone  # type: ignore[attr-defined]  # ChoiceField

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end of the range is before its start.")
        return data


def _filters(form: AuditFilterForm, zone: Any) -> auditlog.Filters:
    data = form.cleaned_data if form.is_valid() else {}
    since, until = data.get("since"), data.get("until")
    return auditlog.Filters(
        event=data.get("event") or "", actor_id=data.get("actor"),
        subject_id=data.get("subject"),
        since=datetime.combine(since, time.min, zone) if since else None,
        until=(datetime.combine(until, time.min, zone) + timedelta(days=1)
               if until else None))


def _cursor(request: HttpRequest) -> int | None:
    raw = request.GET.get("before", "")
    return int(raw) if raw.isdigit() else None


class AuditLogView(OrganizationMixin, TemplateView):
    """PV1: the organization's audit entries, filtered and paged, each in plain words."""

    template_name = "privacy/office/audit_log.html"
    allowed_roles = OFFICE_ROLES

    def people(self) -> list[tuple[int, str]]:
        return sorted(((m.user_id, m.user.get_full_name() or m.user.email)
                       for m in staff.members(self.organization).select_related("user")),
                      key=lambda p: p[1].lower())

    def base(self) -> Any:
        return self.scoped(AuditEntry.objects.all())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = AuditFilterForm(self.people(), self.request.GET or None)
        zone = staff.zone_of(self.organization)
        found = auditlog.page(self.base(), _filters(form, zone), _cursor(self.request))
        query = self.request.GET.copy()
        query.pop("before", None)
        context.update(form=form, page=found, zone=zone, query=query.urlencode(),
                       check=kwargs.get("check"))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """"Verify now": the chain check over this organization's range."""
        check = auditlog.verify_range(self.base())
        return self.render_to_response(self.get_context_data(check=check))


class AuditExportView(AuditLogView, View):
    """PV1: the filtered entries as CSV (streamed in keyset batches)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = AuditFilterForm(self.people(), request.GET or None)
        lines = auditlog.csv_lines(self.base(), _filters(form, staff.zone_of(self.organization)))
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="audit-{self.organization.slug}.csv"')
        return response  # type: ignore[return-value]  # a streaming answer is an answer


@login_required
def my_reads(request: HttpRequest) -> HttpResponse:
    """SE1 and PV1 for the subject: one page of every read of their sensitive data, in every
    organization (the attendance page's location reads included), newest first."""
    base = AuditEntry.objects.filter(subject_id=request.user.pk)
    found = auditlog.page(base, auditlog.Filters(event=SENSITIVE_READ.name), _cursor(request))
    return render(request, "privacy/my_reads.html", {"page": found})
