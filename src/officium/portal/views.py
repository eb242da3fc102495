"""Portal pages: parse, check access (space membership), call a service, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.decorators.http import require_http_methods
from django.views.generic import TemplateView

from officium.accounts.models import Membership, User
from officium.accounts.roles import Role
from officium.accounts.scoping import OrganizationMixin, membership_for
from officium.errors import OfficiumError
from officium.portal import clients, files, imports, services, sharing
from officium.portal.http import file_response, preview_kind
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
        low, high = files.trash_bounds()
        context.update(spaces=services.spaces_for(self.membership),
                       can_create=self.membership.role in services.SPACE_MANAGERS,
                       is_client=self.membership.role == Role.CLIENT,
                       requests=clients.requests_for(self.membership),
                       can_set_trash=self.membership.role in services.SPACE_MANAGERS[:2],
                       trash_days=files.trash_days(self.organization.pk),
                       trash_min=low, trash_max=high)
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
        sort = self.request.GET.get("sort", "name")
        try:
            page = files.page_of(actor, space, folder, sort=sort,
                                 after=self.request.GET.get("after", ""))
        except ValidationError as error:
            messages.error(self.request, _errors(error))
            page = files.page_of(actor, space, folder)
        context.update(
            folder=folder, folders=page.folders, files=page.files, page=page,
            sort=page.sort, sorts=[("name", "Name A–Z"), ("-name", "Name Z–A"),
                                   ("-date", "Newest first"), ("date", "Oldest first"),
                                   ("-size", "Largest first"), ("size", "Smallest first")],
            trail=files.breadcrumbs(folder), targets=files.all_folders(actor, space),
            limit=max_file_size(self.organization.plan),
            members=services.members_of(actor, space),
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


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Back to the page the form was on (a local path only), else ``fallback``."""
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(fallback)


def _int_or_none(raw: str) -> int | None:
    return int(raw) if raw.isdigit() else None


# A row menu's actions (or drag and drop): the service changing the item, how its argument is
# read from the form (None: no argument), and the sentence saying what happened.
_RowAction = tuple[Callable[..., object], Callable[[QueryDict], object] | None, str]
_FILE_ACTIONS: dict[str, _RowAction] = {
    "rename": (files.rename_file, lambda post: post.get("name", ""), "Renamed to {0.name}."),
    "move": (files.move_file, lambda post: _int_or_none(post.get("folder", "")), "Moved {0.name}."),
    "trash": (files.trash_file, None, "{0.name} is in the trash; restore it from there."),
}
_FOLDER_ACTIONS: dict[str, _RowAction] = {
    "rename": (files.rename_folder, lambda post: post.get("name", ""), "Renamed to {0.name}."),
    "move": (files.move_folder, lambda post: _int_or_none(post.get("folder", "")), "Moved {0.name}."),
    "trash": (files.trash_folder, None, "{0.name} and what it holds are in the trash."),
}


def _row_action(request: HttpRequest, actor: Membership, item: object, action: str,
                table: dict[str, _RowAction], fallback: str) -> HttpResponse:
    """Run ``action`` on ``item`` (404 for an unknown one), say what happened or why not, go back."""
    if action not in table:
        raise Http404
    change, argument, said = table[action]
    try:
        if argument is None:
            change(actor, item)
        else:
            change(actor, item, argument(request.POST))
        messages.success(request, said.format(item))
    except ValidationError as error:
        messages.error(request, _errors(error))
    return _back(request, fallback)


class FileActionView(SpaceMixin, View):
    """Rename, move or trash a file (the space page's row menu, or drag and drop)."""

    def post(self, request: HttpRequest, org: str, space_id: int, file_id: int,
             action: str) -> HttpResponse:
        file = files.live_file_for(self.membership, file_id, self.space)
        fallback = (reverse("portal:folder", kwargs={"org": org, "space_id": space_id,
                                                     "folder_id": file.folder_id})
                    if file.folder_id else reverse("portal:space", kwargs={"org": org, "space_id": space_id}))
        return _row_action(request, self.membership, file, action, _FILE_ACTIONS, fallback)


