"""Versions: a stable identity, effective dates by the change rules, material changes (NO2)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from officium.privacy.policy.schema import Policy
from officium.privacy.policy.versioning import (
    added_consent_purposes,
    canonical_json,
    effective_date,
    is_material_change,
    material_changes,
    policy_hash,
)

LoadProfile = Callable[[str], Policy]


def _changed(policy: Policy, edit: Callable[[dict[str, Any]], None]) -> Policy:
    data = policy.model_dump()
    edit(data)
    return Policy.model_validate(data)


def test_hash_is_stable_and_content_addressed(load_profile: LoadProfile) -> None:
    policy = load_profile("officeportal")
    assert policy_hash(policy) == policy_hash(load_profile("officeportal"))
    assert len(policy_hash(policy)) == 64
    assert canonical_json(policy) == canonical_json(Policy.model_validate(policy.model_dump()))
    reworded = _changed(policy, lambda d: d["purposes"][0].update(description="Reworded."))
    assert policy_hash(reworded) != policy_hash(policy)


def test_NO2_effective_date_rules(load_profile: LoadProfile) -> None:
    posted = date(2025, 5, 2)
    officetrack = load_profile("officetrack")
    assert effective_date(officetrack, posted, material=True) == date(2025, 6, 1)
    assert effective_date(officetrack, posted, material=False) == posted
    officeportal = load_profile("officeportal")
    assert effective_date(officeportal, posted, material=True) == posted


def test_NO2_material_changes(load_profile: LoadProfile) -> None:
    policy = load_profile("officeportal")
    assert not is_material_change(policy, policy)
    reworded = _changed(policy, lambda d: d["purposes"][0].update(description="Reworded."))
    assert not is_material_change(policy, reworded)

    fewer = _changed(policy, lambda d: d["recipients"].pop(3))
    assert material_changes(policy, fewer) == ["recipient removed: app_log_service"]

    def longer_retention(d: dict[str, Any]) -> None:
        d["retention"][1]["duration_days"] = 400

    assert material_changes(policy, _changed(policy, longer_retention)) == [
        "retention rule attendance_records changed: duration_days"
    ]

    def new_basis(d: dict[str, Any]) -> None:
        d["purposes"][2].update(legal_basis="eu-gdpr:A6-1-f", consent_required=False)

    assert "purpose photo_uploads changed: legal_basis, consent_required" in material_changes(
        policy, _changed(policy, new_basis))

    def new_category(d: dict[str, Any]) -> None:
        d["categories"].append({"id": "shoe_size", "term": "pd:PhysicalCharacteristic",
                                "description": "Shoe size"})
        d["purposes"][0]["categories"].append("shoe_size")
        d["retention"][0]["categories"].append("shoe_size")

    assert "category added: shoe_size" in material_changes(policy, _changed(policy, new_category))
    assert is_material_change(policy, _changed(policy, lambda d: d.update(storage_countries=["DE"])))


def test_PU2_added_consent_purposes(load_profile: LoadProfile) -> None:
    policy = load_profile("officetrack")
    assert added_consent_purposes(policy, policy) == []

    def add_marketing(d: dict[str, Any]) -> None:
        d["purposes"].append({
            "id": "newsletter", "term": "dpv:DirectMarketing", "legal_basis": "dpv:Consent",
            "consent_required": True, "marketing": True, "description": "Newsletter.",
            "categories": ["name", "work_email"],
        })

    newer = _changed(policy, add_marketing)
    assert [p.id for p in added_consent_purposes(policy, newer)] == ["newsletter"]
    assert added_consent_purposes(newer, newer) == []

    def widen(d: dict[str, Any]) -> None:
        d["purposes"][-1]["categories"].append("phone")

    assert [p.id for p in added_consent_purposes(newer, _changed(newer, widen))] == ["newsletter"]
