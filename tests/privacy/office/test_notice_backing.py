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
    # Third-party cookies and the services behind them: nothing installed sets or feeds them.
    assert {("purposes", "experience_improvement"), ("recipients", "experience_services"),
            ("recipients", "app_log_service"), ("cookies", "analytics"), ("cookies", "third_party")} <= found
    # Payments (billing) and photos (field work) are installed, attendance always was.
    assert not {("purposes", "payments"), ("purposes", "photo_uploads"), ("categories", "photos"),
                ("categories", "payment_card"), ("recipients", "payment_gateway"),
                ("purposes", "attendance"), ("categories", "location")} & found
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "id: experience_improvement" in text)
    assert f"{path}:{line}: " in out and "purpose 'experience_improvement'" in out


def test_PV7_the_system_check_fails_naming_the_statement(use_policy):
    use_policy(PUBLISHED / "officeportal.yaml")
    errors = [e for e in checks.run_checks(tags=["privacy"]) if e.id == "privacy.E011"]
    assert any("purpose 'experience_improvement'" in e.msg and "officeportal" in e.msg for e in errors)
    use_policy(SHIPPED / "officeportal.yaml")
    assert [e for e in checks.run_checks(tags=["privacy"]) if e.id == "privacy.E011"] == []


def test_NO1_payments_fail_without_billing_code_and_pass_with_it():
    """The payment statements of the notice as published: unbacked while billing's processing is
    not installed, backed by the billing app as installed (its card fields are registered)."""
    policy = load_policy(PUBLISHED / "officeportal.yaml")
    payment_statements = {("purposes", "payments"), ("purposes", "saved_card"),
                          ("recipients", "payment_gateway")}
    assert not payment_statements & {(u.section, u.id) for u in backing.unbacked(policy)}
    with backing.withdrawn("billing"):
        assert payment_statements <= {(u.section, u.id) for u in backing.unbacked(policy)}
        with backing.installed("billing", **BILLING):
            assert not payment_statements & {(u.section, u.id) for u in backing.unbacked(policy)}



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


@pytest.mark.parametrize("profile", PROFILES)
def test_PV7_every_shipped_profile_passes_the_system_checks(profile, use_policy):
    """Each shipped profile starts: every registered field it collects has a declared category
    (fields of features the profile does not state, such as photos, are not collected there)."""
    use_policy(SHIPPED / f"{profile}.yaml")
    errors = [m for m in checks.run_checks() if m.id and m.id.startswith("privacy.") and m.is_serious()]
    assert errors == []
