"""Sweeps: delete what the policy's retention rules say is due, in chunks, with evidence.

One run measures every row against one ``cutoff_at`` (the run's "now"). Each chunk is one
transaction that deletes rows and writes their ``DeletionEvidence`` (rule, model, count,
anchor time range, run; never the content) plus an audit entry, so evidence always matches
what was deleted. A run is claimed with a conditional UPDATE of its lease; a worker killed
mid-run leaves the run ``running`` with an expiring lease, and the next sweep resumes it
with the same cutoff: rows already deleted are not there to delete twice.

Triggers: ``created`` and ``request_closed`` count from the model's retention anchor (for
``request_closed`` the app's anchor is the closing time; open requests have none);
``account_terminated`` counts from the organization's ``terminated_at``;
``account_cancelled`` is executed at cancellation by ``shred_subject``.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from officium.privacy import audit
from officium.privacy.retention import holds as holds_module
from officium.privacy.retention import rules
from officium.privacy.retention.deletion import delete_rows
from officium.privacy.retention.models import DeletionEvidence, SweepRun, SweepStatus

CHUNK = 5000
LEASE = timedelta(minutes=5)


def chunk_size() -> int:
    return int(getattr(settings, "OFFICIUM_RETENTION_CHUNK", 0) or CHUNK)


def _pause_after_chunk() -> None:
    """Test hook for the crash test: sleep after each committed chunk."""
    pause = float(getattr(settings, "OFFICIUM_RETENTION_CHUNK_PAUSE", 0) or 0)
    if pause:
        time.sleep(pause)


def organization_model() -> type[models.Model]:
    return apps.get_model(getattr(settings, "RETENTION_ORGANIZATION_MODEL", "accounts.Organization"))


@dataclass(frozen=True)
class Target:
    """One deletion to carry out: which rows, under which rule, anchored on which field."""

    rule_id: str
    trigger: str
    model: type[models.Model]
    anchor: str
    rows: Q
    organization_id: int | None = None


# --- claiming runs ----------------------------------------------------------------------

def claim_run(worker: str, now: datetime | None = None) -> SweepRun | None:
    """Resume an abandoned run or start one; None if another worker holds the lease."""
    now = now or timezone.now()
    pending = SweepRun.objects.filter(status=SweepStatus.RUNNING).order_by("started_at").first()
    if pending is not None:
        if pending.claimed_until and pending.claimed_until > now and pending.claimed_by != worker:
            return None
        claimed = SweepRun.objects.filter(pk=pending.pk, status=SweepStatus.RUNNING,
                                          claimed_until=pending.claimed_until).update(
            claimed_by=worker, claimed_until=now + LEASE)
        if not claimed:
            return None
        pending.refresh_from_db()
        return pending
    return SweepRun.objects.create(cutoff_at=now, claimed_by=worker, claimed_until=now + LEASE)


def _renew(run: SweepRun) -> None:
    SweepRun.objects.filter(pk=run.pk, claimed_by=run.claimed_by).update(
        claimed_until=timezone.now() + LEASE)


# --- what is due ------------------------------------------------------------------------

def targets(cutoff: datetime) -> Iterator[Target]:
    """Every (rule, model, rows) due at ``cutoff``, holds already excluded."""
    active = holds_module.active_holds(cutoff.date())
    org_model = organization_model()
    orgs = list(org_model._base_manager.values_list("pk", "plan", "status", "terminated_at"))
    chosen = rules.overrides()
    for binding in rules.bindings():
        rule, reg = binding.rule, binding.registration
        if rule.trigger == "account_cancelled":
            continue
        tenant = holds_module.is_tenant_model(reg.model)
        held = holds_module.held_q(reg, active)
        for org_id, q in _due(rule, reg, tenant, orgs, chosen, cutoff):
            if rule.trigger == "account_terminated" or reg.retention_anchor:
                rows = q & ~held if held is not None else q
                anchor = reg.retention_anchor or "pk"
                yield Target(rule.id, rule.trigger, reg.model, anchor, rows, org_id)


def _due(rule: Any, reg: Any, tenant: bool, orgs: list[tuple[Any, ...]], chosen: dict[tuple[int, str], int],
         cutoff: datetime) -> Iterator[tuple[int | None, Q]]:
    if rule.trigger == "account_terminated":
        if not tenant:
            return
        for org_id, plan, status, terminated_at in orgs:
            if status == "terminated" and terminated_at is not None:
                days = rules.days_for(rule, plan, chosen.get((org_id, rule.id)))
                if terminated_at + timedelta(days=days) <= cutoff:
                    yield org_id, Q(organization_id=org_id)
        return
    anchor = reg.retention_anchor
    if not anchor:
        return
    if not tenant:
        yield None, Q(**{f"{anchor}__lt": cutoff - timedelta(days=rules.days_for(rule, None, None))})
        return
    by_days: dict[int, list[int]] = defaultdict(list)
    for org_id, plan, _status, _ in orgs:
        by_days[rules.days_for(rule, plan, chosen.get((org_id, rule.id)))].append(org_id)
    for days, org_ids in sorted(by_days.items()):
        limit = Q(**{f"{anchor}__lt": cutoff - timedelta(days=days)})
        if len(by_days) == 1:
            yield None, limit
        else:
            yield None, limit & Q(organization_id__in=org_ids)


# --- deleting ---------------------------------------------------------------------------

def delete_chunks(target: Target, run: SweepRun | None = None) -> int:
    """Delete a target's rows chunk by chunk, each chunk with its evidence; returns the count.

    A chunk is "due rows up to the primary key of the N-th due row": every statement of the
    chunk then filters by a key range, instead of re-sorting a LIMIT subquery each time.
    """
    total = 0
    size = chunk_size()
    due = target.model._base_manager.filter(target.rows)
    while True:
        with transaction.atomic():
            boundary = list(due.order_by("pk").values_list("pk", flat=True)[size - 1:size])
            chunk = due.filter(pk__lte=boundary[0]) if boundary else due
            count = _delete_batch(target, chunk, run)
        total += count
        if not boundary:
            return total
        if run is not None:
            _renew(run)
        _pause_after_chunk()


def _delete_batch(target: Target, chunk: Any, run: SweepRun | None) -> int:
    """One chunk: its anchors' time range and organization, the deletion, the evidence."""
    manager = target.model._base_manager
    anchored = target.anchor != "pk"
    summary = manager.filter(pk__in=chunk.values("pk")).aggregate(
        oldest=Min(target.anchor) if anchored else Min("pk"),
        newest=Max(target.anchor) if anchored else Max("pk"),
        **({"org_low": Min("organization_id"), "org_high": Max("organization_id")}
           if holds_module.is_tenant_model(target.model) else {}))
    per_model = delete_rows(target.model, chunk)
    deleted = per_model.get(target.model._meta.label, 0)
    if not deleted and not per_model:
        return 0
    oldest, newest = (summary["oldest"], summary["newest"]) if anchored else (None, None)
    org_low = summary.get("org_low")
    organization_id = org_low if org_low is not None and org_low == summary.get("org_high") else None
    evidence = [DeletionEvidence(run=run, rule_id=target.rule_id, trigger=target.trigger,
                                 model_label=model_label, organization_id=organization_id,
                                 count=n, oldest=oldest, newest=newest)
                for model_label, n in per_model.items() if n]
    DeletionEvidence.objects.bulk_create(evidence)
    audit.record("retention.deleted", organization=organization_id, details={
        "rule": target.rule_id, "trigger": target.trigger, "run": run.pk if run else None,
        "counts": {e.model_label: e.count for e in evidence},
        "from": oldest.isoformat() if oldest else None, "to": newest.isoformat() if newest else None})
    if run is not None:
        SweepRun.objects.filter(pk=run.pk).update(deleted=models.F("deleted") + sum(per_model.values()))
    return deleted


