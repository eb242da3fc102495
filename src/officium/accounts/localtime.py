"""Local time (WT1): the one place that knows which zone an organization or site lives in.

Datetimes are stored in UTC. A person sees them in the organization's zone, or a site's own
zone when it has one, always with the zone named; a "day" is a local day, whose bounds are
computed in that zone (a day with a DST change lasts 23 or 25 hours, never a fixed 24).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import ValidationError

UTC = dt.UTC
DEFAULT_ZONE = "UTC"


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name this system knows, sorted (for select boxes and validation)."""
    return tuple(sorted(available_timezones() | {DEFAULT_ZONE}))


def validate_zone(name: object, field: str = "time_zone") -> str:
    """The zone name, stripped, or a ValidationError naming ``field``."""
    text = str(name or "").strip()
    if text not in zone_names():
        raise ValidationError({field: "Choose a time zone by its IANA name, such as Europe/Berlin."})
    return text


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    """The ZoneInfo of a stored name; an unknown one (never stored through a service) is UTC."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def zone_for(organization: Any, site: Any = None) -> ZoneInfo:
    """The site's own zone when it has one, else the organization's (an object with
    ``time_zone``, or a zone name)."""
    own = getattr(site, "time_zone", "") if site is not None else ""
    if own:
        return zone(own)
    if isinstance(organization, ZoneInfo):
        return organization
    return zone(organization if isinstance(organization, str) else getattr(organization, "time_zone", ""))


def as_zone(value: Any) -> ZoneInfo:
    """A ZoneInfo from a ZoneInfo, a name, or anything with ``time_zone``."""
    if isinstance(value, ZoneInfo):
        return value
    if isinstance(value, str):
        return zone(value)
    return zone_for(value)


def to_local(moment: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return moment.astimezone(tz)


def local_day(moment: dt.datetime, tz: ZoneInfo) -> dt.date:
    """The local calendar day ``moment`` falls on."""
    return moment.astimezone(tz).date()


def day_bounds(day: dt.date, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a local day, in UTC. Midnight that a DST jump skips resolves to the
    first instant of the day (zoneinfo reads it with the offset before the jump)."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def week_bounds(day: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the local week (Monday to Sunday) containing ``day``, in UTC."""
    monday = day - dt.timedelta(days=day.weekday())
    return day_bounds(monday, tz)[0], day_bounds(monday + dt.timedelta(days=6), tz)[1]


def at_local(day: dt.date, clock: dt.time, tz: ZoneInfo) -> dt.datetime:
    """The UTC instant of a wall-clock time on a local day (a time a DST gap skips moves
    forward with the jump, one in the repeated hour is its first occurrence)."""
    return dt.datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


def zone_label(moment: dt.datetime, tz: ZoneInfo) -> str:
    """The zone as people read it at that moment: its abbreviation (CET, CEST, UTC) where the
    zone has one, else its UTC offset (UTC+13)."""
    local = moment.astimezone(tz)
    name = local.tzname() or ""
    if name.isalpha():
        return name
    offset = local.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def format_time(moment: dt.datetime | None, tz: ZoneInfo) -> str:
    """"08:30 CET": a person-facing time with its zone named."""
    if moment is None:
        return ""
    return f"{moment.astimezone(tz):%H:%M} {zone_label(moment, tz)}"


def format_datetime(moment: dt.datetime | None, tz: ZoneInfo) -> str:
    """"2026-03-29 08:30 CEST": a person-facing date and time with its zone named."""
    if moment is None:
        return ""
    return f"{moment.astimezone(tz):%Y-%m-%d %H:%M} {zone_label(moment, tz)}"


def format_duration(span: dt.timedelta) -> str:
    """"7 h 05 min" for worked time."""
    minutes = max(0, int(span.total_seconds() // 60))
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min"
