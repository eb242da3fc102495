"""Whose rows are where: every registered model of every app, read from the registry only.

One query per registered model, filtered by the registration's ``subject_q`` (index-backed:
each subject path ends in a foreign key), plus rows that name the person's verified email in
a field classified as an email address (invitations, newsletter sign-ups). Rows come back as
plain tuples straight from the database cursor when every column is a built-in Django field
(vault fields are opened with the subject's cached key), so an export does little per-row Python.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db import connections, models
from django.db.models import Q
from django.db.models.functions import Cast

from officium.db import Prepared
from officium.privacy import registry
from officium.privacy.policy import dpv

EMAIL_ROOT = "pd:EmailAddress"


@dataclass(frozen=True)
class Subject:
    """A data subject: an account id, and/or an email address verified by code."""

    user_id: int | None = None
    email: str = ""

    @property
    def known(self) -> bool:
        return self.user_id is not None or bool(self.email)


@dataclass(frozen=True)
class RecordType:
    registration: registry.Registration
    columns: tuple[str, ...]        # field names, the primary key first
    terms: dict[str, str]           # column -> DPV term (NOT_PERSONAL for the key/anchor)

    @property
    def label(self) -> str:
        return self.registration.label

    @property
    def title(self) -> str:
        """PV4: the record type as people read it ("Location events"), not a model label."""
        return str(self.model._meta.verbose_name_plural).capitalize()

    @property
    def headings(self) -> tuple[str, ...]:
        """PV4: each column's readable name ("Occurred at"), the key named "Record"."""
        pk = self.model._meta.pk.name if self.model._meta.pk is not None else ""
        return tuple("Record" if c == pk else
                     str(getattr(self.model._meta.get_field(c), "verbose_name", c)).capitalize()
                     for c in self.columns)

    @property
    def model(self) -> type[models.Model]:
        return self.registration.model


def record_types(*, provided_only: bool = False, exclude: frozenset[type] = frozenset()) -> list[RecordType]:
    """Every registered model as an export record type, in a stable order."""
    from officium.privacy.policy_runtime import collected_signup_keys

    found = []
    for reg in sorted(registry.registrations(), key=lambda r: r.label):
        if reg.model in exclude or (provided_only and not reg.provided_by_subject):
            continue
        personal = reg.personal_fields(collected_signup_keys())
        pk = reg.model._meta.pk.name
        columns = [pk, *personal]
        if reg.retention_anchor and reg.retention_anchor not in columns:
            columns.append(reg.retention_anchor)
        terms = {c: personal.get(c, registry.NOT_PERSONAL) for c in columns}
        found.append(RecordType(reg, tuple(columns), terms))
    return found


def email_fields(reg: registry.Registration) -> list[str]:
    return [name for name, term in reg.fields.items()
            if term == EMAIL_ROOT or (term != registry.NOT_PERSONAL and dpv.is_term(term)
                                      and dpv.is_a(term, EMAIL_ROOT))]


def subject_q(reg: registry.Registration, subject: Subject) -> Q | None:
    parts = []
    if subject.user_id is not None:
        parts.append(reg.subject_q(subject.user_id))
    if subject.email:
        parts += [Q(**{f"{name}__iexact": subject.email}) for name in email_fields(reg)]
    return reduce(or_, parts) if parts else None


def queryset(reg: registry.Registration, subject: Subject) -> models.QuerySet[Any] | None:
    q = subject_q(reg, subject)
    if q is None:
        return None
    qs = reg.model._base_manager.filter(q)
    if subject.email and subject.user_id is not None and reg.subject != registry.SELF:
        qs = qs.distinct()
    return qs


def rows(record_type: RecordType, subject: Subject) -> list[tuple[Any, ...]]:
    """The subject's rows of one record type, ordered by key, columns as ``record_type``."""
    kinds = _column_kinds(record_type)
    sealed = [i for i, kind in enumerate(kinds) if kind == "encrypted"]
    fast = "converted" not in kinds and (not sealed or _all_of_one_subject(record_type, subject))
    if fast and subject.user_id is not None and not subject.email:
        fetched = _prepared(record_type).rows(subject.user_id)
    else:
        qs = queryset(record_type.registration, subject)
        if qs is None:
            return []
        if not fast:
            return _opened_per_row(record_type, qs, sealed)
        qs = _ordered(qs, record_type)
        sql, params = qs.query.get_compiler(qs.db).as_sql()
        with connections[qs.db].cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
    if sealed:
        fetched = _open_sealed(record_type, subject, fetched, sealed)
    return fetched


def _ordered(qs: models.QuerySet[Any], record_type: RecordType) -> models.QuerySet[Any]:
    return qs.order_by(record_type.model._meta.pk.name).values_list(*_selected(record_type))


# Building and compiling a queryset costs ~1 ms, running it a few dozen microseconds, and an
# export asks every registered model, mostly finding nothing: so for a subject known by account,
# each record type's statement is prepared once (the database's values, no converters: the
# "plain" columns are the export's values as they are).
_prepared_types: dict[tuple[str, tuple[str, ...]], Prepared] = {}


