"""Serving an export: only to its requester, only before the link expires, each download
audited (RI2)."""

from __future__ import annotations

import logging

from django.db.models import F
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

from officium.privacy import audit
from officium.privacy.actors import AuditActor
from officium.privacy.rights.export import exports_dir, open_export, plaintext_size
from officium.privacy.rights.models import ExportFile, RightsRequest
from officium.privacy.vault.crypto import DecryptionError

logger = logging.getLogger(__name__)


def serve_export(request: RightsRequest, actor: AuditActor) -> HttpResponseBase:
    export = ExportFile.objects.filter(request=request).first()
    if export is None or not export.name:
        raise Http404
    if export.expired:
        return HttpResponse("This download link has expired: file a new request.", status=410,
                            content_type="text/plain")
    path = exports_dir() / export.name
    if not path.is_file():
        raise Http404
    try:  # a sealed file is checked whole before its first byte is sent
        for _record in open_export(path):
            pass
    except DecryptionError:
        logger.error("export file of request %s does not open (altered on disk)", request.pk)
        return HttpResponse("This file could not be read back intact: file a new request, "
                            "or write to the privacy officer.", status=500, content_type="text/plain")
    ExportFile.objects.filter(pk=export.pk).update(downloads=F("downloads") + 1)
    audit.record("rights.export_downloaded", actor=actor, organization=request.organization_id,
                 subject=request.subject_ref, target=request,
                 details={"kind": export.kind, "sha256": export.sha256})
    response = StreamingHttpResponse(open_export(path), content_type="application/zip")
    response["Content-Length"] = str(plaintext_size(path))
    response["Content-Disposition"] = f'attachment; filename="officium-{export.kind}-{request.ref}.zip"'
    return response
