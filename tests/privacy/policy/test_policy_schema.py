"""The schema refuses policies the engine could not honour (PU1, PU3) and keeps its rules."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from officium.privacy.policy.schema import SIGNUP_FIELD_KEYS, Policy, RetentionRule
from officium.privacy.policy.sections import Period

LoadProfile = Callable[[str], Policy]


def _data(load_profile: LoadProfile, name: str = "officeportal") -> dict[str, Any]:
    return copy.deepcopy(load_profile(name).model_dump())


def _errors(data: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    with pytest.raises(ValidationError) as caught:
        Policy.model_validate(data)
    return [(tuple(e["loc"]), e["msg"]) for e in caught.value.errors()]


def _purpose_index(data: dict[str, Any], purpose_id: str) -> int:
    return next(i for i, p in enumerate(data["purposes"]) if p["id"] == purpose_id)


def test_PU3_sale_cannot_be_declared(load_profile: LoadProfile) -> None:
    """A sale purpose term, or any sale flag on a purpose or recipient, is refused."""
    data = _data(load_profile)
    data["purposes"][0]["term"] = "dpv:SellDataToThirdParties"
    assert any("never sold" in msg and loc == ("purposes", 0, "term")
               for loc, msg in _errors(data))

    data = _data(load_profile)
    data["purposes"][1]["term"] = "dpv:SellInsightsFromData"
    assert any("never sold" in msg for _, msg in _errors(data))

    for flag in ("sale", "sells", "sells_data", "sold_to"):
        data = _data(load_profile)
        data["recipients"][0][flag] = True
        assert any(loc == ("recipients", 0, flag) and "PU3" in msg
                   for loc, msg in _errors(data)), flag

    data = _data(load_profile)
    data["purposes"][2]["sale"] = False
    assert any(loc == ("purposes", 2, "sale") for loc, _ in _errors(data))


def test_PU3_selling_products_is_not_a_sale_of_data(load_profile: LoadProfile) -> None:
    data = _data(load_profile)
    data["purposes"][_purpose_index(data, "payments")]["term"] = "dpv:SellProducts"
    Policy.model_validate(data)


def test_PU1_purpose_requires_declared_basis_and_categories(load_profile: LoadProfile) -> None:
    data = _data(load_profile)
    data["purposes"][0]["categories"].append("shoe_size")
    assert (("purposes", 0, "categories", len(data["purposes"][0]["categories"]) - 1),
            "category 'shoe_size' is not declared") in _errors(data)

    data = _data(load_profile)
    del data["purposes"][0]["legal_basis"]
    assert any(loc == ("purposes", 0, "legal_basis") for loc, _ in _errors(data))

    data = _data(load_profile)
    data["purposes"][0]["legal_basis"] = "dpv:PublicInterest"
    assert any(loc == ("purposes", 0, "legal_basis") and "not one of the legal bases" in msg
               for loc, msg in _errors(data))

    data = _data(load_profile)
    data["purposes"][0]["categories"] = []
    assert any(loc == ("purposes", 0, "categories") for loc, _ in _errors(data))


def test_PU1_every_declared_category_serves_a_purpose_and_is_retained(
    load_profile: LoadProfile,
) -> None:
    data = _data(load_profile)
    data["categories"].append({"id": "shoe_size", "term": "pd:PhysicalCharacteristic",
                               "sensitivity": "normal", "description": "Shoe size"})
    messages = [msg for loc, msg in _errors(data) if loc[:2] == ("categories", len(data["categories"]) - 1)]
    assert "category 'shoe_size' is used by no purpose" in messages
    assert "category 'shoe_size' has no retention rule" in messages


def test_consent_and_marketing_rules(load_profile: LoadProfile) -> None:
    data = _data(load_profile)
    marketing = _purpose_index(data, "marketing")
    data["purposes"][marketing]["consent_required"] = False
    data["purposes"][marketing]["legal_basis"] = "eu-gdpr:A6-1-f"
    assert any(loc == ("purposes", marketing, "consent_required") for loc, _ in _errors(data))

    data = _data(load_profile)
    data["purposes"][0]["consent_required"] = True  # contract basis
    assert any(loc == ("purposes", 0, "legal_basis") for loc, _ in _errors(data))

    data = _data(load_profile)
    data["purposes"][marketing]["marketing"] = False  # dpv:DirectMarketing is marketing
    assert any(loc == ("purposes", marketing, "marketing") for loc, _ in _errors(data))


def test_unknown_dpv_terms_and_wrong_kinds_are_refused(load_profile: LoadProfile) -> None:
    data = _data(load_profile)
    data["categories"][0]["term"] = "pd:Nmae"
    assert any("unknown DPV 2.2 term 'pd:Nmae'" in msg for _, msg in _errors(data))

    data = _data(load_profile)
    data["categories"][0]["term"] = "dpv:ServiceProvision"
    assert any("not a personal data category" in msg for _, msg in _errors(data))

    data = _data(load_profile)
    data["security_measures"].append("pd:Name")
    assert any("not a security measure" in msg for _, msg in _errors(data))


def test_special_categories_must_be_marked_special(load_profile: LoadProfile) -> None:
    data = _data(load_profile)
    data["categories"][0]["term"] = "pd:HealthRecord"
    assert any(loc == ("categories", 0, "sensitivity") for loc, _ in _errors(data))


def test_signup_fields_are_the_forms_fields_and_declared(load_profile: LoadProfile) -> None:
    data = _data(load_profile)
    data["signup_fields"].append({"key": "birth_date", "category": "name", "required": True})
    data["signup_fields"].append({"key": "city", "category": "hometown", "required": True})
    errors = _errors(data)
    n = len(data["signup_fields"])
    assert any(loc == ("signup_fields", n - 2, "key") for loc, _ in errors)
    assert (("signup_fields", n - 1, "category"), "category 'hometown' is not declared") in errors
    assert "birth_date" not in SIGNUP_FIELD_KEYS


def test_retention_overrides_stay_within_bounds() -> None:
    base: dict[str, Any] = {"id": "mobile", "description": "d", "categories": ["location"],
                            "duration_days": 90, "trigger": "created", "min_days": 30,
                            "max_days": 365}
    rule = RetentionRule.model_validate({**base, "plan_overrides": {"pro": 180}})
    assert rule.days_for() == 90
    assert rule.days_for(plan="pro") == 180
    assert rule.days_for(plan="pro", chosen=60) == 60
    with pytest.raises(ValueError, match="outside the bounds"):
        rule.days_for(chosen=10)
    with pytest.raises(ValidationError):
        RetentionRule.model_validate({**base, "plan_overrides": {"pro": 400}})
    with pytest.raises(ValidationError):
        RetentionRule.model_validate({**base, "trigger": "forever"})


def test_periods_count_calendar_months() -> None:
    one_month = Period(months=1)
    assert one_month.add_to(date(2025, 1, 31)) == date(2025, 2, 28)
    assert one_month.add_to(date(2025, 12, 15)) == date(2026, 1, 15)
    assert Period(days=45).add_to(date(2025, 1, 1)) == date(2025, 2, 15)
    with pytest.raises(ValidationError):
        Period()


def test_RI10_rights_reach_the_audiences_the_policy_names(load_profile: LoadProfile) -> None:
    officeportal = load_profile("officeportal")
    assert [g.id for g in officeportal.rights_for("DE")] == ["gdpr"]
    assert officeportal.rights_for("NO")  # EEA, not EU
    assert officeportal.rights_for("US") == []
    officexlr = load_profile("officexlr")
    assert [g.id for g in officexlr.rights_for("US", "US-CA")] == ["gdpr", "ccpa"]
    assert [g.id for g in officexlr.rights_for("IN")] == ["gdpr"]


def test_RI8_deadlines_with_extension(load_profile: LoadProfile) -> None:
    officexlr = load_profile("officexlr")
    gdpr, ccpa = officexlr.rights
    received = date(2025, 3, 10)
    assert gdpr.due_on(received) == date(2025, 4, 10)
    assert gdpr.due_on(received, extended=True) == date(2025, 6, 10)
    assert ccpa.due_on(received, extended=True) == date(2025, 5, 25)
