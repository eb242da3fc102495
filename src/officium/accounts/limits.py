"""Plan limits (BI1), asked of whoever sets them: billing registers its check at start-up, so
accounts (below the apps) never imports billing. A check raises ``ValidationError`` naming the
field with a sentence saying which limit was reached; it never removes or hides what exists."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError

from officium.errors import ErrorCode

LimitCheck = Callable[[int, str, int, str], None]
_checks: list[LimitCheck] = []


def register(check: LimitCheck) -> None:
    if check not in _checks:
        _checks.append(check)


def check(organization_id: int, resource: str, adding: int = 1, field: str = "__all__") -> None:
    """Refuse adding ``adding`` of ``resource`` beyond the plan: ``members``; ``storage_bytes``
    (``adding=0`` asks whether what is stored and reserved still fits; refused with
    ``StorageFull``, 413); ``retention_choices`` (choosing a retention period other than the
    policy's, allowed only on plans that offer it)."""
    for registered in _checks:
        registered(organization_id, resource, adding, field)


class StorageFull(ValidationError):
    """413: the bytes would go beyond the plan's storage (the message names the limit and what
    is in use; the answer adds ``limit_bytes`` and ``used_bytes``). Nothing was stored."""

    http_status = 413
    error_code = ErrorCode.TOO_LARGE

    def __init__(self, message: dict[str, str], *, extra: dict[str, int]) -> None:
        super().__init__(message)
        self.extra = extra

    def error_extra(self) -> dict[str, int]:
        return self.extra
