"""Erasure (RI4): every registered record of the subject removed or crypto-shredded, except
what a legal hold keeps, which the answer lists with its reason; their sessions end.

One function, ``erase_subject``, is the only way erasure happens here. It uses the vault's
``shred_subject`` when the vault provides it (the data key is destroyed first, so backups
become unreadable too) and otherwise deletes the rows itself: one bulk DELETE per registered
model (never one statement per row), each model in its own transaction, the user row last.
Both are idempotent: run again after a crash, they find less or nothing to remove.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from officium.privacy import registry
from officium.privacy.actors import AuditActor
from officium.privacy.rights import crashpoints
from officium.privacy.rights.records import Subject, queryset

if TYPE_CHECKING:
    from officium.privacy.retention.models import LegalHold
    from officium.privacy.vault.shredding import ShredReport

# Kept by the rights app itself: the request and its history prove the answer was given
# (GDPR Art. 5(2), accountability); they are detached from the person and hold no values.
ACCOUNTABILITY = "The request and its history, kept to prove it was answered (GDPR Art. 5(2))."


@dataclass
class KeptData:
    """Data erasure did not remove, and why (a legal hold, or accountability)."""

    data_type: str
    reason: str
    until: str | None  # ISO date
    scope: str = ""
    count: int | None = None  # rows kept, where shredding counted them

    def as_json(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"data_type": self.data_type}
        if self.count is not None:
            answer["count"] = self.count
        answer.update(reason=self.reason, until=self.until, scope=self.scope)
        return answer


@dataclass
class ErasureAnswer:
    """What ``erase_subject`` did: stored (as JSON) as the request's answer."""

    method: str  # "crypto_shredding" or "deletion"
    removed: dict[str, int]
    kept: list[KeptData] = field(default_factory=list)
    vault: dict[str, str | int | bool] | None = None  # the shredding report's own facts
    sessions_ended: int | None = None

    def as_json(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"method": self.method, "removed": dict(self.removed),
                                  "kept": [k.as_json() for k in self.kept]}
        if self.vault is not None:
            answer["vault"] = dict(self.vault)
        if self.sessions_ended is not None:
            answer["sessions_ended"] = self.sessions_ended
        return answer


class Shredder(Protocol):
    def __call__(self, subject_id: int, *, actor: AuditActor = None,
                 reason: str = "erasure") -> ShredReport: ...


def _optional(module: str, name: str) -> Any:
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def shredder() -> Shredder | None:
    found: Shredder | None = _optional("officium.privacy.vault.shredding", "shred_subject")
    return found


def holds_for(subject_id: int | None) -> list[KeptData]:
    """Legal holds on the subject (RE4) from the retention app."""
    finder: Callable[[int], list[LegalHold]] | None = _optional(
        "officium.privacy.retention.holds", "holds_for_subject")
    if finder is None or subject_id is None:
        return []
    return [KeptData(data_type=hold.data_type or "", reason=str(hold.reason or ""),
                     until=hold.until.isoformat() if hold.until else None, scope=hold.scope)
            for hold in finder(subject_id)]


def erase_subject(subject: Subject, *, reason: str, keep: frozenset[type] = frozenset(),
                  actor: AuditActor = None) -> ErasureAnswer:
    """Remove the subject's registered records; the answer says how, what went, what stays."""
    holds = holds_for(subject.user_id)
    shred = shredder()
    sessions_ended = 0
    if shred is not None and subject.user_id is not None:
        report = shred(subject.user_id, actor=actor, reason="erasure_request")
        answer = _from_report(report)
        sessions_ended = report.sessions_ended
        removed_by_email = _delete_rows(Subject(email=subject.email), keep, set()) if subject.email else {}
        for label, n in removed_by_email.items():
            answer.removed[label] = answer.removed.get(label, 0) + n
    else:
        held = {h.data_type for h in holds}
        answer = ErasureAnswer(method="deletion", removed=_delete_rows(subject, keep, held),
                               kept=list(holds))
    answer.kept.append(KeptData(data_type="rights_request", reason=ACCOUNTABILITY, until=None))
    if subject.user_id is not None:
        answer.sessions_ended = sessions_ended + end_sessions(subject.user_id)
    return answer


def _from_report(report: ShredReport) -> ErasureAnswer:
    return ErasureAnswer(
        method="crypto_shredding",
        removed={str(label): int(n) for label, n in report.deleted.items()},
        kept=[KeptData(data_type=k.label, count=k.rows, reason=k.reason, until=k.until.isoformat())
              for k in report.kept],
        vault={"subject_id": report.subject_id, "reason": report.reason,
               "key_destroyed": report.key_destroyed, "user": report.user,
               "sessions_ended": report.sessions_ended})


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
