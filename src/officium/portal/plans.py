"""File size limits per organization plan (a deployment may override them in settings)."""

from __future__ import annotations

from django.conf import settings

MiB = 1024 * 1024
GiB = 1024 * MiB
DEFAULT_LIMITS = {"free": 100 * MiB, "standard": 5 * GiB, "enterprise": 50 * GiB}


def max_file_size(plan: str) -> int:
    limits = {**DEFAULT_LIMITS, **getattr(settings, "OFFICIUM_PORTAL_PLAN_LIMITS", {})}
    return int(limits.get(plan, limits["free"]))
