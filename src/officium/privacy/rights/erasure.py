"""Erasure (RI4): every registered record of the subject removed or crypto-shredded, except
what a legal hold keeps, which the answer lists with its reason; their sessions end.

One function, ``erase_subject``, is the only way erasure happens here. It uses the vault's
``shred_subject`` when the vault provides it (the data key is destroyed first, so backups
become unreadable too) and otherwise deletes the rows itself: one bulk DELETE per registered
model (never one statement per row), each model in its own transaction, the user row last.
Both are idempotent: run again after a crash, they find less or nothing to remove.
"""

from __future__ import annotations

import dataclasses
import importlib
from datetime import date, datetime
from typing import Any

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from officium.privacy import registry
from officium.privacy.rights import crashpoints
from officium.privacy.rights.records import Subject, queryset

# Kept by the rights app itself: the request and its history prove the answer was given
# (GDPR Art. 5(2), accountability); they are detached from the person and hold no values.
ACCOUNTABILITY = "The request and its history, kept to prove it was answered (GDPR Art. 5(2))."


def _optional(module: str, name: str) -> Any:
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def shredder() -> Any:
    return _optional("officium.privacy.vault.shredding", "shred_subject")


def holds_for(subject_id: int | None) -> list[dict[str, Any]]:
    """Legal holds on the subject (RE4) from the retention app, as plain dicts."""
    finder = _optional("officium.privacy.retention.holds", "holds_for_subject") or _optional(
        "officium.privacy.retention", "holds_for_subject")
    if finder is None or subject_id is None:
        return []
    return [_hold_dict(h) for h in finder(subject_id)]


def _hold_dict(hold: Any) -> dict[str, Any]:
    if isinstance(hold, (tuple, list)) and len(hold) == 4:  # the vault's (label, count, reason, until)
        label, count, reason, until = hold
        return {"data_type": str(label), "count": int(count), "reason": str(reason),
                "until": until.isoformat() if isinstance(until, (date, datetime)) else until,
                "scope": ""}
    get = hold.get if isinstance(hold, dict) else lambda k, d=None: getattr(hold, k, d)
    until = get("until") or get("held_until")
    return {"data_type": get("data_type") or "", "reason": str(get("reason") or ""),
            "until": until.isoformat() if isinstance(until, (date, datetime)) else until,
            "scope": str(get("scope") or "")}


def erase_subject(subject: Subject, *, reason: str, keep: frozenset[type] = frozenset(),
                  actor: Any = None) -> dict[str, Any]:
    """Remove the subject's registered records; returns {"method", "removed", "kept"}."""
    holds = holds_for(subject.user_id)
    shred = shredder()
    if shred is not None and subject.user_id is not None:
        report = shred(subject.user_id, actor=actor, reason="erasure_request")
        answer = {"method": "crypto_shredding", **_report_dict(report)}
        answer.setdefault("kept", [])
        removed_by_email = _delete_rows(Subject(email=subject.email), keep, set()) if subject.email else {}
        for label, n in removed_by_email.items():
            answer.setdefault("removed", {})[label] = answer.get("removed", {}).get(label, 0) + n
    else:
        held = {h["data_type"] for h in holds}
        answer = {"method": "deletion", "removed": _delete_rows(subject, keep, held),
                  "kept": [h for h in holds]}
    answer["kept"] = list(answer.get("kept") or []) + [
        {"data_type": "rights_request", "reason": ACCOUNTABILITY, "until": None, "scope": ""}]
    if subject.user_id is not None:
        answer["sessions_ended"] = answer.get("vault", {}).get("sessions_ended", 0) + end_sessions(
            subject.user_id)
    return answer


def _report_dict(report: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(report) and not isinstance(report, type):
        data = dataclasses.asdict(report)
    elif isinstance(report, dict):
        data = dict(report)
    else:
        data = {k: v for k, v in vars(report).items() if not k.startswith("_")}
    removed = data.get("removed") or data.get("deleted") or data.get("counts") or {}
    kept = data.get("kept") or data.get("held") or []
    return {"removed": {str(k): int(v) for k, v in dict(removed).items()},
            "kept": [_hold_dict(k) for k in kept], "vault": {
                k: v for k, v in data.items() if k not in {"removed", "deleted", "counts", "kept", "held"}
                and isinstance(v, (str, int, float, bool, type(None)))}}


def _delete_rows(subject: Subject, keep: frozenset[type], held: set[str]) -> dict[str, int]:
    """One DELETE per registered model, the subject's own user row last."""
    everything_held = "" in held or "*" in held
    removed: dict[str, int] = {}
    ordered = sorted(registry.registrations(), key=lambda r: (r.subject == registry.SELF, r.label))
    for reg in ordered:
        if reg.model in keep or everything_held or (reg.data_type and reg.data_type in held):
            continue
        qs = queryset(reg, subject)
        if qs is None:
            continue
        with transaction.atomic():
            pks = qs.values("pk")
            _, per_model = reg.model._base_manager.filter(pk__in=pks).delete()
        if per_model.get(reg.label):
            removed[reg.label] = per_model[reg.label]
        crashpoints.reached("erasure")
    return removed


def end_sessions(user_id: int) -> int:
    """Delete every live session of the user (their devices are signed out)."""
    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=2000):
        if str(session.get_decoded().get("_auth_user_id")) == str(user_id):
            ended.append(session.pk)
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)
