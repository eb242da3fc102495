"""The setup pages (UX2): one page per step, each skippable; /welcome/ resumes at the first
open step. Administrators only; the work itself is done by accounts' services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views import View

from officium.accounts import services
from officium.accounts.forms import InviteForm, time_zone_field
from officium.accounts.models import Invitation
from officium.accounts.roles import ADMINISTRATORS
from officium.accounts.scoping import OrganizationMixin
from officium.attendance.models import Site
from officium.forms import apply_form_errors
from officium.onboarding import steps


class TimeZoneForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"] = time_zone_field()


class SetupPage(OrganizationMixin, View):
    allowed_roles = tuple(ADMINISTRATORS)

    def after(self, key: str) -> HttpResponse:
        following = steps.next_step(self.organization)
        if following is None:
            messages.success(self.request, "Your organization is set up. The dashboard shows what matters now.")
            return redirect("accounts:dashboard", org=self.organization.slug)
        return redirect(following.url)


class StartView(SetupPage):
    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        return self.after("")


class DismissView(SetupPage):
    def post(self, request: HttpRequest, org: str) -> HttpResponse:
        services.mark_onboarding(self.membership, "checklist", "dismissed")
        return redirect("accounts:dashboard", org=org)


class StepView(SetupPage):
    def step(self, key: str) -> steps.Step:
        if key not in steps.BY_KEY:
            raise Http404
        return steps.BY_KEY[key]

    def get(self, request: HttpRequest, org: str, setup_step: str) -> HttpResponse:
        return self.show(self.step(setup_step), self.form_for(setup_step))

    def post(self, request: HttpRequest, org: str, setup_step: str) -> HttpResponse:
        step = setup_step
        current = self.step(step)
        action = request.POST.get("action", "save")
        if action == "skip":
            services.mark_onboarding(self.membership, step, "skipped")
            return self.after(step)
        if action == "continue":  # the plan is kept as it is; a site or an invitation shows itself
            done = step == "plan" or current.done_when(self.organization)
            services.mark_onboarding(self.membership, step, "done" if done else "skipped")
            return self.after(step)
        form = self.form_for(step, request.POST)
        if form is None or not form.is_valid():
            return self.show(current, form, status=400)
        try:
            self.save(step, form.cleaned_data)
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.show(current, form, status=400)
        if step == "invite":
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect("onboarding:step", org=org, setup_step=step)
        return self.after(step)

    def form_for(self, step: str, data: Any = None) -> forms.Form | None:
        if step == "time_zone":
            return TimeZoneForm(data, initial={"time_zone": self.organization.time_zone})
        if step == "invite":
            return InviteForm(self.membership, data)
        return None

    def save(self, step: str, data: dict[str, Any]) -> None:
        if step == "time_zone":
            services.change_organization(self.membership, data["time_zone"] or "UTC")
            services.mark_onboarding(self.membership, "time_zone", "done")
        elif step == "invite":
            services.invite_member(self.membership, data["email"], data["role"], data["reports_to"])

    def show(self, current: steps.Step, form: forms.Form | None, status: int = 200) -> HttpResponse:
        org = self.organization
        items = steps.progress(org)
        context: dict[str, Any] = {
            "organization": org, "membership": self.membership, "step": current, "form": form,
            "items": items, "number": [p.step for p in items].index(current) + 1,
            "state": next(p.state for p in items if p.step == current)}
        if current.key == "site":
            context["sites"] = list(Site.objects.filter(organization=org, active=True).order_by("name")[:10])
            context["site_new"] = (reverse("attendance:site_new", kwargs={"org": org.slug})
                                   + "?next=" + reverse("onboarding:step", kwargs={"org": org.slug, "setup_step": "site"}))
        elif current.key == "invite":
            context["invited"] = list(Invitation.objects.filter(organization=org).order_by("-pk")[:10])
        elif current.key == "plan":
            context["plan"] = org.get_plan_display()
            context["billing"] = _billing_url(org.slug)
        return render(self.request, "onboarding/step.html", context, status=status)


def _billing_url(org: str) -> str:
    """The billing page once billing is installed (its entry in the navigation table)."""
    from officium.accounts.navigation import ENTRIES

    for entry in ENTRIES:
        if entry.url_name.startswith("billing:"):
            try:
                return reverse(entry.url_name, kwargs={"org": org})
            except NoReverseMatch:
                continue
    return ""
