"""CSV and XLSX exports of the attendance report (WT7), for payroll.

Times are written as text in ISO 8601 with their UTC offset (local time of the record's site,
or the organization), next to the zone's name and the UTC instant, so a spreadsheet never
reads them in the wrong zone (Excel has no time zones). Location columns appear only when the
reader may see some of the export's coordinates (``report.shows_locations``); each cell comes
through ``for_purpose`` and its read is audited. CSV streams keyset batches as they are read;
XLSX uses openpyxl's write-only workbook (rows are not kept in memory).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

from officium.accounts.models import Membership
from officium.attendance import report

HEADER = ["Member", "Member id", "In/out", "Local time", "Time zone", "UTC time", "Work day",
          "Result", "Verdict", "Shift", "Site"]
LOCATION_HEADER = ["Latitude", "Longitude", "Accuracy (m)"]
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def header(locations: bool) -> list[str]:
    return HEADER + (LOCATION_HEADER if locations else [])


def values(row: report.Row, locations: bool) -> list[Any]:
    out: list[Any] = [row.member, row.member_id, row.direction, row.local_iso, row.zone.key, row.utc_iso,
                      row.work_day.isoformat() if row.work_day else "", row.result, row.verdict,
                      row.shift_status, row.site]
    if locations:
        out += [row.latitude, row.longitude, row.accuracy]
    return out


def rows(actor: Membership, filters: report.Filters, locations: bool) -> Iterator[list[Any]]:
    yield header(locations)
    for batch in report.batches(actor, filters, locations=locations):
        for row in batch:
            yield values(row, locations)


def filename(filters: report.Filters, fmt: str) -> str:
    return f"attendance-{filters.start.isoformat()}-{filters.end.isoformat()}.{fmt}"


class _Line:
    """A file-like sink that hands back what csv.writer wrote for one row."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()

    def write(self, text: str) -> int:
        return self.buffer.write(text)

    def take(self) -> str:
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return text


def csv_chunks(lines: Iterable[list[Any]], every: int = 500) -> Iterator[bytes]:
    """CSV as byte chunks of about ``every`` rows (a streaming response sends them as read).
    Cells that a spreadsheet would run as a formula are prefixed with a quote."""
    sink = _Line()
    writer = csv.writer(sink)
    count = 0
    for line in lines:
        writer.writerow([_safe(v) for v in line])
        count += 1
        if count % every == 0:
            yield sink.take().encode()
    rest = sink.take()
    if rest:
        yield rest.encode()


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def xlsx_file(lines: Iterable[list[Any]]) -> Any:
    """A temporary file holding the workbook, rewound (the response streams and closes it)."""
    from openpyxl import Workbook  # imported when used: it adds ~8 MB to every worker

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Attendance")
    for line in lines:
        sheet.append([_safe(v) if isinstance(v, str) else v for v in line])
    out = tempfile.TemporaryFile()
    book.save(out)
    out.seek(0)
    return out


def response(actor: Membership, filters: report.Filters, fmt: str) -> HttpResponseBase:
    """The export as a download; the report page and the API both answer with this."""
    locations = report.shows_locations(actor, filters)
    lines = rows(actor, filters, locations)
    answer: HttpResponseBase
    if fmt == "csv":
        answer = StreamingHttpResponse(csv_chunks(lines), content_type=CONTENT_TYPES["csv"])
    else:
        answer = FileResponse(xlsx_file(lines), content_type=CONTENT_TYPES["xlsx"])
    answer["Content-Disposition"] = f'attachment; filename="{filename(filters, fmt)}"'
    answer["Cache-Control"] = "no-store"
    return answer
