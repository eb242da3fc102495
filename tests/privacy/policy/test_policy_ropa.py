"""The Art. 30 record is generated from the policy, with registry fields appended."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

from officium.privacy.policy.ropa import COLUMNS, ropa_csv, ropa_json
from officium.privacy.policy.schema import Policy

LoadProfile = Callable[[str], Policy]

REGISTRY = [
    {"model": "attendance.CheckIn", "field": "latitude", "category": "pd:GPSCoordinate"},
    {"model": "accounts.User", "field": "email", "category": "work_email"},
]


def test_ropa_has_a_row_per_purpose(profile_name: str, load_profile: LoadProfile) -> None:
    policy = load_profile(profile_name)
    rows = list(csv.DictReader(io.StringIO(ropa_csv(policy))))
    assert tuple(rows[0].keys()) == COLUMNS
    assert [r["purpose_id"] for r in rows] == [p.id for p in policy.purposes]
    for row in rows:
        assert row["record"] == "purpose"
        assert row["legal_basis"] and row["categories"] and row["retention"]


def test_ropa_rows_carry_recipients_countries_and_retention(load_profile: LoadProfile) -> None:
    policy = load_profile("workoptima")
    rows = {r["purpose_id"]: r for r in csv.DictReader(io.StringIO(ropa_csv(policy)))}
    payments = rows["payments"]
    assert "Payment processors (processor)" in payments["recipients"]
    assert payments["legal_basis"].startswith("eu-gdpr:A6-1-b")
    assert {"US", "CA", "WORLDWIDE"} <= set(payments["countries"].split("; "))
    assert "30 days after the account is terminated" in payments["retention"]
    assert "Encryption at Rest" in payments["security_measures"]


def test_ropa_appends_registry_fields(load_profile: LoadProfile) -> None:
    policy = load_profile("officeportal")
    rows = list(csv.DictReader(io.StringIO(ropa_csv(policy, REGISTRY))))
    fields = [r for r in rows if r["record"] == "field"]
    assert [(r["model"], r["field"]) for r in fields] == [
        ("attendance.CheckIn", "latitude"), ("accounts.User", "email")]
    assert fields[0]["purpose_id"] == "attendance"
    assert "attendance_records" in fields[0]["retention"]
    assert "service_provision" in fields[1]["purpose_id"].split("; ")

    document = json.loads(ropa_json(policy, REGISTRY))
    assert document["role"] == "controller"
    assert len(document["activities"]) == len(policy.purposes) + 2
