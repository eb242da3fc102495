"""The privacy officer's pages: the queue ordered by time left, a request with its history,
and the decisions (approve, deny, extend, pause, resume, apply a correction, answer)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import TemplateView

from officium.accounts.scoping import OrganizationMixin, scoped_get
from officium.forms import apply_form_errors
from officium.privacy import staff
from officium.privacy.rights import decisions, intake, rectification
from officium.privacy.rights.forms import AnswerForm, OfficerRequestForm, ReasonForm, RectifyForm
from officium.privacy.rights.models import CLOSED_STATUSES, OPEN_STATUSES, RightsRequest


class QueueView(OrganizationMixin, TemplateView):
    template_name = "rights/queue.html"
    allowed_roles = staff.PRIVACY_STAFF

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        mine = self.scoped(RightsRequest.objects.all())
        context["open"] = mine.filter(status__in=OPEN_STATUSES).order_by("due_on", "received_at")
        context["closed"] = mine.filter(status__in=CLOSED_STATUSES).order_by("-completed_at")[:50]
        return context


class PlatformQueueView(TemplateView):
    """Requests from people without an account (the public form): Officium itself answers them
    as controller, so they belong to no organization's queue but to the platform's staff.
    Each is shown with its whole history; anyone else gets the 404 a missing page gets."""

    template_name = "rights/platform_queue.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not (request.user.is_authenticated and request.user.is_staff):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def post(self, request: HttpRequest) -> HttpResponse:
        """Retry a failed request (the only action here)."""
        found = RightsRequest.objects.filter(organization=None,
                                             pk=request.POST.get("request_id") or 0).first()
        if found is None or request.POST.get("action") != "retry":
            raise Http404
        try:
            decisions.retry_as_platform_staff(request.user, found)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Request {found.ref} will run again.")
        return redirect("rights:platform_queue")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        public = RightsRequest.objects.filter(organization=None).prefetch_related("events")
        context["open"] = public.filter(status__in=OPEN_STATUSES).order_by("due_on", "received_at")
        context["closed"] = public.filter(status__in=CLOSED_STATUSES).order_by("-completed_at")[:50]
        return context


class FileForMemberView(OrganizationMixin, View):
    allowed_roles = staff.PRIVACY_STAFF

    def members(self) -> list[Any]:
        return list(staff.members(self.organization))

    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        return self.show(OfficerRequestForm(self.members()))

    def post(self, request: HttpRequest, org: str) -> HttpResponse:
        members = self.members()
        form = OfficerRequestForm(members, request.POST)
        if not form.is_valid():
            return self.show(form, 400)
        data = form.cleaned_data
        member = next((m for m in members if m.pk == data["member"]), None)
        try:
            filed = intake.file_by_officer(
                self.membership, member, request_type=data["request_type"],
                country=data["residence_country"], region=data["residence_region"],
                details=data["details"], purposes=data["purposes"])
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.show(form, 409 if isinstance(error, intake.DuplicateRequest) else 400)
        return redirect("rights:officer_request", org=org, rights_request_id=filed.pk)

    def show(self, form: OfficerRequestForm, status: int = 200) -> HttpResponse:
        return render(self.request, "rights/officer_new.html", {
            "form": form, "organization": self.organization}, status=status)


class RequestView(OrganizationMixin, View):
    """A request and the officer's decisions on it (``decisions.decide``, shared with the API)."""

    allowed_roles = staff.PRIVACY_STAFF

    def get(self, request: HttpRequest, org: str, rights_request_id: int) -> HttpResponse:
        return self.show(self.lookup(rights_request_id))

    def post(self, request: HttpRequest, org: str, rights_request_id: int) -> HttpResponse:
        rights_request = self.lookup(rights_request_id)
        try:
            decisions.decide(self.membership, rights_request, request.POST.get("action", ""),
                             request.POST)
        except PermissionDenied:
            raise
        except ValidationError as error:
            return self.show(rights_request, 400, error=" ".join(error.messages))
        messages.success(request, "Done.")
        return redirect("rights:officer_request", org=org, rights_request_id=rights_request.pk)

    def lookup(self, rights_request_id: int) -> RightsRequest:
        return scoped_get(self.scoped(RightsRequest.objects.all()), self.organization,
                          pk=rights_request_id)

    def show(self, rights_request: RightsRequest, status: int = 200, error: str = "") -> HttpResponse:
        return render(self.request, "rights/officer_request.html", {
            "organization": self.organization, "membership": self.membership,
            "rights_request": rights_request, "error": error,
            "events": rights_request.events.select_related("actor"),
            "reason_form": ReasonForm(), "answer_form": AnswerForm(),
            "rectify_form": RectifyForm(rectification.officer_fields()),
        }, status=status)
