from __future__ import annotations

import pytest

from officium.privacy import policy_runtime
from officium.privacy.consent import catalogue
from officium.privacy.policy import loader


def _reset() -> None:
    loader.reset_cache()
    policy_runtime.reset()
    catalogue.reset()


@pytest.fixture
def use_policy(monkeypatch):
    """``use_policy("officexlr")`` (or a path) makes that profile the active policy."""
    def switch(name: str) -> None:
        monkeypatch.setenv("OFFICIUM_POLICY", str(name))
        _reset()

    yield switch
    monkeypatch.delenv("OFFICIUM_POLICY", raising=False)
    _reset()
