"""Template filters for local time (WT1): ``{{ moment|local_time:zone }}`` gives "08:30 CET",
``local_datetime`` adds the date. ``zone`` is a ZoneInfo, a zone name, or an organization."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from officium.accounts import localtime

register = template.Library()


@register.filter
def local_time(moment: dt.datetime | None, zone: Any) -> str:
    return localtime.format_time(moment, localtime.as_zone(zone))


@register.filter
def local_datetime(moment: dt.datetime | None, zone: Any) -> str:
    return localtime.format_datetime(moment, localtime.as_zone(zone))


@register.filter
def duration(span: dt.timedelta | None) -> str:
    return localtime.format_duration(span or dt.timedelta(0))
