"""Access and portability files (RI1, RI2): one query per registered model, streamed into a
ZIP, sealed as it is written (see "sealed at rest" below), under a temporary name renamed when
complete, so a crash never leaves a file that looks finished and a rerun simply writes it again.

Access: ``README.txt``, ``context.json`` (Art. 15 context) and ``records/<model>.csv``.
Portability: only what the person provided or generated, as ``data.json`` with its JSON
Schema (``data.schema.json``), a CSV per record type and a README.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings

from officium.privacy.rights import crashpoints
from officium.privacy.rights.records import RecordType, Subject, record_types, rows
from officium.privacy.vault import keys as vault_keys
from officium.privacy.vault.crypto import derive_subkey, pack_parts
from officium.privacy.vault.stream import (
    StreamEncryptor,
    decrypt_all,
    plaintext_size_of,
    read_at_from_file,
)

Progress = Callable[[int], None]


@dataclass
class ExportResult:
    path: Path
    size: int
    sha256: str
    counts: dict[str, int] = field(default_factory=dict)
    terms: dict[str, tuple[set[str], bool]] = field(default_factory=dict)


def exports_dir() -> Path:
    path = Path(settings.VAR_DIR) / "rights" / "exports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def export_path(ref: str, kind: str) -> Path:
    return exports_dir() / f"{ref}-{kind}.zip"


def write_export(ref: str, kind: str, subject: Subject, *, context: Callable[[dict[str, Any]], dict[str, Any]],
                 exclude: frozenset[type] = frozenset(), progress: Progress | None = None) -> ExportResult:
    """Write the whole answer for ``subject``; ``context`` turns the per-type terms into the
    Art. 15 context (access) or the README facts (portability)."""
    final = export_path(ref, kind)
    for stale in final.parent.glob(f"{final.name}.tmp*"):
        stale.unlink(missing_ok=True)  # a crashed earlier attempt
    tmp = final.with_name(f"{final.name}.tmp{os.getpid()}")
    portable = kind == "portability"
    types = record_types(provided_only=portable, exclude=exclude)
    result = ExportResult(path=final, size=0, sha256="")
    data: dict[str, Any] = {}
    # Owner-only from creation (sealed or not, an answer is nobody else's to read).
    owner_only = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(owner_only, "wb") as raw, _SealedWriter(raw, final.name) as sealed, \
            zipfile.ZipFile(sealed, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for index, record_type in enumerate(types):
            found = rows(record_type, subject)
            if found:
                _write_csv(archive, record_type, found)
                result.counts[record_type.label] = len(found)
                result.terms[record_type.label] = (
                    {t for t in record_type.terms.values() if t != "-"},
                    record_type.registration.provided_by_subject)
                if portable:
                    data[record_type.label] = {"fields": list(record_type.columns), "rows": found}
            if progress is not None:
                progress(int(90 * (index + 1) / max(len(types), 1)))
            crashpoints.reached("export")
        facts = context(result.terms)
        if portable:
            archive.writestr("data.json", json.dumps({"records": data}, default=str,
                                                     separators=(",", ":")))
            archive.writestr("data.schema.json", json.dumps(json_schema(types), indent=1))
        else:
            archive.writestr("context.json", json.dumps(facts, indent=1, default=str))
        archive.writestr("README.txt", readme(kind, result.counts, facts))
    result.sha256, result.size = sealed.sha256, sealed.size
    os.replace(tmp, final)
    return result


# --- sealed at rest -------------------------------------------------------------------------
# An answer holds everything about a person, and waits days for its download: the file on disk
# is the ZIP sealed with the vault's streaming AEAD (records), under a key derived for that
# file's name from the service key "rights-exports". It is written sealed as the ZIP is made
# (no plaintext copy ever reaches the disk) and opened record by record when downloaded.

EXPORT_KEY = "rights-exports"


def _file_key(name: str) -> bytes:
    keys = vault_keys.load(vault_keys.SERVICE, EXPORT_KEY)
    if keys is None:  # pragma: no cover  (create=True always returns keys)
        raise vault_keys.KeyDestroyed("the export key is missing")
    return derive_subkey(keys.keys[min(keys.keys)], f"rights-export:{name}")


def _file_aad(name: str) -> bytes:
    return pack_parts("rights.export", name)


class _SealedWriter:
    """A write-only stream that seals what it is given into ``raw``: zipfile writes through it
    (without seek or tell, zipfile writes a streamable archive). The SHA-256 and size are of
    the plaintext ZIP, which is what the person downloads."""

    def __init__(self, raw: BinaryIO, name: str) -> None:
        self._raw = raw
        self._encryptor = StreamEncryptor(_file_key(name), _file_aad(name))
        self._digest = hashlib.sha256()
        self.size = 0
        raw.write(self._encryptor.header())

    def write(self, data: bytes) -> int:
        self._digest.update(data)
        self.size += len(data)
        self._raw.write(self._encryptor.update(data))
        return len(data)

    def flush(self) -> None:
        self._raw.flush()

    def close(self) -> None:
        """Part of zipfile's writable protocol; zipfile never closes a stream it was given,
        and ``__exit__`` finishes the seal."""

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    def __enter__(self) -> _SealedWriter:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is None:
            self._raw.write(self._encryptor.finalize())
            self._raw.flush()
            os.fsync(self._raw.fileno())


def open_export(path: Path) -> Iterator[bytes]:
    """The plaintext ZIP of a sealed export file, record by record; DecryptionError if the file
    was altered (nothing of a bad record is yielded)."""
    with path.open("rb") as handle:
        yield from decrypt_all(_file_key(path.name), _file_aad(path.name), read_at_from_file(handle))


def plaintext_size(path: Path) -> int:
    return plaintext_size_of(path.stat().st_size)


def _write_csv(archive: zipfile.ZipFile, record_type: RecordType, found: list[tuple[Any, ...]]) -> None:
    """The whole file is built in memory, then written into the archive in one call (small
    writes into a deflating archive member cost more than the rows themselves)."""
    header = csv_text([record_type.columns, [record_type.terms[c] for c in record_type.columns]])
    archive.writestr(f"records/{record_type.label}.csv", header + csv_text(found))


_NEEDS_QUOTES = re.compile(r'[",\r\n]')


def csv_text(found: Sequence[Sequence[Any]]) -> str:
    """Rows as CSV, exactly what ``csv.writer`` (excel dialect) writes, built a column at a
    time: one C-level ``str`` pass per column and a join per row instead of csv's per-field
    work, which dominated the export of ten thousand location rows."""
    if not found:
        return ""
    if len(found[0]) == 1:  # csv quotes a lone empty field; not worth a special case here
        buffer = io.StringIO()
        csv.writer(buffer).writerows(found)
        return buffer.getvalue()
    columns = map(_csv_column, zip(*found, strict=True))
    return "\r\n".join(map(",".join, zip(*columns, strict=True))) + "\r\n"


def _csv_column(values: tuple[Any, ...]) -> list[str]:
    kinds = set(map(type, values))
    if kinds == {str}:
        texts = list(values)
    elif type(None) in kinds:
        texts = ["" if value is None else str(value) for value in values]
    else:
        texts = list(map(str, values))
    if _NEEDS_QUOTES.search("\x00".join(texts)):
        texts = ['"' + text.replace('"', '""') + '"' if _NEEDS_QUOTES.search(text) else text
                 for text in texts]
    return texts


def json_schema(types: list[RecordType]) -> dict[str, Any]:
    """JSON Schema (2020-12) of ``data.json``: each record type lists its fields and rows."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Officium portability export",
        "type": "object",
        "required": ["records"],
        "properties": {"records": {"type": "object", "additionalProperties": False, "properties": {
            t.label: {
                "type": "object", "required": ["fields", "rows"],
                "description": "Fields with their DPV categories: " + ", ".join(
                    f"{c}={t.terms[c]}" for c in t.columns),
                "properties": {
                    "fields": {"const": list(t.columns)},
                    "rows": {"type": "array", "items": {
                        "type": "array", "minItems": len(t.columns), "maxItems": len(t.columns)}},
                },
            } for t in types}}},
    }


