"""Field work pages: tasks (list, calendar day, detail), forms (builder, fill, submissions),
bids, the dispatcher board, the customer's ETA opt-out. Parse, check access, call a service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from officium.accounts import localtime
from officium.accounts.models import Membership
from officium.accounts.roles import WORKING_ROLES
from officium.accounts.scoping import OrganizationMixin, scoped_get
from officium.attendance.geofence import validate_fix
from officium.attendance.models import Site
from officium.fieldwork import attachments, bids, dispatch, eta, exports, photos, reading, services
from officium.fieldwork.definitions import TYPE_LABELS
from officium.fieldwork.forms import (
    TYPE_CHOICES,
    TaskForm,
    builder_errors,
    builder_rows,
    parse_builder,
)
from officium.fieldwork.models import Bid, BidOffer, BidStatus, Form, Status, Task
from officium.fieldwork.rules import is_dispatcher
from officium.forms import apply_form_errors


def _fix(post: Any) -> Any:
    """The fix the page's script put in the hidden fields, if any (bad values are dropped:
    the browser made them, not the person)."""
    try:
        lat, lon = float(post.get("latitude", "")), float(post.get("longitude", ""))
        return validate_fix(lat, lon, float(post.get("accuracy") or 0))
    except (ValueError, ValidationError):
        return None


def _errors(error: ValidationError) -> list[str]:
    return [f"{k}: {' '.join(v)}" for k, v in error.message_dict.items()] if hasattr(error, "error_dict") else error.messages


class FieldPage(OrganizationMixin, View):
    allowed_roles = tuple(WORKING_ROLES)
    template = ""

    def show(self, context: dict[str, Any], status: int = 200) -> HttpResponse:
        context.update(organization=self.organization, membership=self.membership,
                       zone=localtime.zone_for(self.organization), dispatcher=is_dispatcher(self.membership))
        return render(self.request, f"fieldwork/{self.template}", context, status=status)

    def task(self, task_id: int) -> Task:
        return get_object_or_404(services.visible_tasks(self.membership).prefetch_related(
            "assignments__member__user"), pk=task_id)

    def members(self) -> list[Membership]:
        return [m for m in Membership.objects.for_organization(self.organization).select_related("user")
                .filter(user__is_active=True) if m.clocks_in]


class TasksView(FieldPage):
    """All open tasks, or one local day's (``?day=``) as a calendar day."""

    template = "tasks.html"

    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        day_text, status = request.GET.get("day", ""), request.GET.get("status", "")
        try:
            tasks = list(dispatch.filtered(self.membership, day=day_text, status=status))
            day = dispatch.parse_day(self.membership, day_text) if day_text else None
        except ValidationError as error:
            return self.show({"tasks": [], "errors": _errors(error), "statuses": Status.choices}, status=400)
        if day is None and not status:
            tasks = [t for t in tasks if t.status not in services.FINAL] + [
                t for t in tasks if t.status in services.FINAL][:50]
        now = timezone.now()
        return self.show({"tasks": tasks, "day": day, "status": status, "statuses": Status.choices,
                          "late": {t.pk for t in tasks if dispatch.is_late(t, now)},
                          "previous": day - dt.timedelta(days=1) if day else None,
                          "next": day + dt.timedelta(days=1) if day else None,
                          "today": localtime.local_day(now, localtime.zone_for(self.organization))})


class TaskNewView(FieldPage):
    template = "task_form.html"

    def form(self, data: Any = None) -> TaskForm:
        return TaskForm(self.members(), Site.objects.for_organization(self.organization).filter(active=True),
                        Form.objects.filter(organization=self.organization, archived=False), data)

    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        services.require_dispatcher(self.membership)
        return self.show({"form": self.form()})

    def post(self, request: HttpRequest, org: str) -> HttpResponse:
        services.require_dispatcher(self.membership)
        form = self.form(request.POST)
        if form.is_valid():
            data = form.service_data()
            zone = localtime.zone_for(self.organization)
            for key in ("window_start", "window_end"):  # typed in the organization's local time
                if data[key] is not None:
                    data[key] = data[key].replace(tzinfo=None).replace(tzinfo=zone)
            try:
                task = services.create_task(self.membership, services.TaskData(**data))
            except ValidationError as error:
                apply_form_errors(form, error)
            else:
                messages.success(request, f"Task {task.title} created.")
                return redirect("fieldwork:task", org=org, task_id=task.pk)
        return self.show({"form": form}, status=400)


