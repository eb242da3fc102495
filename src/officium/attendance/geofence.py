"""Geofence geometry: validation, verdicts, distances, implausible speeds.

Distances are great-circle (haversine) on the mean Earth radius. Polygons are judged in a
local equirectangular projection centred on the fence, accurate to well under a metre for
fences of a few kilometres, which is what an office or a field site is. Nothing here calls
a geocoder or any other service.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from shapely.geometry import Point, Polygon
from shapely.validation import explain_validity

from officium.attendance.coordinates import Fix

EARTH_RADIUS_M = 6_371_008.8
MAX_PLAUSIBLE_SPEED_MPS = 300 / 3.6
"""Faster than 300 km/h between two fixes on the ground: suspected mock GPS."""
MAX_RADIUS_M = 50_000.0
MAX_ACCURACY_M = 100_000.0
MAX_POLYGON_VERTICES = 500


class Verdict(models.TextChoices):
    INSIDE = "inside", "Inside"
    OUTSIDE = "outside", "Outside"
    UNDECIDED = "undecided", "Undecided (fix coarser than the fence)"
    NO_LOCATION = "no_location", "No location"


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError({field: "Enter a number."})
    number = float(value)
    if not math.isfinite(number):
        raise ValidationError({field: "Enter a finite number."})
    return number


def validate_fix(latitude: Any, longitude: Any, accuracy: Any = 0.0,
                 prefix: str = "") -> Fix:
    """A checked fix, or a ValidationError naming the offending field."""
    lat = _number(latitude, f"{prefix}latitude")
    lon = _number(longitude, f"{prefix}longitude")
    acc = 0.0 if accuracy is None else _number(accuracy, f"{prefix}accuracy")
    if not -90.0 <= lat <= 90.0:
        raise ValidationError({f"{prefix}latitude": "Latitude must be between -90 and 90."})
    if not -180.0 <= lon <= 180.0:
        raise ValidationError({f"{prefix}longitude": "Longitude must be between -180 and 180."})
    if not 0.0 <= acc <= MAX_ACCURACY_M:
        raise ValidationError({f"{prefix}accuracy": "Accuracy must be between 0 and 100 km."})
    return Fix(lat, lon, acc)


def validate_radius(radius: Any) -> float:
    value = _number(radius, "radius_m")
    if not 0.0 < value <= MAX_RADIUS_M:
        raise ValidationError({"radius_m": "The radius must be more than 0 and at most 50 km."})
    return value


def validate_polygon(vertices: Any) -> list[list[float]]:
    """A list of [latitude, longitude] pairs forming a simple polygon (no self-crossing)."""
    if not isinstance(vertices, list | tuple) or not 3 <= len(vertices) <= MAX_POLYGON_VERTICES:
        raise ValidationError({"polygon": "Give between 3 and 500 corners as [latitude, longitude]."})
    points = []
    for index, vertex in enumerate(vertices):
        if not isinstance(vertex, list | tuple) or len(vertex) != 2:
            raise ValidationError({"polygon": f"Corner {index + 1} must be [latitude, longitude]."})
        try:
            fix = validate_fix(vertex[0], vertex[1])
        except ValidationError as error:
            raise ValidationError({"polygon": f"Corner {index + 1}: {' '.join(error.messages)}"}) from None
        points.append([fix.latitude, fix.longitude])
    if points[0] == points[-1]:
        points.pop()
    shape = Polygon(project(points, points[0][0], points[0][1]))
    if len(points) < 3 or not shape.is_valid or shape.area <= 0:
        reason = explain_validity(shape) if len(points) >= 3 else "too few corners"
        raise ValidationError({"polygon": f"The polygon is not valid (it must not cross itself): {reason}."})
    return points


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def project(points: Sequence[Sequence[float]], origin_lat: float, origin_lon: float) -> list[tuple[float, float]]:
    """[lat, lon] pairs to metres east/north of the origin (local equirectangular)."""
    k = math.cos(math.radians(origin_lat))
    scale = math.pi * EARTH_RADIUS_M / 180.0
    return [((lon - origin_lon) * k * scale, (lat - origin_lat) * scale) for lat, lon in points]


class Fence:
    """A site's shape, prepared once for judging many fixes."""

    def __init__(self, site: Any) -> None:
        self.site = site
        self.circle = site.shape == "circle"
        if self.circle:
            self.lat, self.lon, self.radius = site.center_latitude, site.center_longitude, site.radius_m
        else:
            self.lat, self.lon = site.polygon[0]
            self.polygon = Polygon(project(site.polygon, self.lat, self.lon))

    def boundary_distance(self, fix: Fix) -> tuple[bool, float]:
        """(centre of the fix is inside, metres from the fix to the fence's edge)."""
        if self.circle:
            d = haversine_m(self.lat, self.lon, fix.latitude, fix.longitude)
            return d <= self.radius, abs(d - self.radius)
        point = Point(project([(fix.latitude, fix.longitude)], self.lat, self.lon)[0])
        return self.polygon.covers(point), self.polygon.exterior.distance(point)

    def judge(self, fix: Fix) -> tuple[Verdict, float]:
        """The verdict and the distance to the edge; a fix whose accuracy circle crosses the
        edge cannot say which side it is on."""
        inside, edge = self.boundary_distance(fix)
        if fix.accuracy > edge:
            return Verdict.UNDECIDED, edge
        return (Verdict.INSIDE if inside else Verdict.OUTSIDE), edge

    def distance_outside(self, fix: Fix) -> float:
        """Metres to reach the fence from a fix (0 when inside)."""
        inside, edge = self.boundary_distance(fix)
        return 0.0 if inside else edge


_RANK = {Verdict.INSIDE: 0, Verdict.UNDECIDED: 1, Verdict.OUTSIDE: 2}


def best_verdict(fences: Sequence[Fence], fix: Fix) -> tuple[Verdict, Any]:
    """Judge a fix against every fence: inside any wins, then undecided, then the nearest."""
    best: tuple[int, float, Verdict, Any] | None = None
    for fence in fences:
        verdict, edge = fence.judge(fix)
        key = (_RANK[verdict], edge if verdict == Verdict.OUTSIDE else 0.0, verdict, fence.site)
        if best is None or key[:2] < best[:2]:
            best = key
    if best is None:
        return Verdict.OUTSIDE, None
    return best[2], best[3]


def implausible_speed(previous: Fix | None, previous_at: Any, fix: Fix, at: Any) -> bool:
    """True when getting from the previous fix to this one needs more than 300 km/h.

    The accuracy of both fixes is given the benefit of the doubt, so a jittery fix is not a
    mock; a jump with no time in between counts from one second.
    """
    if previous is None or previous_at is None:
        return False
    seconds = max(abs((at - previous_at).total_seconds()), 1.0)
    reach = MAX_PLAUSIBLE_SPEED_MPS * seconds + previous.accuracy + fix.accuracy
    # No way is shorter than the great circle, so the way along the meridian, then along the
    # parallel (at most R * |dlat| + R * |dlon|) bounds the distance from above: a fix within
    # reach by that bound (with a margin far beyond rounding) needs no trigonometry. The batch
    # sync judges every located event this way.
    bound = _METRES_PER_DEGREE * (abs(fix.latitude - previous.latitude) + abs(fix.longitude - previous.longitude))
    if bound < reach * 0.999:
        return False
    metres = haversine_m(previous.latitude, previous.longitude, fix.latitude, fix.longitude)
    metres -= previous.accuracy + fix.accuracy
    return bool(metres / seconds > MAX_PLAUSIBLE_SPEED_MPS)


_METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180.0
