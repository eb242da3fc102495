"""Whose rows are where: every registered model of every app, read from the registry only.

One query per registered model, filtered by the registration's ``subject_q`` (index-backed:
each subject path ends in a foreign key), plus rows that name the person's verified email in
a field classified as an email address (invitations, newsletter sign-ups). Rows come back as
plain tuples straight from the database cursor when every column is a built-in Django field,
so an export does no per-row Python.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db import connections, models
from django.db.models import Q

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
    qs = queryset(record_type.registration, subject)
    if qs is None:
        return []
    qs = qs.order_by(record_type.model._meta.pk.name).values_list(*record_type.columns)
    if not _plain(record_type):
        return list(qs)
    sql, params = qs.query.get_compiler(qs.db).as_sql()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _plain(record_type: RecordType) -> bool:
    """True when the database's own values are the export's values: no field converts them
    (encrypted, JSON and custom fields do, so they take the ORM's path)."""
    meta = record_type.model._meta
    for name in record_type.columns:
        field = meta.get_field(name)
        if hasattr(field, "from_db_value") or not type(field).__module__.startswith("django.db.models"):
            return False
    return True


def counts(subject: Subject, types: list[RecordType] | None = None) -> Iterator[tuple[RecordType, int]]:
    """How many rows of each record type the subject has (one COUNT per model)."""
    for record_type in types if types is not None else record_types():
        qs = queryset(record_type.registration, subject)
        if qs is not None:
            yield record_type, qs.count()
