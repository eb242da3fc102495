"""Broken policy files fail with the line and the path of each problem; the CLI says so."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from officium.privacy.policy import loader
from officium.privacy.policy.cli import main
from officium.privacy.policy.loader import (
    PolicyError,
    active_policy,
    check_policy_file,
    load_policy,
    policies_dir,
)

Edit = Callable[..., Path]


def line_containing(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def test_unknown_dpv_term_names_line_and_path(edited_profile: Edit) -> None:
    path = edited_profile("officeportal", ("term: pd:Picture", "term: pd:Pictures"))
    (problem,) = check_policy_file(path)
    assert problem.path == "categories[16].term"
    assert problem.line == line_containing(path, "pd:Pictures")
    assert "unknown DPV 2.2 term 'pd:Pictures'" in problem.message
    assert "did you mean pd:Picture" in problem.message


def test_PU1_undeclared_category_names_line_and_path(edited_profile: Edit) -> None:
    path = edited_profile("officexlr", ("categories: [social_profile]", "categories: [socials]"))
    problems = check_policy_file(path)
    undeclared = [p for p in problems if "'socials' is not declared" in p.message]
    assert [(p.path, p.line) for p in undeclared] == [
        ("purposes[10].categories[0]", line_containing(path, "categories: [socials]"))
    ]
    # The category left unused is reported too, at its own line.
    assert any(p.path == "categories[8].id" and "used by no purpose" in p.message
               for p in problems)


def test_PU3_a_sale_fails_with_line_and_path(edited_profile: Edit) -> None:
    path = edited_profile(
        "officetools",
        ("    purpose: payments\n", "    purpose: payments\n    sells_data: true\n"),
        ("term: dpv:PaymentManagement", "term: dpv:SellDataToThirdParties"),
    )
    problems = {p.path: p for p in check_policy_file(path)}
    assert problems["recipients[0].sells_data"].line == line_containing(path, "sells_data")
    assert "never sold" in problems["recipients[0].sells_data"].message
    assert problems["purposes[4].term"].line == line_containing(path, "SellDataToThirdParties")
    assert "PU3" in problems["purposes[4].term"].message


def test_structural_and_cross_section_problems_are_reported_together(edited_profile: Edit) -> None:
    path = edited_profile(
        "officetrack",
        ("legal_basis: eu-gdpr:A6-1-c", "legal_basis: eu-gdpr:A6-1-x"),
        ("purpose: legal_compliance", "purpose: law"),
    )
    paths = {p.path for p in check_policy_file(path)}
    assert {"purposes[5].legal_basis", "recipients[0].purpose"} <= paths


def test_missing_field_points_at_its_parent(edited_profile: Edit) -> None:
    path = edited_profile("workoptima", ("  privacy_email: support@workoptima.com\n", ""))
    (problem,) = check_policy_file(path)
    assert problem.path == "controller.privacy_email"
    assert problem.line == line_containing(path, "controller:")


def test_duplicate_keys_and_bad_yaml(tmp_path: Path, edited_profile: Edit) -> None:
    path = edited_profile("officeportal", ("processor_mode: false\n",
                                           "processor_mode: false\nprocessor_mode: true\n"))
    (problem,) = check_policy_file(path)
    assert (problem.path, problem.line) == ("processor_mode", line_containing(path, "mode: true"))

    broken = tmp_path / "broken.yaml"
    broken.write_text("profile: x\npurposes: [a,\n", encoding="utf-8")
    (problem,) = check_policy_file(broken)
    assert "not valid YAML" in problem.message

    missing = check_policy_file(tmp_path / "absent.yaml")
    assert "cannot read" in missing[0].message


def test_load_policy_raises_with_every_problem(edited_profile: Edit) -> None:
    path = edited_profile("officeportal", ("threshold: 16", "threshold: sixteen"))
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert [p.path for p in caught.value.problems] == ["age.threshold"]
    assert f"{path}:" in str(caught.value)


def test_cli_check_prints_problems_and_exits_1(edited_profile: Edit,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = edited_profile("officeportal", ("term: pd:Picture", "term: pd:Pictures"))
    with withdrawn_check():
        assert main(["check", str(path), "officexlr"]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    line = line_containing(path, "pd:Pictures")
    assert out == [f"{path}:{line}: categories[16].term: unknown DPV 2.2 term 'pd:Pictures' "
                   "(did you mean pd:Picture?)"]


def test_cli_check_says_ok_for_every_profile(capsys: pytest.CaptureFixture[str]) -> None:
    """The published notices are valid files (their unbacked statements aside: PV7)."""
    files = sorted(str(p) for p in policies_dir().glob("*.yaml"))
    assert len(files) == 5
    with withdrawn_check():
        assert main(["check", *files]) == 0
    assert capsys.readouterr().out.strip() == "ok"


def withdrawn_check() -> Any:
    """The file checks alone (the PV7 backing check is tested in tests/privacy/office)."""
    from unittest import mock

    return mock.patch("officium.privacy.policy.cli.unbacked_problems", return_value=[])


def test_cli_renders_notice_and_ropa(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notice", "officexlr"]) == 0
    assert "does not respond to Do Not Track" in capsys.readouterr().out
    assert main(["ropa", "workoptima", "--format", "json"]) == 0
    assert '"role": "processor"' in capsys.readouterr().out


def test_active_policy_follows_the_setting(settings: Any, tmp_path: Path) -> None:
    assert active_policy().profile == "officeportal"
    settings.OFFICIUM_POLICY = "workoptima"
    assert active_policy().profile == "workoptima"
    assert active_policy() is active_policy()

    copy = tmp_path / "custom.yaml"
    copy.write_text((policies_dir() / "officetrack.yaml").read_text(encoding="utf-8"),
                    encoding="utf-8")
    settings.OFFICIUM_POLICY = str(copy)
    assert active_policy().profile == "officetrack"

    (tmp_path / "officexlr.yaml").write_text(copy.read_text(encoding="utf-8"), encoding="utf-8")
    settings.OFFICIUM_POLICY_DIR = str(tmp_path)
    settings.OFFICIUM_POLICY = "officexlr"
    assert active_policy().profile == "officetrack"


def test_reset_cache_rereads_the_file(settings: Any, tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    original = (policies_dir() / "officetrack.yaml").read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")
    settings.OFFICIUM_POLICY = str(path)
    assert active_policy().changes.material_effective_after_days == 30
    path.write_text(original.replace("material_effective_after_days: 30",
                                     "material_effective_after_days: 14"), encoding="utf-8")
    assert active_policy().changes.material_effective_after_days == 30
    loader.reset_cache()
    assert active_policy().changes.material_effective_after_days == 14