def _prepared(record_type: RecordType) -> Prepared:
    key = (record_type.label, record_type.columns)
    if key not in _prepared_types:
        registration = record_type.registration
        _prepared_types[key] = Prepared(lambda user_id: _ordered(
            registration.model._base_manager.filter(registration.subject_q(user_id)), record_type),
            convert=False)
    return _prepared_types[key]


def _selected(record_type: RecordType) -> list[Any]:
    """The columns to select: times as the database's own text (an export writes text; parsing
    them into datetimes only to format them again costs more than the rest of the row)."""
    meta = record_type.model._meta
    return [Cast(name, models.TextField()) if isinstance(meta.get_field(name), models.DateTimeField)
            else name for name in record_type.columns]


def _column_kinds(record_type: RecordType) -> list[str]:
    """Per column: "plain" (the database's value is the export's), "encrypted" (a vault field,
    opened here with the subject's key) or "converted" (JSON and custom fields: the ORM's path)."""
    from officium.privacy.vault.fields import EncryptedField

    meta = record_type.model._meta
    kinds = []
    for name in record_type.columns:
        field = meta.get_field(name)
        if isinstance(field, EncryptedField):
            kinds.append("encrypted")
        elif hasattr(field, "from_db_value") or not type(field).__module__.startswith("django.db.models"):
            kinds.append("converted")
        else:
            kinds.append("plain")
    return kinds


def _all_of_one_subject(record_type: RecordType, subject: Subject) -> bool:
    """Rows found through the subject's own path are all sealed under the subject's key;
    rows found by email address may belong to someone else."""
    return subject.user_id is not None and not (subject.email and email_fields(record_type.registration))


def _open_sealed(record_type: RecordType, subject: Subject, fetched: list[tuple[Any, ...]],
                 sealed: list[int]) -> list[tuple[Any, ...]]:
    """Open the vault columns with the subject's key, a column at a time; once the subject is
    shredded, what remains reads as erased."""
    if subject.user_id is None or not fetched:  # _all_of_one_subject guarantees an id
        return fetched
    columns = [list(column) for column in zip(*fetched, strict=True)]
    for i in sealed:
        columns[i] = _open_column(record_type, i, columns[i], subject.user_id)
    return list(zip(*columns, strict=True))


def _open_column(record_type: RecordType, i: int, tokens: list[Any], subject_id: int | None) -> list[Any]:
    """One vault column of one subject's rows, opened; a value whose key is destroyed (or
    whose row names no subject) reads as the erased marker, "[erased]", whatever its type:
    an empty cell would say "never recorded"."""
    from officium.privacy.vault import keys as vault_keys
    from officium.privacy.vault.fields import ERASED, Sealed

    field: Any = record_type.model._meta.get_field(record_type.columns[i])
    raw = [t.token if isinstance(t, Sealed) else t for t in tokens]
    if any(t is not None and not isinstance(t, (bytes, memoryview)) for t in raw):
        # the ORM's path reads an empty column as the field's empty value (""): keep it
        present = [n for n, t in enumerate(raw) if isinstance(t, (bytes, memoryview))]
        values = list(raw)
        for n, value in zip(present, _open_column(record_type, i, [raw[n] for n in present], subject_id),
                            strict=True):
            values[n] = value
        return values
    if subject_id is None:
        return [None if t is None else ERASED for t in raw]
    try:
        return field.open_column(raw, subject_id)  # type: ignore[no-any-return]
    except vault_keys.KeyDestroyed:
        return [None if t is None else ERASED for t in raw]


def _opened_per_row(record_type: RecordType, qs: models.QuerySet[Any], sealed: list[int]) -> list[tuple[Any, ...]]:
    """The ORM's path (converted columns, or rows found by email that may belong to others):
    each row's own subject is selected with it, and its vault columns opened under that
    subject's key; a sealed token never reaches a page or an export."""
    if not sealed:
        return list(_ordered(qs, record_type))
    pk = record_type.model._meta.pk.name
    path = record_type.registration.subject
    fetched = list(qs.order_by(pk).values_list(*_selected(record_type), pk if path == registry.SELF else path))
    by_subject: dict[Any, list[int]] = {}
    for index, row in enumerate(fetched):
        by_subject.setdefault(row[-1], []).append(index)
    opened = [list(row[:-1]) for row in fetched]
    for subject_id, indexes in by_subject.items():
        for i in sealed:
            values = _open_column(record_type, i, [fetched[n][i] for n in indexes], subject_id)
            for n, value in zip(indexes, values, strict=True):
                opened[n][i] = value
    return [tuple(row) for row in opened]


def counts(subject: Subject, types: list[RecordType] | None = None) -> Iterator[tuple[RecordType, int]]:
    """How many rows of each record type the subject has (one COUNT per model)."""
    for record_type in types if types is not None else record_types():
        qs = queryset(record_type.registration, subject)
        if qs is not None:
            yield record_type, qs.count()
