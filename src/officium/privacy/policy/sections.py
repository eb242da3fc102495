"""The sections of a policy file, each a small model that checks its own consistency.

Checks that need only one section live here (a marketing purpose must ask for consent, an
override must stay within its bounds); checks across sections (a purpose naming an
undeclared category) live on the Policy in schema.py.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from officium.privacy.policy import dpv, geography
from officium.privacy.policy.vocabulary import (
    SALE_PURPOSES,
    BasisKind,
    DataSubjectTerm,
    Email,
    LegalBasisTerm,
    PersonalDataTerm,
    Place,
    PurposeTerm,
    Slug,
    basis_kind,
    fail,
)

Sensitivity = Literal["normal", "sensitive", "special"]
Trigger = Literal["created", "account_terminated", "account_cancelled", "request_closed"]
Channel = Literal["self_service", "request_form", "email"]
NotifyBy = Literal["banner", "email"]
RecipientRole = Literal["processor", "affiliate", "partner", "authority"]
CookieKind = Literal["strictly_necessary", "preferences", "analytics", "third_party"]
LogRecord = Literal[
    "ip_address", "user_agent", "device", "operating_system", "isp", "timestamp", "page",
    "referrer", "clicks", "app_configuration", "usage_statistics",
]
# Rights the rights app executes; a policy can promise only these (NO1).
RightId = Literal[
    "access", "rectification", "erasure", "restriction", "objection", "portability",
    "withdraw_consent", "complaint", "confirm_processing", "forum_removal",
    "ccpa_know", "ccpa_delete", "ccpa_opt_out_of_sale",
]
RIGHT_TERMS: dict[str, str] = {
    "access": "eu-gdpr:A15",
    "rectification": "eu-gdpr:A16",
    "erasure": "eu-gdpr:A17",
    "restriction": "eu-gdpr:A18",
    "portability": "eu-gdpr:A20",
    "objection": "eu-gdpr:A21",
    "withdraw_consent": "eu-gdpr:A7-3",
    "complaint": "eu-gdpr:A77",
    "confirm_processing": "eu-gdpr:A15",
    "forum_removal": "eu-gdpr:A17",
    "ccpa_know": "dpv:DataSubjectRight",
    "ccpa_delete": "dpv:DataSubjectRight",
    "ccpa_opt_out_of_sale": "dpv:DataSubjectRight",
}

# GDPR Art. 9 special categories, as DPV marks them (health, biometric, genetic, ethnic
# origin, beliefs, sex life, union membership): such data must be declared "special".
SPECIAL_ROOTS = ("dpv:SpecialCategoryPersonalData",)

_SALE_KEY = re.compile(r"(^|_)(sale|sales|sell|sells|selling|sold)(_|$)")


class Section(BaseModel):
    """Unknown keys are errors: a misspelt key must not silently drop a promise."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def reject_sale_keys(data: Any, owner: str) -> Any:
    """PU3: there is no switch to sell personal data, so any such key is refused by name."""
    if isinstance(data, dict):
        problems = [
            ((key,), f"personal data is never sold (PU3): a {owner} cannot declare {key!r}")
            for key in data
            if isinstance(key, str) and _SALE_KEY.search(key.lower())
        ]
        fail(owner, problems)
    return data


class Contact(Section):
    name: str
    email: Email


class Controller(Section):
    name: str
    legal_name: str | None = None
    website: str | None = None
    privacy_email: Email | None = None
    contact_form: bool = False
    postal_address: str | None = None
    country: Place | None = None
    dpo: Contact | None = None

    @model_validator(mode="after")
    def reachable(self) -> Controller:
        if self.privacy_email is None and not self.contact_form:
            fail("controller", [(("privacy_email",), "give a privacy email or contact_form: true")])
        return self


class Audience(Section):
    id: Slug
    description: str
    places: list[Place] = Field(min_length=1)

    def covers(self, country: str, subdivision: str | None = None) -> bool:
        return any(geography.covers(p, country, subdivision) for p in self.places)


class Category(Section):
    id: Slug
    term: PersonalDataTerm
    sensitivity: Sensitivity = "normal"
    description: str

    @model_validator(mode="after")
    def special_is_special(self) -> Category:
        if dpv.is_a_any(self.term, SPECIAL_ROOTS) and self.sensitivity != "special":
            fail("category", [(("sensitivity",), f"{self.term} is a special category (GDPR "
                                                 "Art. 9): sensitivity must be 'special'")])
        return self


class Purpose(Section):
    id: Slug
    term: PurposeTerm
    legal_basis: LegalBasisTerm
    description: str
    categories: list[Slug] = Field(min_length=1)
    data_subjects: list[DataSubjectTerm] = Field(default_factory=lambda: ["dpv:User"])
    consent_required: bool = False
    marketing: bool = False

    @model_validator(mode="before")
    @classmethod
    def no_sale_keys(cls, data: Any) -> Any:
        return reject_sale_keys(data, "purpose")

    @model_validator(mode="after")
    def basis_fits(self) -> Purpose:
        problems: list[tuple[tuple[str | int, ...], str]] = []
        if dpv.is_a_any(self.term, SALE_PURPOSES):
            problems.append((("term",), f"personal data is never sold (PU3): {self.term} "
                                        "cannot be a purpose"))
        if dpv.is_a(self.term, "dpv:Marketing") and not self.marketing:
            problems.append((("marketing",), f"{self.term} is marketing: set marketing: true"))
        if self.marketing and not self.consent_required:
            problems.append((("consent_required",), "marketing purposes require consent"))
        if self.consent_required != (self.basis_kind == "consent"):
            problems.append((("legal_basis",), "consent_required and a consent legal basis "
                                               "go together"))
        fail("purpose", problems)
        return self

    @property
    def basis_kind(self) -> BasisKind:
        return basis_kind(self.legal_basis)