class TaskPage(FieldPage):
    template = "task.html"

    def detail(self, task_id: int, status: int = 200, errors: list[str] | None = None) -> HttpResponse:
        task = self.task(task_id)
        actor = self.membership
        assigned = services.is_assignee(task, actor)
        next_steps = [(s, label) for s, label in Status.choices
                      if s not in (Status.NEW, Status.ASSIGNED) and task.status not in services.FINAL
                      and services.RANK[Status(s)] > services.RANK[Status(task.status)]]
        bid = task.bids.filter(status=BidStatus.OPEN).first() if is_dispatcher(actor) else None
        return self.show({
            "task": task, "customer": reading.customer(actor, task), "entries": reading.entries(actor, task),
            "photos": reading.photos(actor, task), "attachments": attachments.listed(actor, task),
            "submissions": list(reading.submissions(actor, task=task)[:50]),
            "can_report": assigned or is_dispatcher(actor), "next_steps": next_steps,
            "assignee_ids": {a.member_id for a in task.assignments.all()}, "members": self.members(),
            "bid": bid, "offers": reading.offers(actor, bid=bid) if bid else [],
            "late": dispatch.is_late(task), "errors": errors or []}, status=status)


class TaskDetailView(TaskPage):
    def get(self, request: HttpRequest, org: str, task_id: int) -> HttpResponse:
        return self.detail(task_id)


class TaskEntryView(TaskPage):
    """A task entry from the page (FW2): status step and/or note, an optional photo."""

    def post(self, request: HttpRequest, org: str, task_id: int) -> HttpResponse:
        task = self.task(task_id)
        upload = request.FILES.get("photo")
        try:
            if upload is not None:
                photos.check_photo(self.membership, task, upload.read(photos.MAX_BYTES + 1))
            entry = services.add_entry(self.membership, task, status=request.POST.get("status", ""),
                                       note=request.POST.get("note", ""), fix=_fix(request.POST))
            if upload is not None:
                upload.seek(0)
                photos.add_photo(self.membership, task, upload.read(photos.MAX_BYTES + 1), entry=entry)
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, ValidationError):
                return self.detail(task_id, status=400, errors=_errors(error))
            return self.detail(task_id, status=403, errors=[str(error)])
        messages.success(request, "Your report was saved.")
        return redirect("fieldwork:task", org=org, task_id=task.pk)


class TaskAssignView(TaskPage):
    def post(self, request: HttpRequest, org: str, task_id: int) -> HttpResponse:
        task = self.task(task_id)
        try:
            services.assign(self.membership, task, [int(v) for v in request.POST.getlist("assignees") if v.isdigit()])
        except ValidationError as error:
            return self.detail(task_id, status=400, errors=_errors(error))
        messages.success(request, "Assignees saved.")
        if request.POST.get("next") == "dispatch":
            return redirect("fieldwork:dispatch", org=org)
        return redirect("fieldwork:task", org=org, task_id=task.pk)


class TaskBidView(TaskPage):
    def post(self, request: HttpRequest, org: str, task_id: int) -> HttpResponse:
        task = self.task(task_id)
        try:
            bids.offer(self.membership, task, [int(v) for v in request.POST.getlist("members") if v.isdigit()])
        except ValidationError as error:
            return self.detail(task_id, status=400, errors=_errors(error))
        messages.success(request, "The job was offered.")
        return redirect("fieldwork:task", org=org, task_id=task.pk)


class PhotoView(FieldPage):
    def get(self, request: HttpRequest, org: str, task_id: int, photo_id: int) -> StreamingHttpResponse:
        self.task(task_id)
        photo = reading.photo(self.membership, photo_id)
        if photo is None or photo.task_id != task_id:
            raise Http404
        answer = StreamingHttpResponse(photos.open_photo(self.membership, photo), content_type=photo.content_type)
        answer["Content-Length"] = str(photo.size)
        answer["Cache-Control"] = "private, no-store"
        return answer


class AttachmentsView(TaskPage):
    """Attach a document to the task (FW1; dispatchers)."""

    def post(self, request: HttpRequest, org: str, task_id: int) -> HttpResponse:
        task = self.task(task_id)
        services.require_dispatcher(self.membership)
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError({"file": "Choose a file to attach."})
            if (upload.size or 0) > attachments.MAX_BYTES:
                raise attachments.too_large()
            attachments.attach(self.membership, task, upload.name or "", upload.read())
        except ValidationError as error:
            return self.detail(task_id, status=getattr(error, "http_status", 400), errors=_errors(error))
        messages.success(request, "The document was attached.")
        return redirect(f"{reverse('fieldwork:task', kwargs={'org': org, 'task_id': task.pk})}#attachments")


