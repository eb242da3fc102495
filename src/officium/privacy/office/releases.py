"""PV6: published aggregates under differential privacy (OpenDP's Laplace mechanism).

An app offers a dataset: a function giving, for an organization and a period, the count of each
group (their keys fixed by public structure: the organization's sites and the period's weeks,
never by the data), each person's records capped at ``cap`` per week. The release adds Laplace
noise scaled to the sensitivity (cap x weeks: what one person can change) over epsilon, withholds
groups whose noisy count is under the threshold (small groups), records every parameter, and
spends epsilon from the dataset's budget for the organization: a release over the release limit
or the dataset's remaining budget is refused.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone

from officium.privacy import audit, staff
from officium.privacy.actors import Member
from officium.privacy.audit_events import RELEASE_PUBLISHED
from officium.privacy.office.models import Release

RELEASE_LIMIT = 1.0
"""The most epsilon one release may spend."""
DATASET_BUDGET = 3.0
"""The most epsilon all releases of one dataset may spend, per organization."""
THRESHOLD = 10
"""Small groups: fewer than this are not to be published."""
NOISE_MARGIN = 8
"""Groups whose noisy count is under THRESHOLD + NOISE_MARGIN x scale are withheld, so a group of
fewer than THRESHOLD is published by chance less than once in 5,000 (Laplace tail e^-8 / 2)."""
CAP = 10
"""Records counted per person and week."""
MAX_WEEKS = 26

Counts = Callable[[int, date, date, int], dict[str, int]]
Groups = Callable[[int, date, date], list[str]]


@dataclass(frozen=True)
class Dataset:
    key: str
    title: str
    groups: Groups  # every group key for the period, from public structure
    counts: Counts  # true counts per group key, each person capped at `cap` per week


_datasets: dict[str, Dataset] = {}


def register_dataset(key: str, title: str, groups: Groups, counts: Counts) -> None:
    """An app offers a dataset for release (in its AppConfig.ready)."""
    _datasets[key] = Dataset(key, title, groups, counts)


def datasets() -> list[Dataset]:
    return sorted(_datasets.values(), key=lambda d: d.title)


def spent(organization_id: int, dataset: str) -> float:
    total = (Release.objects.filter(organization_id=organization_id, dataset=dataset)
             .aggregate(total=Sum("epsilon"))["total"])
    return float(total or 0.0)


def releases_for(organization_id: int) -> QuerySet[Release]:
    return Release.objects.filter(organization_id=organization_id)


def _noise(values: list[float], sensitivity: float, epsilon: float) -> tuple[list[float], float]:
    import opendp.prelude as dp

    dp.enable_features("contrib")
    scale = sensitivity / epsilon
    space = (dp.vector_domain(dp.atom_domain(T=float, nan=False)), dp.l1_distance(T=float))
    measurement = dp.m.make_laplace(*space, scale=scale)
    used = measurement.map(d_in=sensitivity)  # type: ignore[no-untyped-call]  # opendp has no annotation here
    if used > epsilon * (1 + 1e-9):
        raise ValueError(f"the mechanism would spend {used}, more than {epsilon}")
    return list(measurement(values)), scale


def weeks_between(since: date, until: date) -> int:
    return max(0, math.ceil((until - since).days / 7))


def publish(actor: Member, *, dataset: str, since: date | None, until: date | None,
            epsilon: float | None) -> Release:
    if not staff.is_privacy_staff(actor):
        raise PermissionDenied("Only the owner and privacy officers publish statistics.")
    found = _datasets.get(dataset)
    errors: dict[str, str] = {}
    if found is None:
        errors["dataset"] = "Choose what to publish."
    if since is None or until is None or since >= until:
        errors["until"] = "The period must end after it starts."
    elif until > timezone.localdate() + timedelta(days=1):
        errors["until"] = "The period cannot end in the future."
    elif weeks_between(since, until) > MAX_WEEKS:
        errors["until"] = f"A release covers at most {MAX_WEEKS} weeks."
    if epsilon is None or not math.isfinite(epsilon) or epsilon <= 0:
        errors["epsilon"] = "The privacy budget of a release must be above 0."
    elif epsilon > RELEASE_LIMIT:
        errors["epsilon"] = f"A release may spend at most {RELEASE_LIMIT} (epsilon)."
    elif found is not None and spent(actor.organization_id, dataset) + epsilon > DATASET_BUDGET + 1e-9:
        left = max(0.0, DATASET_BUDGET - spent(actor.organization_id, dataset))
        errors["epsilon"] = f"Over this dataset's budget: {left:.2f} of {DATASET_BUDGET} is left."
    if errors or found is None or since is None or until is None or epsilon is None:
        raise ValidationError(errors)
    groups = found.groups(actor.organization_id, since, until)
    if not groups:
        raise ValidationError({"dataset": "There is nothing to count in this period (no groups)."})
    counts = found.counts(actor.organization_id, since, until, CAP)
    sensitivity = float(CAP * weeks_between(since, until))
    noisy, scale = _noise([float(counts.get(g, 0)) for g in groups], sensitivity, epsilon)
    threshold = math.ceil(THRESHOLD + NOISE_MARGIN * scale)
    results = [{"group": g, "value": round(v) if v >= threshold else None}
               for g, v in zip(groups, noisy, strict=True)]
    with transaction.atomic():
        release = Release.objects.create(
            organization_id=actor.organization_id, dataset=dataset, title=found.title,
            since=since, until=until, epsilon=epsilon, contribution_cap=CAP,
            sensitivity=sensitivity, scale=scale, threshold=threshold,
            mechanism="Laplace (OpenDP make_laplace), L1 sensitivity = cap x weeks",
            results=results, published_by_id=actor.user_id)
        audit.record(RELEASE_PUBLISHED, actor=actor.user_id, organization=actor.organization_id,
                     target=release, details={"dataset": dataset, "epsilon": epsilon})
    return release