class FolderActionView(SpaceMixin, View):
    """Rename, move or trash a folder and what it holds."""

    def post(self, request: HttpRequest, org: str, space_id: int, folder_id: int,
             action: str) -> HttpResponse:
        folder = services.folder_for(self.membership, self.space, folder_id)
        fallback = reverse("portal:space", kwargs={"org": org, "space_id": space_id})
        return _row_action(request, self.membership, folder, action, _FOLDER_ACTIONS, fallback)


class TrashView(SpaceMixin, TemplateView):
    template_name = "portal/trash.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(entries=files.trash_of(self.membership, self.space),
                       trash_days=files.trash_days(self.organization.pk))
        return context


class RestoreView(SpaceMixin, View):
    def post(self, request: HttpRequest, org: str, space_id: int, kind: str,
             trashed_file_id: int = 0, trashed_folder_id: int = 0) -> HttpResponse:
        item_id = trashed_file_id or trashed_folder_id
        try:
            if kind == "file":
                restored: Any = files.restore_file(self.membership, self.space, item_id)
            elif kind == "folder":
                restored = files.restore_folder(self.membership, self.space, item_id)
            else:
                raise Http404
            messages.success(request, f"Restored {restored.name}.")
        except ValidationError as error:
            messages.error(request, _errors(error))
        return redirect("portal:trash", org=org, space_id=space_id)


class SearchView(OrganizationMixin, TemplateView):
    template_name = "portal/search.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "")
        hits: list[files.Hit] = []
        if query.strip():
            try:
                hits = files.search(self.membership, query)
            except ValidationError as error:
                messages.error(self.request, _errors(error))
        context.update(query=query, hits=hits)
        return context


class TrashSettingsView(OrganizationMixin, View):
    def post(self, request: HttpRequest, org: str) -> HttpResponse:
        raw = request.POST.get("trash_days", "")
        try:
            days = files.set_trash_days(self.membership, int(raw) if raw.isdigit() else -1)
            messages.success(request, f"The trash now keeps files for {days} days.")
        except ValidationError as error:
            messages.error(request, _errors(error))
        return redirect("portal:spaces", org=org)


class SpaceRequestView(OrganizationMixin, View):
    def post(self, request: HttpRequest, org: str) -> HttpResponse:
        try:
            clients.request_space(self.membership, request.POST.get("name", ""),
                                  request.POST.get("note", ""))
            messages.success(request, "Your request was sent; staff have been told.")
        except ValidationError as error:
            messages.error(request, _errors(error))
        return redirect("portal:spaces", org=org)


class AnswerSpaceRequestView(OrganizationMixin, View):
    def post(self, request: HttpRequest, org: str, request_id: int) -> HttpResponse:
        try:
            answered = clients.answer_request(self.membership, request_id,
                                              request.POST.get("decision", ""))
        except ValidationError as error:
            messages.error(request, _errors(error))
            return redirect("portal:spaces", org=org)
        if answered.space_id:
            return redirect("portal:space", org=org, space_id=answered.space_id)
        messages.success(request, "The request was declined.")
        return redirect("portal:spaces", org=org)


class ImportsView(OrganizationMixin, TemplateView):
    template_name = "portal/imports.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(sources=imports.sources_for(self.membership),
                       jobs=imports.jobs_for(self.membership),
                       spaces=services.spaces_for(self.membership))
        return context

    def post(self, request: HttpRequest, org: str) -> HttpResponse:
        """Authorize a source (the password is sealed at once and never shown again)."""
        try:
            imports.authorize_source(self.membership, label=request.POST.get("label", ""),
                                     base_url=request.POST.get("base_url", ""),
                                     username=request.POST.get("username", ""),
                                     password=request.POST.get("password", ""))
            messages.success(request, "The source is authorized. Pick folders to import.")
        except ValidationError as error:
            messages.error(request, _errors(error))
        return redirect("portal:imports", org=org)