class AttachmentView(FieldPage):
    """The document itself, streamed as a download (assignees and dispatchers)."""

    def get(self, request: HttpRequest, org: str, task_id: int, attachment_id: int) -> StreamingHttpResponse:
        task = self.task(task_id)
        found = attachments.find(self.membership, task, attachment_id)
        if found is None:
            raise Http404
        return attachments.download_response(self.membership, found)


class AttachmentDeleteView(TaskPage):
    def post(self, request: HttpRequest, org: str, task_id: int, attachment_id: int) -> HttpResponse:
        task = self.task(task_id)
        found = attachments.find(self.membership, task, attachment_id)
        if found is None:
            raise Http404
        attachments.delete(self.membership, found)
        messages.success(request, "The attachment was deleted.")
        return redirect(f"{reverse('fieldwork:task', kwargs={'org': org, 'task_id': task.pk})}#attachments")


# --- forms (FW3) -------------------------------------------------------------------------

class FormsView(FieldPage):
    template = "forms.html"

    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        forms = Form.objects.filter(organization=self.organization, archived=False).prefetch_related("versions")
        return self.show({"forms": forms})


class FormEditView(FieldPage):
    template = "form_builder.html"

    def form(self, form_id: int | None) -> Form | None:
        return None if form_id is None else scoped_get(Form.objects.all(), self.organization, pk=form_id)

    def get(self, request: HttpRequest, org: str, form_id: int | None = None) -> HttpResponse:
        services.require_dispatcher(self.membership)
        form = self.form(form_id)
        current = form.current if form else None
        return self.show({"form": form, "name": form.name if form else "", "version": current,
                          "rows": builder_rows(current.definition if current else None), "types": TYPE_CHOICES})

    def post(self, request: HttpRequest, org: str, form_id: int | None = None) -> HttpResponse:
        services.require_dispatcher(self.membership)
        form = self.form(form_id)
        definition = parse_builder(request.POST)
        try:
            version = services.save_form(self.membership, request.POST.get("name", ""), definition, form)
        except ValidationError as error:
            return self.show({"form": form, "name": request.POST.get("name", ""), "errors": builder_errors(error),
                              "rows": builder_rows(definition), "types": TYPE_CHOICES}, status=400)
        messages.success(request, f"Saved version {version.number} of {version.form.name}.")
        return redirect("fieldwork:forms", org=org)


def parse_answers(definition: dict[str, Any], post: Any) -> dict[str, Any]:
    """The fill page's POST as typed answers; the service checks them against the version."""
    answers: dict[str, Any] = {}
    for field in definition.get("fields", []):
        fid, kind = field["id"], field["type"]
        if kind == "multiple_choice":
            answers[fid] = post.getlist(f"a-{fid}")
        elif kind == "checkbox":
            answers[fid] = post.get(f"a-{fid}") == "on"
        elif kind == "number":
            raw = post.get(f"a-{fid}", "").strip()
            try:
                answers[fid] = None if not raw else (int(raw) if raw.lstrip("-").isdigit() else float(raw))
            except ValueError:
                answers[fid] = raw
        elif kind == "location":
            lat, lon = post.get(f"a-{fid}-lat", "").strip(), post.get(f"a-{fid}-lon", "").strip()
            try:
                answers[fid] = {"lat": float(lat), "lon": float(lon)} if lat or lon else None
            except ValueError:
                answers[fid] = {"lat": lat, "lon": lon}
        else:
            answers[fid] = post.get(f"a-{fid}", "").strip() or None
    return answers


class FormFillView(FieldPage):
    template = "form_fill.html"

    def get(self, request: HttpRequest, org: str, form_id: int, status: int = 200,
            errors: list[str] | None = None, values: dict[str, Any] | None = None) -> HttpResponse:
        form = scoped_get(Form.objects.all(), self.organization, pk=form_id)
        task_id = request.GET.get("task") or request.POST.get("task") or ""
        task = self.task(int(task_id)) if task_id.isdigit() else None
        return self.show({"form": form, "version": form.current, "task": task, "errors": errors or [],
                          "values": values or {}, "type_labels": TYPE_LABELS}, status=status)

    def post(self, request: HttpRequest, org: str, form_id: int) -> HttpResponse:
        form = scoped_get(Form.objects.all(), self.organization, pk=form_id)
        task_id = request.POST.get("task", "")
        task = self.task(int(task_id)) if task_id.isdigit() else None
        version_text = request.POST.get("version", "")
        current = form.current
        answers = parse_answers(current.definition if current else {}, request.POST)
        try:
            services.submit_form(self.membership, form.pk, int(version_text) if version_text.isdigit() else None,
                                 answers, task=task, fix=_fix(request.POST))
        except ValidationError as error:
            return self.get(request, org, form_id, status=400, errors=_errors(error), values=answers)
        messages.success(request, f"{form.name} submitted.")
        if task is not None:
            return redirect("fieldwork:task", org=org, task_id=task.pk)
        return redirect("fieldwork:forms", org=org)


