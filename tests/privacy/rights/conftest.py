"""Fixtures of the rights tests: a profile switch, exports in a temporary directory, and
requests filed through the services the pages call."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _exports_in_tmp(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


def code_from_mail(mailbox) -> str:
    """The 8-digit code of the last code email."""
    import re

    body = next(m.body for m in reversed(mailbox) if "code" in m.subject.lower())
    return re.search(r"\b(\d{8})\b", body).group(1)
