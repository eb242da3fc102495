"""Plan limits (BI1), asked of whoever sets them: billing registers its check at start-up, so
accounts (below the apps) never imports billing. A check raises ``ValidationError`` naming the
field with a sentence saying which limit was reached; it never removes or hides what exists."""

from __future__ import annotations

from collections.abc import Callable

LimitCheck = Callable[[int, str, int, str], None]
_checks: list[LimitCheck] = []


def register(check: LimitCheck) -> None:
    if check not in _checks:
        _checks.append(check)


def check(organization_id: int, resource: str, adding: int = 1, field: str = "__all__") -> None:
    """Refuse adding ``adding`` of ``resource`` (``members``, ``storage_bytes``) beyond the plan."""
    for registered in _checks:
        registered(organization_id, resource, adding, field)