class SubmissionsView(FieldPage):
    template = "submissions.html"

    def get(self, request: HttpRequest, org: str, form_id: int) -> Any:
        form = scoped_get(Form.objects.all(), self.organization, pk=form_id)
        fmt = request.GET.get("format", "")
        if fmt:
            services.require_dispatcher(self.membership)
            if fmt not in exports.FORMATS:
                return self.show({"form": form, "errors": ["format: Choose csv or xlsx."], "rows": []}, status=400)
            return exports.response(self.membership, form, fmt)
        table = list(exports.table(self.membership, form))
        # Each cell with its column's name: on a phone a row becomes a card ("Member Mina Member").
        return self.show({"form": form, "header": table[0], "rows": [list(zip(table[0], row, strict=True))
                                                                      for row in table[1:201]]})


# --- bids (FW5) -----------------------------------------------------------------------------

class BidsPage(FieldPage):
    template = "bids.html"

    def page(self, status: int = 200, errors: list[str] | None = None) -> HttpResponse:
        actor = self.membership
        open_bids = list(Bid.objects.filter(organization=self.organization).select_related("task", "awarded_to__user")
                         .order_by("-created_at")[:50]) if is_dispatcher(actor) else []
        offers_by_bid: dict[int, list[BidOffer]] = {}
        if open_bids:
            for o in reading.offers(actor, bid__in=open_bids):
                offers_by_bid.setdefault(o.bid_id, []).append(o)
        return self.show({"mine": reading.offers(actor, member=actor)[:50], "bids": [
            (b, offers_by_bid.get(b.pk, [])) for b in open_bids], "errors": errors or []}, status=status)


class BidsView(BidsPage):
    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        return self.page()


class OfferAnswerView(BidsPage):
    def post(self, request: HttpRequest, org: str, offer_id: int) -> HttpResponse:
        offer = get_object_or_404(BidOffer.objects.select_related("bid__task", "member").filter(
            organization=self.organization, member=self.membership), pk=offer_id)
        raw_eta = request.POST.get("eta_minutes", "").strip()
        try:
            bids.answer_bid(self.membership, offer, request.POST.get("answer"),
                            int(raw_eta) if raw_eta.isdigit() else (raw_eta or None), _fix(request.POST))
        except ValidationError as error:
            return self.page(status=400, errors=_errors(error))
        messages.success(request, "Your answer was sent.")
        return redirect("fieldwork:bids", org=org)


class BidAwardView(BidsPage):
    def post(self, request: HttpRequest, org: str, bid_id: int) -> HttpResponse:
        services.require_dispatcher(self.membership)
        bid = scoped_get(Bid.objects.select_related("task"), self.organization, pk=bid_id)
        member = request.POST.get("member", "")
        try:
            bids.award(self.membership, bid, int(member) if member.isdigit() else None)
        except ValidationError as error:
            return self.page(status=400, errors=_errors(error))
        messages.success(request, "The job was awarded; everyone who was offered it is told.")
        return redirect("fieldwork:bids", org=org)


# --- dispatcher board (FW6) -------------------------------------------------------------------

class DispatchView(FieldPage):
    template = "dispatch.html"

    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        services.require_dispatcher(self.membership)
        try:
            board = dispatch.board(self.membership, request.GET.get("day", ""))
        except ValidationError as error:
            return self.show({"errors": _errors(error), "board": None}, status=400)
        positions = dispatch.positions(self.membership)
        now = timezone.now()
        late = {t.pk for row in board.rows for t in row.tasks if dispatch.is_late(t, now)}
        map_data = {"tiles": settings.OFFICIUM_MAP_TILES_URL, "positions": [{**p, "at": localtime.format_time(p["at"], localtime.zone_for(self.organization))}
                                  for p in positions]}
        return self.show({"board": board, "late": late, "members": self.members(), "map_data": map_data,
                          "statuses": Status.choices})


# --- the customer's opt-out (FW7) ---------------------------------------------------------------

class EtaOptOutView(View):
    """Public: the link in the arrival message. GET asks, POST stops the messages."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        from officium.fieldwork.models import Customer

        if not Customer.objects.filter(opt_out_token=token).exists():
            raise Http404
        return render(request, "fieldwork/eta_opt_out.html", {"done": False})

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        if eta.opt_out(token) is None:
            raise Http404
        return render(request, "fieldwork/eta_opt_out.html", {"done": True})
