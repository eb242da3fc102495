"""Fixtures for the policy tests: the shipped profiles, and a way to break one on purpose."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from officium.privacy.policy import loader
from officium.privacy.policy.loader import PROFILES, load_policy, policies_dir
from officium.privacy.policy.schema import Policy

PUBLISHED = Path(__file__).resolve().parents[2] / "policies"


@pytest.fixture(autouse=True)
def _fresh_policy_cache(settings: Any) -> Iterator[None]:
    settings.OFFICIUM_POLICY = loader.DEFAULT_PROFILE
    # The notices as published (tests/policies/, the test settings' directory): these tests
    # exercise the schema on every statement the operators wrote, backed by code or not (PV7
    # checks policies/ itself).
    settings.OFFICIUM_POLICY_DIR = str(PUBLISHED)
    loader.reset_cache()
    yield
    loader.reset_cache()


@pytest.fixture(params=PROFILES)
def profile_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def load_profile() -> Callable[[str], Policy]:
    def load(name: str) -> Policy:
        return load_policy(policies_dir() / f"{name}.yaml")

    return load


@pytest.fixture
def edited_profile(tmp_path: Path) -> Callable[..., Path]:
    """Write a copy of a profile with textual replacements; each must apply exactly once."""

    def edit(name: str, *replacements: tuple[str, str]) -> Path:
        text = (policies_dir() / f"{name}.yaml").read_text(encoding="utf-8")
        for old, new in replacements:
            assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
            text = text.replace(old, new)
        path = tmp_path / f"{name}-edited.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return edit
