"""Fixtures of the rights tests: a profile switch, exports in a temporary directory, and
requests filed through the services the pages call."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from officium.privacy import policy_runtime
from officium.privacy.policy import loader


@pytest.fixture(autouse=True)
def _exports_in_tmp(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def profile(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """``profile("officexlr")`` makes that policy the active one for the test."""

    def use(name: str) -> None:
        monkeypatch.setenv("OFFICIUM_POLICY", name)
        loader.reset_cache()
        policy_runtime.reset()

    yield use
    monkeypatch.delenv("OFFICIUM_POLICY", raising=False)
    loader.reset_cache()
    policy_runtime.reset()


def code_from_mail(mailbox) -> str:
    """The 8-digit code of the last code email."""
    import re

    body = next(m.body for m in reversed(mailbox) if "code" in m.subject.lower())
    return re.search(r"\b(\d{8})\b", body).group(1)