class StartImportView(OrganizationMixin, View):
    def post(self, request: HttpRequest, org: str) -> HttpResponse:
        try:
            space_raw = request.POST.get("space", "")
            if not space_raw.isdigit():
                raise ValidationError({"space": "Choose a space to import into."})
            space = services.space_for(self.membership, int(space_raw))
            paths = [line for line in request.POST.get("paths", "").splitlines() if line.strip()]
            source_raw = request.POST.get("source", "")
            imports.start_import(self.membership, source_id=int(source_raw) if source_raw.isdigit() else 0,
                                 space=space, folder_id=None, paths=paths or [""])
            messages.success(request, "The import started; it shows below as it goes.")
        except ValidationError as error:
            messages.error(request, _errors(error))
        return redirect("portal:imports", org=org)


class RevokeSourceView(OrganizationMixin, View):
    def post(self, request: HttpRequest, org: str, source_id: int) -> HttpResponse:
        imports.revoke_source(self.membership, imports.source_for(self.membership, source_id))
        messages.success(request, "The authorization was revoked and its password destroyed.")
        return redirect("portal:imports", org=org)


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
        live = self.file.current_id is None
        context.update(file=self.file, shares=sharing.shares_of(self.membership, self.file),
                       access=[(entry, sharing.describe(entry, people.get(entry.actor_id)))
                               for entry in log],
                       versions=files.versions_of(self.membership, self.file) if live else [],
                       live=live, preview=preview_kind(self.file),
                       targets=files.all_folders(self.membership, self.space),
                       now=timezone.now())
        return context


class FileDownloadView(FileMixin, View):
    def get(self, request: HttpRequest, org: str, space_id: int, file_id: int) -> HttpResponseBase:
        return file_response(request, self.membership, self.file)


class FilePreviewView(FileMixin, View):
    """The file inline, for the page's image, PDF or text view (PF2); 404 for other kinds."""

    def get(self, request: HttpRequest, org: str, space_id: int, file_id: int) -> HttpResponseBase:
        if not preview_kind(self.file):
            raise Http404
        return file_response(request, self.membership, self.file, preview=True)


class RevokeShareView(FileMixin, View):
    def post(self, request: HttpRequest, org: str, space_id: int, file_id: int, share_pk: int) -> HttpResponse:
        share = sharing.share_for(self.membership, share_pk)
        if share.file_id != self.file.pk:
            raise Http404
        sharing.revoke_share(self.membership, share)
        messages.success(request, "The link was revoked and its encrypted copy deleted.")
        return redirect("portal:file", org=org, space_id=space_id, file_id=file_id)


def _unlocked(request: HttpRequest, share: Any) -> bool:
    return not share.password_hash or share_id_key(share) in request.session.get(
        "portal_unlocked_shares", [])


def share_id_key(share: Any) -> str:
    return f"{share.pk}:{share.password_hash[-12:]}"


@require_http_methods(["GET", "POST"])
def share_page(request: HttpRequest, share_id: str) -> HttpResponse:
    """The recipient's page: no account, no key on the server; the browser decrypts.
    A link with a password asks for it first (throttled: see ``sharing.check_share_password``)."""
    share = sharing.public_share(share_id)
    error, status = "", 200
    if request.method == "POST":
        try:
            share = sharing.check_share_password(share_id, request.POST.get("password", ""))
            unlocked = request.session.get("portal_unlocked_shares", [])
            request.session["portal_unlocked_shares"] = [*unlocked[-20:], share_id_key(share)]
            return redirect(request.path)
        except ValidationError as failed:
            error, status = _errors(failed), 400
        except OfficiumError as locked:
            error, status = locked.message, locked.http_status
    response = render(request, "portal/share.html",
                      {"share": share, "file": share.file, "locked": not _unlocked(request, share),
                       "error": error, "preview": preview_kind(share.file)}, status=status)
    # the decrypted copy is shown from a blob: URL made in the page
    response._csp_update = {"img-src": ["blob:"], "frame-src": ["blob:"]}  # type: ignore[attr-defined]
    return response


def share_data(request: HttpRequest, share_id: str) -> HttpResponseBase:
    """The link's ciphertext, as stored; counting one download."""
    share = sharing.public_share(share_id)
    if not _unlocked(request, share):
        raise Http404
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
