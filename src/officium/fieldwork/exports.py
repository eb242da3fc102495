"""Form submissions as CSV or XLSX (FW3): one column per field of the form's latest version
(fields only in older versions appended), then the version, member, times with their zone
and the location status; location answers only for readers who may see coordinates."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from typing import Any

from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase

from officium.accounts import localtime
from officium.accounts.models import Membership
from officium.fieldwork import audit_events as ev
from officium.fieldwork import definitions
from officium.fieldwork.models import Form
from officium.fieldwork.reading import submissions
from officium.privacy import audit

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def columns(form: Form) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for version in form.versions.order_by("-number"):
        for field in version.fields:
            seen.setdefault(str(field["id"]), field)
    return list(seen.values())


def table(actor: Membership, form: Form) -> Iterator[list[Any]]:
    fields = columns(form)
    zone = localtime.zone_for(actor.organization)
    yield ["Submission", "Version", "Member", "Local time", "Time zone", "UTC time", "Task", "Location",
           *[f["label"] for f in fields]]
    for s in submissions(actor, form):
        local = s.occurred_at.astimezone(zone)
        yield [s.pk, s.version.number, s.member.user.get_full_name() or s.member.user.email,
               local.isoformat(timespec="seconds"), zone.key, s.occurred_at.isoformat(timespec="seconds"),
               s.task_id or "", s.location.get_location_status_display() if s.location else "",
               *[definitions.display(f, s.answers.get(f["id"])) for f in fields]]


def response(actor: Membership, form: Form, fmt: str) -> HttpResponseBase:
    name = f"form-{form.pk}-submissions.{fmt}"
    audit.record(ev.SUBMISSIONS_EXPORTED, actor=actor.user_id, organization=actor.organization_id,
                 target=form, details={"format": fmt})
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        for row in table(actor, form):
            writer.writerow([_safe(v) for v in row])
        answer = HttpResponse(out.getvalue().encode("utf-8-sig"), content_type=CONTENT_TYPES["csv"])
        answer["Content-Disposition"] = f'attachment; filename="{name}"'
        return answer
    from openpyxl import Workbook  # imported when used: it adds ~8 MB to every worker

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Submissions")
    for row in table(actor, form):
        sheet.append([_safe(v) for v in row])
    spool = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it)
    book.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=name, content_type=CONTENT_TYPES["xlsx"])


def _safe(value: Any) -> Any:
    """No formula injection: text starting like a formula is prefixed with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