class Recipient(Section):
    id: Slug
    name: str
    role: RecipientRole
    description: str
    categories: list[Slug] = Field(min_length=1)
    countries: list[Place] = Field(min_length=1)
    purpose: Slug
    opt_out_allowed: bool = False

    @model_validator(mode="before")
    @classmethod
    def no_sale_keys(cls, data: Any) -> Any:
        return reject_sale_keys(data, "recipient")


class RecordObligation(Section):
    """WT10: records the law obliges the controller to keep for ``keep_days`` (working-time
    records, for example): erasure and cancellation keep them (without location) until then,
    and no retention rule deletes them earlier; after it, the retention engine does."""

    id: Slug
    description: str
    data_types: list[Slug] = Field(min_length=1)
    keep_days: int = Field(ge=1, le=3650)
    law: str = Field(min_length=3)


class RetentionRule(Section):
    """How long data is kept; organizations may choose within [min_days, max_days] (RE1)."""

    id: Slug
    description: str
    categories: list[Slug] = Field(default_factory=list)
    data_types: list[Slug] = Field(default_factory=list)
    duration_days: int = Field(ge=0)
    trigger: Trigger
    plan_overrides: dict[Slug, int] = Field(default_factory=dict)
    min_days: int | None = Field(default=None, ge=0)
    max_days: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def within_bounds(self) -> RetentionRule:
        problems: list[tuple[tuple[str | int, ...], str]] = []
        if not self.categories and not self.data_types:
            problems.append((("categories",), "name categories or data_types"))
        for key, days in [("duration_days", self.duration_days), *self.plan_overrides.items()]:
            loc = ("duration_days",) if key == "duration_days" else ("plan_overrides", key)
            if not self.allows(days):
                problems.append((loc, f"{days} days is outside [{self.min_days}, {self.max_days}]"))
        fail("retention rule", problems)
        return self

    def allows(self, days: int) -> bool:
        low = self.min_days if self.min_days is not None else 0
        return days >= low and (self.max_days is None or days <= self.max_days)

    def days_for(self, plan: str | None = None, chosen: int | None = None) -> int:
        """The period in force: the organization's choice, else its plan's, else the default."""
        if chosen is not None:
            if not self.allows(chosen):
                raise ValueError(f"{chosen} days is outside the bounds of rule {self.id}")
            return chosen
        return self.plan_overrides.get(plan or "", self.duration_days)


class Period(Section):
    """Days and/or calendar months; GDPR counts "one month" in calendar months."""

    months: int = Field(default=0, ge=0)
    days: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def not_empty(self) -> Period:
        if self.months == 0 and self.days == 0:
            fail("period", [(("days",), "a period needs months or days")])
        return self

    def add_to(self, start: date) -> date:
        month_index = start.month - 1 + self.months
        year, month = start.year + month_index // 12, month_index % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        return date(year, month, day) + timedelta(days=self.days)

    def describe(self) -> str:
        parts = [f"{n} {unit}{'' if n == 1 else 's'}"
                 for n, unit in ((self.months, "month"), (self.days, "day")) if n]
        return " and ".join(parts)


class RightsGroup(Section):
    id: Slug
    description: str
    rights: list[RightId] = Field(min_length=1)
    audiences: list[Slug] = Field(min_length=1)
    deadline: Period
    extension: Period | None = None
    channels: list[Channel] = Field(default_factory=lambda: list[Channel](["request_form"]))
    # PV3: requests of these rights wait for an officer's review (with their draft answer)
    # before they run; the others run as soon as the requester is verified.
    reviewed: list[RightId] = Field(default_factory=list)

    @model_validator(mode="after")
    def reviewed_rights_are_offered(self) -> RightsGroup:
        fail("rights", [(("reviewed", i), f"right {r!r} is reviewed but not offered")
                        for i, r in enumerate(self.reviewed) if r not in self.rights])
        return self

    def reviews(self, request_type: str) -> bool:
        """Whether a request of this type waits for the officer's review."""
        return any(request_type == r or request_type.startswith(f"{r}_") for r in self.reviewed)

    def due_on(self, received: date, extended: bool = False) -> date:
        due = self.deadline.add_to(received)
        if extended and self.extension is not None:
            due = self.extension.add_to(due)
        return due


class AgeGate(Section):
    """Declaration asks only "are you at least N?": a birth date is not a signup field (AC1)."""

    threshold: int = Field(ge=1, le=21)
    check: Literal["declaration", "birth_date"] = "declaration"


class Signals(Section):
    dnt: bool = True
    gpc: bool = True


class ChangeRules(Section):
    material_effective_after_days: int = Field(default=0, ge=0)
    notify_material: list[NotifyBy] = Field(
        default_factory=lambda: list[NotifyBy](["banner", "email"])
    )


class CookieCategory(Section):
    kind: CookieKind
    description: str
    purpose: Slug | None = None

    @property
    def requires_consent(self) -> bool:
        return self.kind != "strictly_necessary"


class Logs(Section):
    records: list[LogRecord] = Field(min_length=1)
    categories: list[Slug] = Field(min_length=1)
    retention_days: int = Field(ge=1)
    linked_to_person: bool
    purpose: Slug

    @property
    def truncate_ip(self) -> bool:
        """AC5: logs that are not linked to a person must not hold a full IP."""
        return not self.linked_to_person


class SignupField(Section):
    key: str
    category: Slug
    required: bool = True
