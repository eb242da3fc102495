"""Keyset paging for the workforce lists (own corrections and leave requests, the ones waiting
for a decision, holidays): a page is the rows after a cursor on (sort key, id), so every row
is reachable however many there are; there is no silent cap (WT7)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
T = TypeVar("T", bound=Model)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def size_of(value: Any) -> int:
    text = str(value or "").strip()
    if not text:
        return PAGE_SIZE
    if not text.isdigit() or not 1 <= int(text) <= MAX_PAGE_SIZE:
        raise ValidationError({"limit": f"Choose between 1 and {MAX_PAGE_SIZE} rows per page."})
    return int(text)


def _encode(value: dt.date, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{value.isoformat()}|{pk}".encode()).decode().rstrip("=")


def _decode(text: str, is_datetime: bool) -> tuple[dt.date, int]:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        value, pk = raw.split("|")
        if not pk.isdigit():
            raise ValueError
        if is_datetime:
            moment = dt.datetime.fromisoformat(value)
            if moment.tzinfo is None:
                raise ValueError
            return moment, int(pk)
        return dt.date.fromisoformat(value), int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationError({"cursor": "This page link is not valid; start from the first page."}) from None


def page(qs: QuerySet[T], key: str, *, descending: bool, cursor: Any = None, size: int = PAGE_SIZE) -> Page[T]:
    """The rows of ``qs`` ordered by (``key``, id), ascending or descending, after ``cursor``."""
    field = qs.model._meta.get_field(key)
    is_datetime = field.get_internal_type() == "DateTimeField"
    text = str(cursor or "").strip()
    if text:
        value, pk = _decode(text, is_datetime)
        if descending:
            qs = qs.filter(Q(**{f"{key}__lt": value}) | Q(**{key: value, "pk__lt": pk}))
        else:
            qs = qs.filter(Q(**{f"{key}__gt": value}) | Q(**{key: value, "pk__gt": pk}))
    order = (f"-{key}", "-pk") if descending else (key, "pk")
    found = list(qs.order_by(*order)[:size + 1])
    items = found[:size]
    more = len(found) > size and items
    return Page(items, _encode(getattr(items[-1], key), items[-1].pk) if more else None)
