"""Serving an export: only to its requester, only before the link expires, each download
audited (RI2)."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.http import FileResponse, Http404, HttpResponse

from officium.privacy import audit
from officium.privacy.rights.export import exports_dir
from officium.privacy.rights.models import ExportFile, RightsRequest


def serve_export(request: RightsRequest, actor: Any) -> HttpResponse:
    export = ExportFile.objects.filter(request=request).first()
    if export is None or not export.name:
        raise Http404
    if export.expired:
        return HttpResponse("This download link has expired: file a new request.", status=410,
                            content_type="text/plain")
    path = exports_dir() / export.name
    if not path.is_file():
        raise Http404
    ExportFile.objects.filter(pk=export.pk).update(downloads=F("downloads") + 1)
    audit.record("rights.export_downloaded", actor=actor, organization=request.organization_id,
                 subject=request.subject_ref, target=request,
                 details={"kind": export.kind, "sha256": export.sha256})
    return FileResponse(path.open("rb"), as_attachment=True,
                        filename=f"officium-{export.kind}-{request.ref}.zip",
                        content_type="application/zip")
