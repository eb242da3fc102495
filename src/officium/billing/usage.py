"""BI4/AC6: usage per organization and day, counted without slowing requests.

An API request adds one to a counter in its process's memory (a dict under a lock: no
query). The counts are written in one batch, one upsert per organization and day, at most
every ``OFFICIUM_USAGE_FLUSH_SECONDS`` (after an answer has been produced) and at exit; the
worker's usage job writes the daily gauges (active users, members, records by type, storage).
Counts are per organization, never per person: no user id is kept.
"""

from __future__ import annotations

import atexit
import datetime as dt
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from officium.accounts.models import Membership, Organization, OrganizationStatus
from officium.billing.models import UsageDay
from officium.db import sqlite_writers

Key = tuple[int, dt.date, str]


class Counters:
    """API calls per (organization, day, feature), in memory until flushed."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: Counter[Key] = Counter()
        self.last_flush = time.monotonic()

    def add(self, organization_id: int, feature: str) -> bool:
        """Count one call; True when a flush is due."""
        key = (organization_id, dt.datetime.now(dt.UTC).date(), feature)
        with self.lock:
            self.counts[key] += 1
            return time.monotonic() - self.last_flush >= settings.OFFICIUM_USAGE_FLUSH_SECONDS

    def take(self) -> Counter[Key]:
        with self.lock:
            taken, self.counts = self.counts, Counter()
            self.last_flush = time.monotonic()
        return taken

    def flush(self) -> int:
        """Write what was counted: one upsert per organization and day. Returns calls written."""
        taken = self.take()
        if not taken:
            return 0
        by_day: dict[tuple[int, dt.date], Counter[str]] = {}
        for (organization_id, day, feature), count in taken.items():
            by_day.setdefault((organization_id, day), Counter())[feature] += count
        written = 0
        for (organization_id, day), features in by_day.items():
            written += _add_calls(organization_id, day, features)
        return written


def _add_calls(organization_id: int, day: dt.date, features: Counter[str]) -> int:
    calls = sum(features.values())
    with sqlite_writers.turn(), transaction.atomic():
        row = UsageDay.objects.select_for_update().filter(organization_id=organization_id, day=day).first()
        if row is None:
            if not Organization.objects.filter(pk=organization_id).exists():
                return 0
            row, _ = UsageDay.objects.get_or_create(organization_id=organization_id, day=day)
            row = UsageDay.objects.select_for_update().get(pk=row.pk)
        merged = Counter({str(k): int(v) for k, v in row.features.items()})
        merged.update(features)
        UsageDay.objects.filter(pk=row.pk).update(api_calls=F("api_calls") + calls, features=dict(merged))
    return calls


counters = Counters()
atexit.register(lambda: _flush_quietly())


def _flush_quietly() -> None:
    try:
        counters.flush()
    except Exception:  # noqa: BLE001, S110  (at exit, with the database perhaps gone)
        pass


def feature_of(path: str) -> str:
    """``/api/workforce/...`` -> ``workforce``: the area of the product an API call used."""
    parts = path.split("/", 3)
    return parts[2][:40] if len(parts) > 2 and parts[2] else "api"


class UsageMiddleware:
    """Counts each API answer of a request that acted in an organization (no query)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            membership = getattr(request, "_officium_membership", None)
            if membership is not None and counters.add(membership.organization_id, feature_of(request.path)):
                counters.flush()
        return response


# --- the worker's daily gauges --------------------------------------------------------------

def record_counts(organization: Organization) -> dict[str, int]:
    """Rows per registered record type of the organization (tenant tables with personal data)."""
    from officium.privacy.registry import registrations

    counts: dict[str, int] = {}
    for registration in registrations():
        model: Any = registration.model
        if any(f.name == "organization" for f in model._meta.concrete_fields):
            number = model._default_manager.filter(organization=organization).count()
            if number:
                counts[model._meta.verbose_name_plural.capitalize()] = number
    return counts


STORED = (("portal", "File"), ("fieldwork", "Photo"))
"""What counts as stored against a plan's storage: every portal file (old versions and the
trash included, they take space until purged) and every field work photo, by plaintext size."""
RESERVED = (("portal", "Upload"),)
"""Uploads in progress count by their declared size until they end (completed or discarded)."""


def _sizes(models: tuple[tuple[str, str], ...], organization: Organization | int) -> int:
    from django.apps import apps

    total = 0
    for app_label, name in models:
        try:
            model = apps.get_model(app_label, name)
        except LookupError:
            continue
        found = model._default_manager.filter(organization=organization).aggregate(s=Sum("size"))["s"]
        total += int(found or 0)
    return total


def storage_bytes(organization: Organization | int) -> int:
    return _sizes(STORED, organization)


def reserved_bytes(organization: Organization | int) -> int:
    return _sizes(RESERVED, organization)


def snapshot(day: dt.date | None = None) -> int:
    """Write today's gauges for every live organization; returns organizations written."""
    counters.flush()
    day = day or timezone.now().date()
    start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    from officium.billing.limits import review_storage_alert

    written = 0
    for organization in Organization.objects.exclude(status=OrganizationStatus.DELETED):
        members = Membership.objects.filter(organization=organization)
        UsageDay.objects.update_or_create(organization=organization, day=day, defaults={
            "members": members.count(),
            "active_users": members.filter(user__last_login__gte=start).count(),
            "records": record_counts(organization),
            "storage_bytes": storage_bytes(organization)})
        review_storage_alert(organization)
        written += 1
    return written


def history(organization: Organization, days: int = 30) -> list[UsageDay]:
    since = timezone.now().date() - dt.timedelta(days=days)
    return list(UsageDay.objects.filter(organization=organization, day__gte=since).order_by("-day"))
