"""PV7 and NO1: a policy states only what installed code backs."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import checks

from officium.privacy import backing
from officium.privacy.policy.cli import main
from officium.privacy.policy.loader import PROFILES, load_policy

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = ROOT / "policies"
PUBLISHED = ROOT / "tests" / "policies"

BILLING = {"purposes": ["dpv:PaymentManagement"], "categories": ["pd:PaymentCard", "pd:PhysicalAddress"],
           "recipients": [("processor", "dpv:PaymentManagement")]}


@pytest.mark.parametrize("profile", PROFILES)
def test_PV7_every_shipped_profile_is_backed_by_installed_code(profile, capsys):
    assert backing.unbacked(load_policy(SHIPPED / f"{profile}.yaml")) == []
    assert main(["check", str(SHIPPED / f"{profile}.yaml")]) == 0
    assert capsys.readouterr().out.strip() == "ok"


def test_PV7_the_published_notice_fails_naming_each_unbacked_statement(capsys):
    path = PUBLISHED / "officeportal.yaml"
    found = {(u.section, u.id) for u in backing.unbacked(load_policy(path))}
    assert {("purposes", "payments"), ("purposes", "photo_uploads"),
            ("purposes", "experience_improvement"), ("categories", "photos"),
            ("categories", "payment_card"), ("recipients", "payment_gateway"),
            ("recipients", "experience_services"), ("cookies", "analytics")} <= found
    assert ("purposes", "attendance") not in found and ("categories", "location") not in found
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "id: payments" in text)
    assert (f"{path}:{line}: purposes[3].id: not backed by installed code: purpose 'payments' "
            "(dpv:PaymentManagement) is implemented by no installed app") in out


def test_PV7_the_system_check_fails_naming_the_statement(use_policy):
    use_policy(PUBLISHED / "officeportal.yaml")
    errors = [e for e in checks.run_checks(tags=["privacy"]) if e.id == "privacy.E011"]
    assert any("purpose 'photo_uploads'" in e.msg and "officeportal" in e.msg for e in errors)
    use_policy(SHIPPED / "officeportal.yaml")
    assert [e for e in checks.run_checks(tags=["privacy"]) if e.id == "privacy.E011"] == []


def test_NO1_payments_fail_without_billing_code_and_pass_with_it():
    policy = load_policy(PUBLISHED / "officeportal.yaml")
    payment_statements = {("purposes", "payments"), ("purposes", "saved_card"),
                          ("categories", "payment_card"), ("categories", "postal_address"),
                          ("recipients", "payment_gateway")}
    with backing.withdrawn("billing"):
        assert payment_statements <= {(u.section, u.id) for u in backing.unbacked(policy)}
        with backing.installed("billing", **BILLING):
            left = {(u.section, u.id) for u in backing.unbacked(policy)}
            assert not payment_statements & left
            assert ("purposes", "photo_uploads") in left  # field work's photos are still missing
        assert payment_statements <= {(u.section, u.id) for u in backing.unbacked(policy)}


def test_PV7_a_declaration_names_real_terms():
    with pytest.raises(ValueError, match="not a DPV term"):
        backing.backs("typo", purposes=["dpv:PaymentManagment"])
    with pytest.raises(ValueError, match="role"):
        backing.backs("typo", recipients=[("friend", "dpv:PaymentManagement")])
    assert "typo" not in {p.app for p in backing.processings()}


def test_PV7_a_narrower_implementation_backs_a_broader_statement():
    """Code holding pd:EmailAddressWork backs a statement of pd:EmailAddress, not the reverse."""
    with backing.installed("mailer", categories=["pd:EmailAddressWork"]):
        assert "mailer" in backing.who_backs("pd:EmailAddress")
