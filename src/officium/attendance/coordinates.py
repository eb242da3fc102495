"""The one seam where coordinates are stored and read.

Every model column holding a latitude, longitude or accuracy is made by ``latitude_field`` /
``longitude_field`` / ``accuracy_field``: vault fields sealed under the member's subject key
(SE2), with the model, the field and the subject as associated data. ORM writes go through
``columns`` (the field seals on save); the raw bulk insert seals with ``Sealer`` (the same
cipher and associated data, so the ORM opens what it wrote); ``values_list`` rows are opened
with ``from_tokens``; instances are read with ``point_of``. A shredded subject's coordinates
read as None.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any, TypedDict

from officium.db import Stored
from officium.privacy.vault import keys as vault_keys
from officium.privacy.vault.fields import EncryptedFloatField, Sealed

_DOUBLE = struct.Struct(">d")  # what EncryptedFloatField.encode packs


@dataclass(frozen=True, slots=True)
class Fix:
    """A position reported by a browser or device: degrees WGS84, accuracy radius in metres."""

    latitude: float
    longitude: float
    accuracy: float = 0.0


def latitude_field(**options: Any) -> EncryptedFloatField:
    return EncryptedFloatField(null=True, blank=True, **options)


def longitude_field(**options: Any) -> EncryptedFloatField:
    return EncryptedFloatField(null=True, blank=True, **options)


def accuracy_field(**options: Any) -> EncryptedFloatField:
    return EncryptedFloatField(null=True, blank=True, **options)


class Columns(TypedDict):
    """The coordinate field values of one row, keyword arguments for the model."""

    latitude: float | None
    longitude: float | None
    accuracy_m: float | None


def columns(fix: Fix | None) -> Columns:
    """Model field values for a fix (or for no fix at all)."""
    if fix is None:
        return {"latitude": None, "longitude": None, "accuracy_m": None}
    return {"latitude": fix.latitude, "longitude": fix.longitude, "accuracy_m": fix.accuracy}


VALUE_FIELDS = ("latitude", "longitude", "accuracy_m")
"""The coordinate columns, in the order ``Sealer.row`` returns them and ``from_tokens`` takes."""


def _fields(model: Any) -> tuple[EncryptedFloatField, ...]:
    return tuple(model._meta.get_field(name) for name in VALUE_FIELDS)


class Sealer:
    """Seals fixes of one subject for a bulk insert that bypasses model instances.

    Uses the subject's cached current cipher and exactly the fields' associated data, a column
    at a time: rows written here read back through the ORM like saved ones.
    """

    __slots__ = ("_aads", "_cipher")

    def __init__(self, model: Any, subject_id: int) -> None:
        subject_keys = vault_keys.subject_key(subject_id)
        if subject_keys is None:  # pragma: no cover  (create=True always returns keys)
            raise vault_keys.KeyDestroyed(f"no key for subject {subject_id}")
        self._cipher = subject_keys.cipher
        self._aads = tuple(f.aad(subject_id) for f in _fields(model))

    def rows(self, fixes: list[Fix | None]) -> list[tuple[bytes | None, bytes | None, bytes | None]]:
        """(latitude, longitude, accuracy) tokens per fix, in order; None for no fix."""
        present = [fix for fix in fixes if fix is not None]
        pack, seal = _DOUBLE.pack, self._cipher.encrypt_column
        a_lat, a_lon, a_acc = self._aads
        sealed = iter(zip(seal([pack(f.latitude) for f in present], a_lat),
                          seal([pack(f.longitude) for f in present], a_lon),
                          seal([pack(f.accuracy) for f in present], a_acc), strict=True))
        nothing = (None, None, None)
        return [nothing if fix is None else next(sealed) for fix in fixes]


def sealed_columns(model: Any, subject_id: int, fix: Fix | None) -> dict[str, Stored]:
    """``columns(fix)`` sealed under the subject's key (SE2) as the vault fields seal them on
    save, for a row written without an instance (``db.PreparedInsert.prepare_row``); NULL
    without a fix."""
    if fix is None:
        return dict.fromkeys(VALUE_FIELDS, Stored(None, None))
    tokens = Sealer(model, subject_id).rows([fix])[0]
    return {name: Stored(token, None if token is None else Sealed(token))
            for name, token in zip(VALUE_FIELDS, tokens, strict=True)}


def open_rows(model: Any, subject_id: int, rows: list[tuple[Any, Any, Any]]) -> list[Fix | None]:
    """Fixes from many ``values_list(*VALUE_FIELDS)`` rows of one subject, a column at a time;
    None for a row without a fix, and for every row once the subject is shredded."""
    if not rows:
        return []
    try:
        lat, lon, acc = (field.open_column([None if t is None else _token(t) for t in tokens], subject_id)
                         for field, tokens in zip(_fields(model), zip(*rows, strict=True), strict=True))
    except vault_keys.KeyDestroyed:
        return [None] * len(rows)
    return [None if a is None or b is None else Fix(a, b, c or 0.0) for a, b, c in zip(lat, lon, acc, strict=True)]


def from_tokens(model: Any, subject_id: int | None, latitude: Any, longitude: Any,
                accuracy: Any) -> Fix | None:
    """A fix from ``values_list(*VALUE_FIELDS)`` tokens; None without one or once shredded."""
    if latitude is None or longitude is None or subject_id is None:
        return None
    f_lat, f_lon, f_acc = _fields(model)
    try:
        lat = f_lat.open(_token(latitude), subject_id)
        lon = f_lon.open(_token(longitude), subject_id)
        acc = f_acc.open(_token(accuracy), subject_id) if accuracy is not None else 0.0
    except vault_keys.KeyDestroyed:
        return None
    return Fix(lat, lon, acc or 0.0)


def _token(value: Any) -> bytes:
    return value.token if isinstance(value, Sealed) else bytes(value)


def point_of(row: Any) -> Fix | None:
    """The fix stored on a row, or None when it holds none (or its subject was shredded)."""
    latitude, longitude = row.latitude, row.longitude
    if latitude is None or longitude is None:
        return None
    return Fix(latitude, longitude, row.accuracy_m or 0.0)
