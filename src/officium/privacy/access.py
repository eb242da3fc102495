"""Purpose-bound access: ``Model.objects.for_purpose(actor, purpose)``.

Reading personal data names an actor (a ``Membership``: who, in which organization, in which
role) and a purpose declared in the policy. The queryset keeps only rows the actor may process
for that purpose:

1. the purpose is declared, and declared for the categories this model holds (else it raises);
2. tenant scope: rows of the actor's organization only;
3. role and object rules registered by the app owning the model (``add_rule``);
4. subject filters registered by the engine (consent, restriction, objection, opt-outs:
   ``add_subject_filter``) drop the rows of subjects whose legal basis does not hold.

When rows of sensitive categories are actually fetched, one audit entry per subject records
who read them, for which purpose and which categories (never the values) (SE1).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.db import models
from django.db.models import Q

from officium.privacy import registry
from officium.privacy.actors import Member
from officium.privacy.policy_runtime import UndeclaredPurpose as UndeclaredPurpose  # raised here

T = TypeVar("T", bound=models.Model)


class PurposeNotAllowed(PermissionError):
    """The purpose is declared, but not for the categories this read touches."""


@dataclass(frozen=True)
class AccessContext:
    actor: Member  # an officium.accounts.models.Membership (the engine does not import accounts)
    purpose: str
    model: type[models.Model]
    categories: frozenset[str]


Rule = Callable[[AccessContext, models.QuerySet[Any]], models.QuerySet[Any]]
SubjectFilter = Callable[[AccessContext], "models.QuerySet[Any] | Iterable[int] | None"]

_rules: dict[type[models.Model], list[Rule]] = {}
_subject_filters: list[SubjectFilter] = []


def add_rule(model: type[models.Model], rule: Rule) -> None:
    """Register a role/object rule for one model (e.g. members see only their own rows)."""
    _rules.setdefault(model, []).append(rule)


def add_subject_filter(subject_filter: SubjectFilter) -> None:
    """Register a filter returning subject ids to exclude for a purpose (consent, objection...)."""
    _subject_filters.append(subject_filter)


def purpose_categories(purpose: str) -> tuple[frozenset[str], frozenset[str]]:
    """(DPV terms the purpose may use, DPV terms the policy marks sensitive); raises if undeclared."""
    from officium.privacy.policy_runtime import purpose_terms

    return purpose_terms(purpose)


class PurposeQuerySet(models.QuerySet[T]):
    _access: AccessContext | None = None
    _sensitive: frozenset[str] = frozenset()

    def for_organization(self, organization: Any) -> PurposeQuerySet[T]:
        return self.filter(organization=organization)

    def for_purpose(self, actor: Member, purpose: str, *, fields: Iterable[str] | None = None) -> PurposeQuerySet[T]:
        reg = registry.registration_for(self.model)
        if reg is None:
            raise TypeError(f"{self.model._meta.label} is not registered with the privacy registry")
        allowed, sensitive = purpose_categories(purpose)
        from officium.privacy.policy_runtime import collected_signup_keys

        read = reg.personal_fields(collected_signup_keys()) if fields is None else {
            f: reg.fields[f] for f in fields if reg.fields.get(f, registry.NOT_PERSONAL) != registry.NOT_PERSONAL}
        from officium.privacy.policy_runtime import term_covered

        refused = sorted({term for term in read.values() if not term_covered(term, allowed)})
        if refused:
            raise PurposeNotAllowed(
                f"Purpose {purpose!r} is not declared for {', '.join(refused)} "
                f"({self.model._meta.label})")
        context = AccessContext(actor=actor, purpose=purpose, model=self.model,
                                categories=frozenset(read.values()))
        qs: models.QuerySet[Any] = self._scope(actor, reg)
        for rule in _rules.get(self.model, []):
            qs = rule(context, qs)
        excluded = [f(context) for f in _subject_filters]
        for subject_ids in excluded:
            if subject_ids is not None:
                qs = qs.exclude(reg.subject_q(subject_ids))
        if fields is not None:
            qs = qs.only(*fields)
        # Rules filter and exclude, which keep the queryset's class: it is still ours.
        scoped = cast("PurposeQuerySet[T]", qs.all())
        scoped._access = context
        scoped._sensitive = frozenset(t for t in read.values() if term_covered(t, sensitive))
        return scoped

    def _scope(self, actor: Member, reg: registry.Registration) -> models.QuerySet[Any]:
        organization_id = actor.organization_id
        if any(f.name == "organization" for f in self.model._meta.concrete_fields):
            return self.filter(organization_id=organization_id)
        if reg.subject == registry.SELF:  # the user model: members of the actor's organization
            return self.filter(memberships__organization_id=organization_id).distinct()
        return self.filter(**{f"{reg.subject}__memberships__organization_id": organization_id}).distinct()

    def _clone(self) -> PurposeQuerySet[T]:
        clone: PurposeQuerySet[T] = super()._clone()  # type: ignore[misc]
        clone._access = self._access
        clone._sensitive = self._sensitive
        return clone

    def _fetch_all(self) -> None:
        already = self._result_cache is not None
        super()._fetch_all()
        if not already and self._access is not None and self._sensitive:
            self._audit_read()

    def _audit_read(self) -> None:
        from officium.privacy.audit import record_reads

        reg = registry.registration_for(self.model)
        if reg is None or self._access is None:
            return
        subjects = {s for row in self._result_cache or [] if (s := _subject_of(row, reg)) is not None}
        record_reads(self._access, sorted(subjects), sorted(self._sensitive))


def _subject_of(row: Any, reg: registry.Registration) -> int | None:
    if isinstance(row, dict):
        return row.get(reg.subject_column)
    if reg.subject == registry.SELF:
        return getattr(row, "pk", None)
    *parents, last = reg.subject.split("__")
    value = row
    for part in parents:
        value = getattr(value, part, None)
        if value is None:
            return None
    return getattr(value, f"{last}_id", None)


PurposeManager = models.Manager.from_queryset(PurposeQuerySet)


def subjects_q(model: type[models.Model], subject_ids: Any) -> Q:
    reg = registry.registration_for(model)
    if reg is None:
        raise TypeError(f"{model._meta.label} is not registered")
    return reg.subject_q(subject_ids)
