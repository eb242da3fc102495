"""Sites and their geofences: circles (centre and radius) or polygons, optional working hours."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from officium.accounts import localtime
from officium.accounts.models import Membership
from officium.accounts.roles import Role
from officium.attendance.geofence import validate_fix, validate_polygon, validate_radius
from officium.attendance.models import Shape, Site
from officium.privacy import audit
from officium.text import validate_name

SITE_EDITORS = (Role.OWNER, Role.ADMIN, Role.MANAGER)


def save_site(actor: Membership, data: dict[str, Any], site: Site | None = None) -> Site:
    """Create or change a site from plain values (forms and the API both land here)."""
    if actor.role not in SITE_EDITORS:
        raise PermissionDenied("Only owners, administrators and managers can edit sites.")
    if site is not None and site.organization_id != actor.organization_id:
        raise PermissionDenied
    values = _clean(data)
    with transaction.atomic():
        created = site is None
        site = site or Site(organization_id=actor.organization_id)
        for name, value in values.items():
            setattr(site, name, value)
        site.save()
        audit.record("attendance.site_created" if created else "attendance.site_changed",
                     actor=actor.user_id, organization=actor.organization_id, target=site,
                     details={"shape": site.shape})
    return site


def archive_site(actor: Membership, site: Site) -> None:
    if actor.role not in SITE_EDITORS or site.organization_id != actor.organization_id:
        raise PermissionDenied("Only owners, administrators and managers can edit sites.")
    with transaction.atomic():
        Site.objects.filter(pk=site.pk).update(active=False)
        audit.record("attendance.site_archived", actor=actor.user_id,
                     organization=actor.organization_id, target=site)


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    name = str(data.get("name") or "").strip()
    if not name or len(name) > 120:
        raise ValidationError({"name": "Name the site (1-120 characters)."})
    validate_name(name, "name")
    shape = data.get("shape") or Shape.CIRCLE
    if shape not in Shape.values:
        raise ValidationError({"shape": "Choose circle or polygon."})
    values: dict[str, Any] = {"name": name, "shape": shape, "center_latitude": None,
                              "center_longitude": None, "radius_m": None, "polygon": []}
    if shape == Shape.CIRCLE:
        centre = validate_fix(data.get("center_latitude"), data.get("center_longitude"), prefix="center_")
        values.update(center_latitude=centre.latitude, center_longitude=centre.longitude,
                      radius_m=validate_radius(data.get("radius_m")))
    else:
        values["polygon"] = validate_polygon(data.get("polygon"))
    values.update(_schedule(data))
    zone = str(data.get("time_zone") or "").strip()
    values["time_zone"] = localtime.validate_zone(zone) if zone else ""
    return values


def _schedule(data: dict[str, Any]) -> dict[str, Any]:
    start, end = data.get("schedule_start"), data.get("schedule_end")
    if (start is None) != (end is None):
        raise ValidationError({"schedule_end": "Give both the start and the end of working hours, or neither."})
    for key, value in (("schedule_start", start), ("schedule_end", end)):
        if value is not None and not isinstance(value, dt.time):
            raise ValidationError({key: "Enter a time (HH:MM)."})
    if start is not None and end is not None and start >= end:
        raise ValidationError({"schedule_end": "Working hours must end after they start."})
    weekdays = data.get("weekdays") or []
    if not isinstance(weekdays, list | tuple) or any(
            isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in weekdays):
        raise ValidationError({"weekdays": "Weekdays are numbers from 0 (Monday) to 6 (Sunday)."})
    return {"schedule_start": start, "schedule_end": end, "weekdays": sorted(set(weekdays))}