def sweep(worker: str = "", now: datetime | None = None) -> SweepRun | None:
    """One sweep: claim (or resume) a run, delete everything due, mark it done."""
    run = claim_run(worker or f"pid-{os.getpid()}", now)
    if run is None:
        return None
    for target in targets(run.cutoff_at):
        delete_chunks(target, run)
    SweepRun.objects.filter(pk=run.pk).update(status=SweepStatus.DONE, finished_at=timezone.now(),
                                              claimed_until=None)
    run.refresh_from_db()
    return run


def purge_organization(organization_id: int, *, reason: str = "account_terminated") -> dict[str, int]:
    """RE2: delete every tenant row of one organization except held rows, in chunks with
    evidence. Covers registered and unregistered tenant models alike."""
    active = holds_module.active_holds()
    totals: dict[str, int] = defaultdict(int)
    for model in _tenant_models_children_first():
        reg = _registration(model)
        rows = Q(organization_id=organization_id)
        if reg is not None:
            held = holds_module.held_q(reg, active)
            if held is not None:
                rows &= ~held
        elif any(h.organization_id in (None, organization_id) and not h.data_type and h.subject_id is None
                 for h in active):
            continue  # an organization-wide hold keeps unregistered tables too
        rows &= ~_needed_by_survivors(model, organization_id)
        anchor = (reg.retention_anchor if reg is not None and reg.retention_anchor else "pk")
        target = Target(reason, "account_terminated", model, anchor, rows, organization_id)
        count = delete_chunks(target)
        if count:
            totals[model._meta.label] += count
    return dict(totals)


def _needed_by_survivors(model: type[models.Model], organization_id: int) -> Q:
    """Rows that surviving (held) tenant rows point at with CASCADE: deleting them would take
    the held rows along. Children are purged first, so survivors are the held rows."""
    q = Q(pk__in=[])
    for relation in holds_module.reverse_relations(model):
        child = relation.related_model
        if relation.on_delete is not models.CASCADE or child is model or not holds_module.is_tenant_model(child):
            continue
        survivors = child._base_manager.filter(organization_id=organization_id)
        q |= Q(pk__in=survivors.values(relation.field.attname))
    return q


def _registration(model: type[models.Model]) -> Any:
    from officium.privacy.registry import registration_for

    return registration_for(model)


def _tenant_models_children_first() -> list[type[models.Model]]:
    """Tenant models, those pointing at other tenant models first (fewer cascades to chase)."""
    tenant = [m for m in apps.get_models() if holds_module.is_tenant_model(m) and not m._meta.proxy]
    depth: dict[type[models.Model], int] = {}

    def level(model: type[models.Model], trail: frozenset[Any]) -> int:
        if model in depth:
            return depth[model]
        parents = [f.related_model for f in model._meta.concrete_fields
                   if f.is_relation and f.related_model in tenant and f.related_model not in trail
                   and f.related_model is not model]
        result = 1 + max((level(p, trail | {model}) for p in parents), default=0)
        depth[model] = result
        return result

    return sorted(tenant, key=lambda m: -level(m, frozenset()))
