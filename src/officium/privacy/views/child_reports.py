"""NO4: anyone reports an account as a child's; the organization's privacy officer decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.generic import TemplateView

from officium.accounts import age_gate
from officium.accounts.scoping import OrganizationMixin, scoped_get
from officium.privacy import staff
from officium.privacy.models import ChildReport, ChildReportStatus


class ChildReportForm(forms.Form):
    email = forms.EmailField(label="Email address of the account",
                             help_text="We use it only to find the account; it is not stored.")


def report_child(request: HttpRequest) -> HttpResponse:
    gate = age_gate.rule()
    if gate is None:
        raise Http404("This service sets no age limit.")
    form = ChildReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reporter = request.user if request.user.is_authenticated else None
        age_gate.report_child_account(form.cleaned_data["email"], reporter=reporter)
        # The same answer whether or not the account exists: nobody learns who has one.
        return render(request, "privacy/child_report_sent.html")
    return render(request, "privacy/child_report.html", {"form": form, "threshold": gate.threshold},
                  status=400 if form.errors else 200)


class ChildReportsView(OrganizationMixin, TemplateView):
    template_name = "privacy/child_reports.html"
    allowed_roles = staff.PRIVACY_STAFF

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["reports"] = age_gate.open_reports(self.organization)
        context["OPEN"] = ChildReportStatus.OPEN
        return context


class ChildReportDecisionView(OrganizationMixin, TemplateView):
    template_name = "privacy/child_report_decide.html"
    allowed_roles = staff.PRIVACY_STAFF

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["report"] = self.report()
        context["OPEN"] = ChildReportStatus.OPEN
        return context

    def report(self) -> ChildReport:
        return scoped_get(ChildReport.objects.select_related("account"), self.organization,
                          pk=self.kwargs["report_id"])

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        report = self.report()
        action = request.POST.get("action")
        try:
            if action == "confirm":
                age_gate.confirm_report(self.membership, report)
                messages.success(request, "Confirmed: the account and its data are deleted.")
            elif action == "dismiss":
                age_gate.dismiss_report(self.membership, report)
                messages.success(request, "The report is dismissed.")
            else:
                raise ValidationError("Choose confirm or dismiss.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return self.render_to_response(self.get_context_data(), status=400)
        return redirect("privacy:child_reports", org=self.organization.slug)
