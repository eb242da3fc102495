"""Which models hold personal data, whose it is, and in which categories.

A model that holds personal data registers once, next to its definition::

    @personal_data(subject="user", fields={"lat": "pd:GPSCoordinate", "note": NOT_PERSONAL},
                   retention_anchor="created_at", data_type="location")
    class LocationEvent(TenantModel): ...

Export, erasure and retention read this registry and nothing else, so a new app gets them by
registering. The system checks in ``checks.py`` fail the build when a registered model has an
unclassified field, or when a model related to a person is neither registered nor exempt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import models
from django.db.models import Q

NOT_PERSONAL = "-"
"""Marks a field of a registered model as holding no personal data (ids, flags, timestamps)."""

SELF = "self"
"""Subject path of the model whose rows *are* the data subjects (the user model)."""

M = TypeVar("M", bound=type[models.Model])


@dataclass(frozen=True)
class Registration:
    model: type[models.Model]
    subject: str
    fields: Mapping[str, str]
    retention_anchor: str | None = None
    data_type: str | None = None
    provided_by_subject: bool = True
    collected_if: Mapping[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def categories(self) -> frozenset[str]:
        return frozenset(term for term in self.fields.values() if term != NOT_PERSONAL)

    def personal_fields(self, collected: frozenset[str] | None = None) -> dict[str, str]:
        """Fields holding personal data; with ``collected`` (the signup keys the active policy
        collects), fields that stay empty under this policy are left out."""
        return {
            name: term for name, term in self.fields.items()
            if term != NOT_PERSONAL
            and (collected is None or name not in self.collected_if or self.collected_if[name] in collected)
        }

    @property
    def subject_column(self) -> str:
        """The ORM lookup of the subject's id ("pk" for the user model itself)."""
        return "pk" if self.subject == SELF else self.subject

    def subject_q(self, subject_ids: object) -> Q:
        """A filter selecting this model's rows that belong to one subject id or many."""
        many = isinstance(subject_ids, (list, tuple, set, frozenset)) or hasattr(subject_ids, "query")
        return Q(**{f"{self.subject_column}__in" if many else self.subject_column: subject_ids})

    def subject_rows_q(self, subject_id: object) -> Q:
        """``subject_q`` for one subject, with a relation path's first hop resolved to the ids it
        names now (``member_id IN (3, 7)`` rather than a join to ``member.user_id``).

        Filtered through a join, PostgreSQL can only assume an average number of rows per
        parent and, in a table whose rows belong to few parents, reads the whole table; given
        the ids it plans from the column's own statistics and index, so the cost follows the
        subject, not the table. The erasure and the holds use this; the export keeps
        ``subject_q``, whose statement is prepared once with the id as its parameter."""
        if "__" not in self.subject_column:
            return self.subject_q(subject_id)
        first = self.subject_column.split("__", 1)[0]
        ids = self._first_hop(subject_id)
        if not ids:  # matches nothing, yet compiles (an empty IN list does not)
            return Q(**{f"{first}__isnull": True}) & Q(**{f"{first}__isnull": False})
        return Q(**{f"{first}__in": ids})

    def _first_hop(self, subject_id: object) -> list[object]:
        first, rest = self.subject_column.split("__", 1)
        related = self.model._meta.get_field(first).related_model
        if related is None or isinstance(related, str):
            raise TypeError(f"{self.label}: subject path {self.subject!r} does not start with a relation")
        remembered = _first_hops.get()
        key = (related, rest, subject_id)
        if remembered is not None and key in remembered:
            return remembered[key]
        ids = list(related._base_manager.filter(**{rest: subject_id}).order_by()
                   .values_list("pk", flat=True))
        if remembered is not None:
            remembered[key] = ids
        return ids


_first_hops: ContextVar[dict[tuple[object, str, object], list[object]] | None] = ContextVar(
    "officium_first_hops", default=None)


@contextmanager
def first_hops_remembered() -> Iterator[None]:
    """Within the block, ``subject_rows_q`` reads each first hop once (a subject's memberships,
    say, named by some fifty registrations): one erasure walks every registration for one
    subject. Rows the hop leads to that are deleted meanwhile take their children with them
    (the cascade), so a remembered id then matches nothing, as a fresh read would."""
    token = _first_hops.set({})
    try:
        yield
    finally:
        _first_hops.reset(token)


@dataclass(frozen=True)
class Exemption:
    model: type[models.Model]
    reason: str


@dataclass
class _Registry:
    registrations: dict[type[models.Model], Registration] = field(default_factory=dict)
    exemptions: dict[type[models.Model], Exemption] = field(default_factory=dict)


_registry = _Registry()


def personal_data(
    *,
    subject: str,
    fields: Mapping[str, str],
    retention_anchor: str | None = None,
    data_type: str | None = None,
    provided_by_subject: bool = True,
    collected_if: Mapping[str, str] | None = None,
) -> Callable[[M], M]:
    """Class decorator registering a model that holds personal data.

    ``collected_if`` maps a field to the signup field key that fills it (or ``purpose:<id>``,
    ``category:<term>``; see ``Policy.collected_keys``): under a policy that does not collect
    that key, the field stays empty and the policy need not declare it.
    """

    def decorate(model: M) -> M:
        _registry.registrations[model] = Registration(
            model=model,
            subject=subject,
            fields=dict(fields),
            retention_anchor=retention_anchor,
            data_type=data_type,
            provided_by_subject=provided_by_subject,
            collected_if=dict(collected_if or {}),
        )
        return model

    return decorate


def exempt(reason: str) -> Callable[[M], M]:
    """Class decorator for a model related to a person that holds no personal data of its own."""

    def decorate(model: M) -> M:
        if not reason.strip():
            raise ValueError(f"{model.__name__}: an exemption needs a reason")
        _registry.exemptions[model] = Exemption(model=model, reason=reason)
        return model

    return decorate


def registrations() -> list[Registration]:
    return list(_registry.registrations.values())


def registration_for(model: type[models.Model]) -> Registration | None:
    return _registry.registrations.get(model)


def exemption_for(model: type[models.Model]) -> Exemption | None:
    return _registry.exemptions.get(model)