def _title(label: str) -> str:
    """PV4: "attendance.LocationEvent" as people read it: "Location events (attendance.LocationEvent)"."""
    from django.apps import apps

    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return label
    return f"{str(model._meta.verbose_name_plural).capitalize()} (file {label})"


def readme(kind: str, counts: dict[str, int], facts: dict[str, Any]) -> str:
    lines = [
        "Officium: your personal data" if kind == "access" else "Officium: your data, portable",
        "",
        "records/<record type>.csv: one file per kind of record, first row the field names,",
        "second row each field's category (W3C DPV term; '-' means not personal: ids, times).",
    ]
    if kind == "access":
        lines += ["context.json: why we process it, categories, recipients, retention, your",
                  "rights, where to complain, the sources (GDPR Art. 15(1)(a)-(h)).", ""]
    else:
        lines += ["data.json: the same records as JSON; data.schema.json: its JSON Schema.",
                  "Only data you provided or generated by using the service (GDPR Art. 20).", ""]
    lines += ["Records:"] + [f"  {_title(label)}: {n}" for label, n in sorted(counts.items())]
    controller = facts.get("controller", {}) if isinstance(facts, dict) else {}
    if controller:
        lines += ["", f"Controller: {controller.get('name')}"]
    return "\n".join(lines) + "\n"
