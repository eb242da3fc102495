"""The privacy office's pages (PV1, PV2, PV5): the audit log, the data map, the breach register.

Tenancy through ``accounts.scoping`` (exception X2): each page belongs to one organization,
seen by its owner, administrators and privacy officers."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import TemplateView

from officium.accounts.scoping import OrganizationMixin, scoped_get
from officium.forms import apply_form_errors
from officium.privacy import staff
from officium.privacy.audit.events import declared
from officium.privacy.audit.models import AuditEntry
from officium.privacy.audit_events import SENSITIVE_READ
from officium.privacy.office import auditlog, breaches, controller, datamap, releases
from officium.privacy.office.models import Breach, Release

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
    organization, location reads included (the attendance page that listed them apart sends
    here), newest first: when, who and in which role, why, and what."""
    base = AuditEntry.objects.filter(subject_id=request.user.pk)
    location = request.GET.get("kind") == "location"
    found = auditlog.page(base, auditlog.Filters(event=SENSITIVE_READ.name,
                                                 target_prefix="attendance." if location else ""),
                          _cursor(request))
    roles = staff.roles_in({(r.organization_id, r.actor_id) for r in found.rows
                            if r.organization_id and r.actor_id})
    rows = [(row, roles.get((row.organization_id or 0, row.actor_id or 0)),
             row.actor_id == request.user.pk) for row in found.rows]
    return render(request, "privacy/my_reads.html", {"page": found, "rows": rows,
                                                     "location": location})


