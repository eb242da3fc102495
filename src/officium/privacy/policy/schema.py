"""The policy file as a typed model: the single source the engine and the notice read.

Everything the notice promises is a field here, and everything a field says is checked
against the rest of the file, so a policy that loads is one the engine can enforce: every
category a purpose, recipient, retention rule, log or signup field names is declared;
every declared category serves a purpose (PU1); no sale can be expressed (PU3).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, Protocol, TypeVar

from pydantic import Field, model_validator

from officium.privacy.policy.consistency import SIGNUP_FIELD_KEYS, cross_problems
from officium.privacy.policy.sections import (
    RIGHT_TERMS,
    AgeGate,
    Audience,
    Category,
    ChangeRules,
    Contact,
    Controller,
    CookieCategory,
    Logs,
    Period,
    Purpose,
    Recipient,
    RecordObligation,
    RetentionRule,
    RightsGroup,
    Section,
    Signals,
    SignupField,
    reject_sale_keys,
)
from officium.privacy.policy.vocabulary import MeasureTerm, Place, Slug, fail

__all__ = [
    "RIGHT_TERMS", "SIGNUP_FIELD_KEYS", "AgeGate", "Audience", "Category", "ChangeRules",
    "Contact", "Controller", "CookieCategory", "Logs", "Period", "Policy", "Purpose",
    "RecordObligation", "Recipient", "RetentionRule", "RightsGroup", "SignupField", "Signals",
]


class Policy(Section):
    schema_version: int = Field(default=1, ge=1, le=1)
    profile: Slug
    product: str
    revised: date
    controller: Controller
    processor_mode: bool = False
    audiences: list[Audience] = Field(min_length=1)
    categories: list[Category] = Field(min_length=1)
    purposes: list[Purpose] = Field(min_length=1)
    recipients: list[Recipient] = Field(default_factory=list)
    storage_countries: list[Place] = Field(min_length=1)
    retention: list[RetentionRule] = Field(min_length=1)
    record_obligations: list[RecordObligation] = Field(default_factory=list)
    termination_grace_days: int | None = Field(default=None, ge=0)
    rights: list[RightsGroup] = Field(default_factory=list)
    age: AgeGate | None = None
    signals: Signals = Field(default_factory=Signals)
    changes: ChangeRules = Field(default_factory=ChangeRules)
    cookies: list[CookieCategory] = Field(default_factory=list)
    logs: Logs | None = None
    signup_fields: list[SignupField] = Field(min_length=1)
    security_measures: list[MeasureTerm] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def no_sale_keys(cls, data: Any) -> Any:
        return reject_sale_keys(data, "policy")

    @model_validator(mode="after")
    def consistent(self) -> Policy:
        fail("policy", cross_problems(self.model_dump()))
        return self

    # Lookups the engine uses; ids are validated unique, so each returns one item.

    def category(self, category_id: str) -> Category:
        return _by_id(self.categories, category_id, "category")

    def purpose(self, purpose_id: str) -> Purpose:
        return _by_id(self.purposes, purpose_id, "purpose")

    def audience(self, audience_id: str) -> Audience:
        return _by_id(self.audiences, audience_id, "audience")

    def categories_with_term(self, term: str) -> list[Category]:
        return [c for c in self.categories if c.term == term]

    def purposes_for_category(self, category_id: str) -> list[Purpose]:
        return [p for p in self.purposes if category_id in p.categories]

    def recipients_for_purpose(self, purpose_id: str) -> list[Recipient]:
        return [r for r in self.recipients if r.purpose == purpose_id]

    def retention_for_category(self, category_id: str) -> list[RetentionRule]:
        return [r for r in self.retention if category_id in r.categories]

    def rights_for(self, country: str, subdivision: str | None = None) -> list[RightsGroup]:
        """RI10: the rights groups whose audiences include someone in this place."""
        return [
            group for group in self.rights
            if any(self.audience(a).covers(country, subdivision) for a in group.audiences)
        ]

    @property
    def signup_keys(self) -> list[str]:
        return [f.key for f in self.signup_fields]

    @property
    def collected_keys(self) -> frozenset[str]:
        """What a registered field's ``collected_if`` may name: a signup field key, or
        ``purpose:<id>`` / ``category:<term>`` for a field filled only under a policy that
        declares that purpose or category (billing keeps a card only where payments are a
        purpose, a billing address only where addresses are a category)."""
        return frozenset([*self.signup_keys, *(f"purpose:{p.id}" for p in self.purposes),
                          *(f"category:{c.term}" for c in self.categories)])


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


_T = TypeVar("_T", bound=_Identified)


def _by_id(items: Iterable[_T], wanted: str, what: str) -> _T:
    for item in items:
        if item.id == wanted:
            return item
    raise KeyError(f"the policy declares no {what} {wanted!r}")
