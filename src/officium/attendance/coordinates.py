"""The one seam where coordinates are stored and read.

Every model column holding a latitude or longitude is made by ``latitude_field`` /
``longitude_field``, and every write goes through ``columns``; every read through ``point_of``.
When the vault lands, these become per-subject encrypted fields without touching the callers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models


@dataclass(frozen=True, slots=True)
class Fix:
    """A position reported by a browser or device: degrees WGS84, accuracy radius in metres."""

    latitude: float
    longitude: float
    accuracy: float = 0.0


def latitude_field(**options: Any) -> models.Field[Any, Any]:
    return models.FloatField(null=True, blank=True, **options)


def longitude_field(**options: Any) -> models.Field[Any, Any]:
    return models.FloatField(null=True, blank=True, **options)


def columns(fix: Fix | None) -> dict[str, float | None]:
    """Model field values for a fix (or for no fix at all)."""
    if fix is None:
        return {"latitude": None, "longitude": None, "accuracy_m": None}
    return {"latitude": fix.latitude, "longitude": fix.longitude, "accuracy_m": fix.accuracy}


VALUE_FIELDS = ("latitude", "longitude", "accuracy_m")
"""The coordinate columns, in the order ``row_values`` returns them (bulk inserts use both)."""


def row_values(fix: Fix | None) -> tuple[float | None, float | None, float | None]:
    """Column values for a bulk insert that bypasses model instances."""
    if fix is None:
        return None, None, None
    return fix.latitude, fix.longitude, fix.accuracy
"""Columns to fetch with ``values_list`` for ``from_values``."""


def from_values(latitude: float | None, longitude: float | None, accuracy: float | None) -> Fix | None:
    if latitude is None or longitude is None:
        return None
    return Fix(latitude, longitude, accuracy or 0.0)


def point_of(row: Any) -> Fix | None:
    """The fix stored on a row, or None when it holds no location."""
    if row.latitude is None or row.longitude is None:
        return None
    return Fix(row.latitude, row.longitude, row.accuracy_m or 0.0)
