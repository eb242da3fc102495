"""The words a policy file may use: DPV terms of the right kind, places, ids.

Each annotated type checks one thing at parse time, so an unknown term or a purpose term
used as a category is reported at the exact place in the file where it was written.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Annotated, Literal

from pydantic import AfterValidator, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from officium.privacy.policy import dpv, geography

Loc = tuple[str | int, ...]

BasisKind = Literal[
    "consent", "contract", "legal_obligation", "vital_interest", "legitimate_interest"
]

# The five bases PU1 names; public-interest and official-authority bases do not apply to a
# workplace platform, so a policy cannot use them.
BASIS_ROOTS: dict[BasisKind, str] = {
    "consent": "dpv:Consent",
    "contract": "dpv:Contract",
    "legal_obligation": "dpv:LegalObligation",
    "vital_interest": "dpv:VitalInterest",
    "legitimate_interest": "dpv:LegitimateInterest",
}

# PU3: selling personal data (or insights derived from it) is not a purpose Officium
# can be configured for. Selling products is a different thing and stays allowed.
SALE_PURPOSES = frozenset({"dpv:SellDataToThirdParties", "dpv:SellInsightsFromData"})

_SLUG = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def problem(reason: str) -> PydanticCustomError:
    """An error whose message is exactly ``reason`` (no "Value error," prefix)."""
    return PydanticCustomError("policy", "{reason}", {"reason": reason})


def fail(title: str, problems: Sequence[tuple[Loc, str]]) -> None:
    """Raise every cross-field problem at once, each at its own location in the file."""
    if problems:
        raise ValidationError.from_exception_data(
            title,
            [InitErrorDetails(type=problem(msg), loc=loc, input=None) for loc, msg in problems],
        )


def _known(term: str) -> str:
    if not dpv.is_term(term):
        close = difflib.get_close_matches(term, list(dpv.terms()), n=1, cutoff=0.8)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise problem(f"unknown DPV 2.2 term {term!r}{hint}")
    return term


def _kind(root: str, what: str) -> Callable[[str], str]:
    def check(term: str) -> str:
        _known(term)
        if not dpv.is_a(term, root):
            raise problem(f"{term} is not a {what} (expected a term under {root})")
        return term

    return check


def _any_kind(roots: Iterable[str], what: str) -> Callable[[str], str]:
    frozen = tuple(roots)

    def check(term: str) -> str:
        _known(term)
        if not dpv.is_a_any(term, frozen):
            raise problem(f"{term} is not a {what}")
        return term

    return check


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise problem(f"{value!r} is not an id (lowercase letters, digits, _)")
    return value


def _place(code: str) -> str:
    if not geography.is_place(code):
        raise problem(
            f"{code!r} is not an ISO 3166 country/subdivision code or one of "
            f"{', '.join(sorted(geography.REGIONS))}"
        )
    return code


def _email(value: str) -> str:
    if not re.match(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$", value):
        raise problem(f"{value!r} is not an email address")
    return value


def basis_kind(term: str) -> BasisKind:
    for kind, root in BASIS_ROOTS.items():
        if dpv.is_a(term, root):
            return kind
    raise problem(f"{term} is not one of the legal bases consent, contract, legal "
                  "obligation, vital interest or legitimate interest")


def _basis(term: str) -> str:
    _known(term)
    basis_kind(term)
    return term


Slug = Annotated[str, AfterValidator(_slug)]
Place = Annotated[str, AfterValidator(_place)]
Email = Annotated[str, AfterValidator(_email)]
PersonalDataTerm = Annotated[str, AfterValidator(_kind("dpv:PersonalData", "personal data category"))]
PurposeTerm = Annotated[str, AfterValidator(_kind("dpv:Purpose", "purpose"))]
LegalBasisTerm = Annotated[str, AfterValidator(_basis)]
DataSubjectTerm = Annotated[str, AfterValidator(_kind("dpv:HumanSubject", "data subject"))]
MeasureTerm = Annotated[
    str,
    AfterValidator(
        _any_kind(("dpv:TechnicalMeasure", "dpv:OrganisationalMeasure"), "security measure")
    ),
]
