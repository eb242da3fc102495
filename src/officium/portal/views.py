"""Portal pages: parse, check access (space membership), call a service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import TemplateView

from officium.accounts.models import Membership, User
from officium.accounts.scoping import OrganizationMixin, membership_for
from officium.portal import services, sharing
from officium.portal.http import file_response
from officium.portal.models import File, Space
from officium.portal.plans import max_file_size
from officium.portal.storage import blob_store
from officium.privacy import audit


def _errors(error: ValidationError) -> str:
    return " ".join(f"{m}" for m in error.messages)


class SpacesView(OrganizationMixin, TemplateView):
    template_name = "portal/spaces.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(spaces=services.spaces_for(self.membership),
                       can_create=self.membership.role in services.SPACE_MANAGERS)
        return context

    def post(self, request: HttpRequest, org: str) -> HttpResponse:
        try:
            space = services.create_space(self.membership, request.POST.get("name", ""))
        except ValidationError as error:
            messages.error(request, _errors(error))
            return redirect("portal:spaces", org=org)
        return redirect("portal:space", org=org, space_id=space.pk)


class SpaceMixin(OrganizationMixin):
    """Resolves ``space_id`` through the acting membership: not a member means 404."""

    space: Space

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.membership = membership_for(request, kwargs["org"])
        self.organization = self.membership.organization
        self.space = services.space_for(self.membership, kwargs["space_id"])
        self.resolve(**kwargs)
        return super(OrganizationMixin, self).dispatch(request, *args, **kwargs)

    def resolve(self, **kwargs: Any) -> None:
        """Look up the objects named in the URL, through the space (404 if not in it)."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["space"] = self.space
        return context


class SpaceView(SpaceMixin, TemplateView):
    template_name = "portal/space.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor, space = self.membership, self.space
        folder = services.folder_for(actor, space, kwargs["folder_id"]) if "folder_id" in kwargs else None
        context.update(
            folder=folder, folders=services.folders_in(actor, space, folder),
            files=services.files_in(actor, space, folder), members=services.members_of(actor, space),
            can_manage=actor.role in services.SPACE_MANAGERS,
            candidates=(services.candidates_for(actor, space)
                        if actor.role in services.SPACE_MANAGERS else []))
        return context

    def post(self, request: HttpRequest, org: str, space_id: int, folder_id: int | None = None) -> HttpResponse:
        """Create a folder here."""
        try:
            folder = services.create_folder(self.membership, self.space,
                                            request.POST.get("name", ""), folder_id)
        except ValidationError as error:
            messages.error(request, _errors(error))
            folder = None
        if folder is None:
            return redirect(request.path)
        return redirect("portal:folder", org=org, space_id=space_id, folder_id=folder.pk)


class SpaceMembersView(SpaceMixin, View):
    def post(self, request: HttpRequest, org: str, space_id: int) -> HttpResponse:
        raw = request.POST.get("membership", "")
        try:
            services.add_member(self.membership, self.space, int(raw) if raw.isdigit() else 0)
        except ValidationError as error:
            messages.error(request, _errors(error))
        return redirect("portal:space", org=org, space_id=space_id)


class RemoveSpaceMemberView(SpaceMixin, View):
    def post(self, request: HttpRequest, org: str, space_id: int, space_member_id: int) -> HttpResponse:
        try:
            services.remove_member(self.membership, self.space, space_member_id)
        except ValidationError as error:
            messages.error(request, _errors(error))
        return redirect("portal:space", org=org, space_id=space_id)


class UploadView(SpaceMixin, TemplateView):
    template_name = "portal/upload.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        raw = self.request.GET.get("folder", "")
        folder = services.folder_for(self.membership, self.space, int(raw)) if raw.isdigit() else None
        context.update(folder=folder, limit=max_file_size(self.organization.plan))
        return context


class FileMixin(SpaceMixin):
    file: File

    def resolve(self, **kwargs: Any) -> None:
        self.file = services.file_for(self.membership, kwargs["file_id"], self.space)


class FileView(FileMixin, TemplateView):
    template_name = "portal/file.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        log = services.access_log(self.membership, self.file)
        people: dict[int | None, User] = {
            m.user_id: m.user for m in self.scoped(Membership.objects.select_related("user"))}
        context.update(file=self.file, shares=sharing.shares_of(self.membership, self.file),
                       access=[(entry, people.get(entry.actor_id)) for entry in log])
        return context


class FileDownloadView(FileMixin, View):
    def get(self, request: HttpRequest, org: str, space_id: int, file_id: int) -> HttpResponseBase:
        return file_response(request, self.membership, self.file)


class RevokeShareView(FileMixin, View):
    def post(self, request: HttpRequest, org: str, space_id: int, file_id: int, share_pk: int) -> HttpResponse:
        share = sharing.share_for(self.membership, share_pk)
        if share.file_id != self.file.pk:
            raise Http404
        sharing.revoke_share(self.membership, share)
        messages.success(request, "The link was revoked and its encrypted copy deleted.")
        return redirect("portal:file", org=org, space_id=space_id, file_id=file_id)


def share_page(request: HttpRequest, share_id: str) -> HttpResponse:
    """The recipient's page: no account, no key on the server; the browser decrypts."""
    share = sharing.public_share(share_id)
    return render(request, "portal/share.html", {"share": share, "file": share.file})


def share_data(request: HttpRequest, share_id: str) -> HttpResponseBase:
    """The link's ciphertext, as stored; counting one download."""
    share = sharing.take_share_download(share_id)

    def chunks() -> Any:
        with blob_store().reader(share.storage_name) as read_at:
            position = 0
            while position < share.ciphertext_size:
                piece = read_at(position, min(1 << 20, share.ciphertext_size - position))
                if not piece:
                    return
                position += len(piece)
                yield piece

    response = StreamingHttpResponse(chunks(), content_type="application/octet-stream")
    response["Content-Length"] = str(share.ciphertext_size)
    response["Cache-Control"] = "no-store"
    return response


def support_files(request: HttpRequest) -> HttpResponse:
    """Platform support: names, extensions, sizes and dates of every file; no contents, ever.

    There is deliberately no decrypting view for support or administrators (DO1).
    """
    if not (request.user.is_authenticated and request.user.is_staff):
        raise Http404
    files = (File.objects.select_related("organization").only(
        "name", "extension", "size", "created_at", "organization__name", "organization__slug")
        .order_by("-created_at")[:500])
    audit.record("portal.support_listing", actor=request.user,
                 details={"rows": len(files)})
    return render(request, "portal/support.html", {"files": files})