class BreachForm(forms.Form):
    summary = forms.CharField(label="What happened, in one line", max_length=200)
    description = forms.CharField(label="What happened and how it was found", widget=forms.Textarea)
    occurred_at = forms.DateTimeField(label="When it happened (if known)", required=False,
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    discovered_at = forms.DateTimeField(label="When it was discovered",
                                        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    categories = forms.MultipleChoiceField(label="Kinds of data involved",
                                           widget=forms.CheckboxSelectMultiple)
    subjects = forms.TypedMultipleChoiceField(label="People affected (members)", coerce=int,
                                              required=False, widget=forms.CheckboxSelectMultiple)
    people_count = forms.IntegerField(label="How many people in all (if more than named)",
                                      required=False, min_value=0)
    consequences = forms.CharField(label="Likely consequences", widget=forms.Textarea)
    measures = forms.CharField(label="Measures taken or proposed", widget=forms.Textarea)
    high_risk = forms.BooleanField(label="High risk to people: they must be told", required=False)

    def __init__(self, people: list[tuple[int, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = breaches.category_choices()  # type: ignore[attr-defined]  # ChoiceField
        self.fields["subjects"].choices = people  # type: ignore[attr-defined]  # ChoiceField


class BreachesView(OrganizationMixin, TemplateView):
    """PV5: the register, the 72-hour clocks, and the form to record a breach."""

    template_name = "privacy/office/breaches.html"
    allowed_roles = staff.PRIVACY_STAFF

    def people(self) -> list[tuple[int, str]]:
        return sorted(((m.user_id, m.user.get_full_name() or m.user.email)
                       for m in staff.members(self.organization)), key=lambda p: p[1].lower())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", BreachForm(self.people()))
        context["breaches"] = breaches.breaches_for(self.organization.pk)
        context["zone"] = staff.zone_of(self.organization)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = BreachForm(self.people(), request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                found = breaches.record_breach(
                    self.membership, summary=data["summary"], description=data["description"],
                    discovered_at=data["discovered_at"], occurred_at=data["occurred_at"],
                    categories=data["categories"], subject_ids=data["subjects"],
                    people_count=data["people_count"], consequences=data["consequences"],
                    measures=data["measures"], high_risk=data["high_risk"])
            except ValidationError as error:
                apply_form_errors(form, error)
            else:
                messages.success(request, "Breach recorded. The authority's 72-hour clock runs.")
                return redirect("privacy:breach", org=self.organization.slug, breach_id=found.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class BreachView(OrganizationMixin, TemplateView):
    """PV5: one breach, its clock and history; notify the authority, tell the people, add notes."""

    template_name = "privacy/office/breach.html"
    allowed_roles = staff.PRIVACY_STAFF

    def breach(self) -> Any:
        return scoped_get(self.scoped(Breach.objects.all()), self.organization,
                          pk=self.kwargs["breach_id"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        breach = kwargs.get("breach") or self.breach()
        context.update(breach=breach, described=breaches.describe(breach),
                       zone=staff.zone_of(self.organization),
                       events=breach.events.select_related("actor"),
                       affected=breach.subjects.select_related("subject"))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        breach = self.breach()
        action = request.POST.get("action", "")
        try:
            if action == "authority":
                breaches.notify_authority(self.membership, breach,
                                          reference=request.POST.get("reference", ""),
                                          late_reason=request.POST.get("late_reason", ""))
            elif action == "people":
                count = breaches.notify_people(self.membership, breach,
                                               message=request.POST.get("message", ""))
                messages.success(request, f"{count} {'person' if count == 1 else 'people'} will be emailed.")
            elif action == "note":
                breaches.add_note(self.membership, breach, note=request.POST.get("note", ""))
            else:
                raise ValidationError({"action": "Choose what to do."})
        except ValidationError as error:
            return self.render_to_response(self.get_context_data(
                breach=breach, error=" ".join(error.messages)), status=400)
        return redirect("privacy:breach", org=self.organization.slug, breach_id=breach.pk)


class DataMapView(OrganizationMixin, TemplateView):
    """PV2: the data map and the Art. 30 record (ROPA) as pages, with the controller's contacts."""

    template_name = "privacy/office/data_map.html"
    allowed_roles = OFFICE_ROLES

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from officium.privacy.policy import dpv
        from officium.privacy.policy.loader import active_policy
        from officium.privacy.policy.ropa import _activity

        context = super().get_context_data(**kwargs)
        policy = active_policy()
        context.update(policy=policy, controller=controller.contacts(policy, self.organization.pk),
                       privacy_staff_roles=staff.PRIVACY_STAFF,
                       record_types=datamap.record_types(policy),
                       activities=[_activity(policy, p) for p in policy.purposes],
                       category_words={c.term: c.description for c in policy.categories},
                       dpv_label=dpv.label)
        return context


class OrganizationRopaView(OrganizationMixin, View):
    """PV2: the Art. 30 record for this organization: the policy's activities, with the
    controller's contacts the organization entered where the policy gives none."""

    allowed_roles = OFFICE_ROLES

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        import json
        from dataclasses import asdict

        from officium.privacy.notices.registry_rows import registry_rows
        from officium.privacy.policy import ropa_json
        from officium.privacy.policy.loader import active_policy

        policy = active_policy()
        record = json.loads(ropa_json(policy, registry_rows(policy)))
        c = controller.contacts(policy, self.organization.pk)
        record["controller"] = {
            "name": c.name, "legal_name": c.legal_name, "privacy_email": c.privacy_email,
            "postal_address": c.postal_address or None,
            "dpo": {"name": c.dpo_name, "email": c.dpo_email} if c.has_dpo else None,
            "sources": {k: v for k, v in asdict(c).items() if k.endswith("_source")}}
        response = HttpResponse(json.dumps(record, indent=2, ensure_ascii=False),
                                content_type="application/json")
        response["Content-Disposition"] = (
            f'attachment; filename="ropa-{self.organization.slug}.json"')
        return response


class ControllerContactForm(forms.Form):
    postal_address = forms.CharField(label="Postal address", required=False, max_length=500,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    dpo_name = forms.CharField(label="Data protection officer: name", required=False, max_length=200)
    dpo_email = forms.CharField(label="Data protection officer: email", required=False, max_length=254)


class ControllerContactView(OrganizationMixin, TemplateView):
    """PV2: the organization enters the contacts its policy profile does not give."""

    template_name = "privacy/office/controller.html"
    allowed_roles = staff.PRIVACY_STAFF

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from officium.privacy.policy.loader import active_policy

        context = super().get_context_data(**kwargs)
        policy = active_policy()
        row = controller.entered(self.organization.pk)
        context.setdefault("form", ControllerContactForm(initial={
            "postal_address": row.postal_address, "dpo_name": row.dpo_name,
            "dpo_email": row.dpo_email} if row else None))
        context.update(contacts=controller.contacts(policy, self.organization.pk),
                       policy_address=bool(policy.controller.postal_address),
                       policy_dpo=policy.controller.dpo is not None, policy=policy)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from officium.privacy.policy.loader import active_policy

        form = ControllerContactForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                controller.save(self.membership, active_policy(), postal_address=data["postal_address"],
                                dpo_name=data["dpo_name"], dpo_email=data["dpo_email"])
            except ValidationError as error:
                apply_form_errors(form, error)
            else:
                messages.success(request, "Saved: the data map and the privacy center show these contacts.")
                return redirect("privacy:controller_contact", org=self.organization.slug)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ReleaseForm(forms.Form):
    dataset = forms.ChoiceField(label="What to publish")
    since = forms.DateField(label="From (day)", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="Until (day, not included)",
                            widget=forms.DateInput(attrs={"type": "date"}))
    epsilon = forms.FloatField(label="Privacy budget to spend (epsilon)",
                               help_text=f"At most {releases.RELEASE_LIMIT} per release; "
                                         "smaller is more private and noisier.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dataset"].choices = [(d.key, d.title) for d in releases.datasets()]  # type: ignore[attr-defined]  # ChoiceField


class ReleasesView(OrganizationMixin, TemplateView):
    """PV6: the officer publishes statistics under differential privacy within the budgets."""

    template_name = "privacy/office/releases.html"
    allowed_roles = staff.PRIVACY_STAFF

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ReleaseForm())
        org = self.organization.pk
        context.update(
            releases=releases.releases_for(org),
            budgets=[(d.title, releases.spent(org, d.key), releases.DATASET_BUDGET)
                     for d in releases.datasets()],
            limit=releases.RELEASE_LIMIT, threshold=releases.THRESHOLD)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ReleaseForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                releases.publish(self.membership, dataset=data["dataset"], since=data["since"],
                                 until=data["until"], epsilon=data["epsilon"])
            except ValidationError as error:
                apply_form_errors(form, error)
            else:
                messages.success(request, "Published.")
                return redirect("privacy:releases", org=self.organization.slug)
        return self.render_to_response(self.get_context_data(form=form), status=400)


def public_releases(request: HttpRequest) -> HttpResponse:
    """PV6: every published release, its figures and how they were protected (public)."""
    found = Release.objects.select_related("organization")[:50]
    return render(request, "privacy/office/public_releases.html", {
        "releases": found, "threshold": releases.THRESHOLD})
