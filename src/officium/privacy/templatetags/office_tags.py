"""The privacy office on the dashboard: breaches whose authority clock still runs (PV5)."""

from __future__ import annotations

from typing import Any

from django import template

from officium.privacy.office.breaches import open_clocks

register = template.Library()


@register.simple_tag
def open_breaches(organization: Any) -> list[Any]:
    return open_clocks(organization.pk)
