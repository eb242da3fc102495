"""Crypto-shredding: destroy a subject's key first, then purge their rows in chunks.

``shred_subject(subject_id, reason="erasure_request")``:

1. works out what legal holds keep (``retention.holds``);
2. destroys the subject's data keys (the rows are deleted, the key ids go to the shred
   ledger outside the database, the process cache forgets them, an audit entry records it),
   so every encrypted value of the subject, in the live database and in every backup, is
   unreadable from here on. If a hold keeps rows with encrypted values, the key stays (held
   data must stay readable) and the report says so;
3. deletes every registered model's rows of the subject, children before parents, in
   chunks of ``CHUNK`` (one transaction each), except held rows and the parents they need;
4. deletes the user row, or anonymizes it when held rows still point at it;
5. ends the subject's sessions.

Running it again after a crash finishes the job: every step is idempotent.

Each erasure is named in the erasure ledger (``erasures.py``: subject id, key ids, time, a
state; no personal value), outside the database: ``officium restore`` erases those people
again (``erase_again``), and ``finish_held_erasures`` (the retention job, and a released
hold) erases what a hold kept once the hold has ended.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.utils import timezone

from officium.privacy import audit
from officium.privacy.actors import AuditActor
from officium.privacy.registry import (
    NOT_PERSONAL,
    SELF,
    Registration,
    first_hops_remembered,
    registrations,
)
from officium.privacy.retention import holds as holds_module
from officium.privacy.retention.deletion import delete_rows
from officium.privacy.vault import erasures, keys, ledger
from officium.privacy.vault.fields import EncryptedField

CHUNK = 5000
FEW = 500  # rows named by their keys in the deleting statements (see _purge)


class KeptRows(NamedTuple):
    """Rows of one model a legal hold keeps: how many, why, until when."""

    label: str
    rows: int
    reason: str
    until: date


@dataclass
class ShredReport:
    """What one shredding did; ``rights.erasure`` turns it into the requester's answer."""

    subject_id: int
    reason: str = "erasure"
    key_destroyed: bool = False
    deleted: Counter[str] = field(default_factory=Counter)
    kept: list[KeptRows] = field(default_factory=list)
    user: str = "absent"  # "deleted", "anonymized", "kept" or "absent"
    sessions_ended: int = 0

    @property
    def deleted_total(self) -> int:
        return sum(self.deleted.values())


def shred_subject(subject_id: int, *, actor: AuditActor = None, reason: str = "erasure") -> ShredReport:
    """Erase a data subject (see the module docstring). ``reason`` is a code for the audit log
    (``erasure_request``, ``account_cancelled``, ...), never free text about the person."""
    subject_id = int(subject_id)
    with first_hops_remembered():
        return _shred(subject_id, actor, reason)


def _shred(subject_id: int, actor: AuditActor, reason: str) -> ShredReport:
    report = ShredReport(subject_id, reason)
    if subject_id not in erasures.entries():  # named before anything is destroyed
        erasures.record(subject_id, erasures.ERASING, _subject_kids(subject_id), reason)
    holds = holds_module.candidate_holds(subject_id)
    kept = holds_module.kept_for_subject(subject_id, holds)
    report.kept = [KeptRows(k.model_label, k.count, k.reason, k.until) for k in kept]
    sealed_kept = any(_has_encrypted_fields(_model(k.model_label)) for k in kept)
    if not sealed_kept:
        report.key_destroyed = destroy_subject_keys(subject_id, actor=actor, reason=reason)
    ordered = _children_first([r for r in registrations() if r.subject != SELF])
    for reg in ordered:
        _purge(reg, subject_id, holds, ordered, report)
    report.user = _remove_user(subject_id, bool(kept), report)
    report.sessions_ended = end_sessions(subject_id)
    erasures.record(subject_id, erasures.KEPT if report.kept else erasures.ERASED,
                    _subject_kids(subject_id), reason)
    audit.record("vault.subject_shredded", actor=actor, subject=subject_id, details={
        "reason": reason, "key_destroyed": report.key_destroyed, "user": report.user,
        "deleted": dict(report.deleted), "kept": {label: n for label, n, _, _ in report.kept}})
    return report


def _subject_kids(subject_id: int) -> list[str]:
    from officium.privacy.vault.models import SubjectKey

    return list(SubjectKey.objects.filter(subject_id=subject_id).values_list("kid", flat=True))


def destroy_subject_keys(subject_id: int, *, actor: AuditActor = None, reason: str = "erasure") -> bool:
    """Step one of shredding, also usable alone: True if a key existed and is now gone."""
    kids = _subject_kids(subject_id)
    ledger.record(keys.SUBJECT, subject_id, kids)  # outside the database, before the commit
    with transaction.atomic():
        destroyed = keys.destroy(keys.SUBJECT, subject_id)
        audit.record("vault.subject_key_destroyed", actor=actor, subject=subject_id,
                     details={"keys": len(destroyed), "reason": reason})
    keys.forget(keys.SUBJECT, subject_id)
    return bool(destroyed)


def destroy_organization_keys(organization_id: int, *, actor: AuditActor = None,
                              reason: str = "organization_terminated") -> bool:
    """Crypto-shred an organization: its key seals every portal space key, so once it is gone
    no copy of the organization's documents (backups included) can be opened."""
    from officium.privacy.vault.models import OrganizationKey

    kids = list(OrganizationKey.objects.filter(organization_id=organization_id)
                .values_list("kid", flat=True))
    ledger.record(keys.ORGANIZATION, organization_id, kids)  # outside the database, first
    with transaction.atomic():
        destroyed = keys.destroy(keys.ORGANIZATION, organization_id)
        audit.record("vault.organization_key_destroyed", actor=actor, organization=organization_id,
                     details={"keys": len(destroyed), "reason": reason})
    keys.forget(keys.ORGANIZATION, organization_id)
    return bool(destroyed)


def erase_again(*, actor: AuditActor = None) -> list[int]:
    """After a restore: erase again every person in the erasure ledger who has anything left
    in this database (a backup taken before their erasure brings their rows back). What a
    legal hold in the restored database keeps stays, as at the first erasure. Returns the ids."""
    done = []
    for subject_id in erasures.subjects():
        if _traces(subject_id):
            shred_subject(subject_id, actor=actor, reason="restore")
            done.append(subject_id)
    return done


def finish_held_erasures(*, actor: AuditActor = None) -> list[int]:
    """Erase what holds no longer keep of people whose erasure a hold held back (or whose
    erasure was interrupted). Returns the ids of the people erased further."""
    done = []
    for subject_id in erasures.pending():
        entry = erasures.entries()[subject_id]
        if entry.state == erasures.KEPT and _all_held(subject_id):
            continue
        shred_subject(subject_id, actor=actor, reason="hold_ended")
        done.append(subject_id)
    return done


def _traces(subject_id: int) -> int:
    """How many rows of the subject (user row and key rows included) this database holds."""
    from officium.privacy.vault.models import SubjectKey

    found = SubjectKey.objects.filter(subject_id=subject_id).count()
    for reg in registrations():
        found += reg.model._base_manager.filter(reg.subject_rows_q(subject_id)).count()
    return found


def _all_held(subject_id: int) -> bool:
    """True when shredding now would remove nothing: every remaining row is held (or needed by
    held rows) and the key is still needed by held sealed rows."""
    from officium.privacy.vault.models import SubjectKey

    holds = holds_module.candidate_holds(subject_id)
    kept = holds_module.kept_for_subject(subject_id, holds)
    if not kept:
        return False
    sealed_kept = any(_has_encrypted_fields(_model(k.model_label)) for k in kept)
    if not sealed_kept and SubjectKey.objects.filter(subject_id=subject_id).exists():
        return False
    ordered = _children_first([r for r in registrations() if r.subject != SELF])
    return not any(_purgeable(reg, subject_id, holds, ordered).exists() for reg in ordered)


def _model(label: str) -> type[models.Model]:
    from django.apps import apps

    return apps.get_model(label)


def _has_encrypted_fields(model: type[models.Model]) -> bool:
    return any(isinstance(f, EncryptedField) for f in model._meta.concrete_fields)


def _children_first(regs: list[Registration]) -> list[Registration]:
    """Order registrations so a model pointing at another registered model comes first."""
    by_model = {reg.model: reg for reg in regs}
    done: list[Registration] = []
    seen: set[type[models.Model]] = set()

    def visit(reg: Registration, trail: frozenset[type[models.Model]]) -> None:
        if reg.model in seen:
            return
        for child in _children(reg.model, by_model):
            if child.model not in trail:
                visit(child, trail | {reg.model})
        seen.add(reg.model)
        done.append(reg)

    for reg in regs:
        visit(reg, frozenset())
    return done


def _children(model: type[models.Model], by_model: dict[type[models.Model], Registration]) -> list[Registration]:
    found = []
    for relation in holds_module.reverse_relations(model):
        child = by_model.get(relation.related_model)
        if child is not None and child.model is not model:
            found.append(child)
    return found


def _cascade_keepers(reg: Registration, subject_id: int, ordered: list[Registration]) -> Q:
    """Rows of ``reg`` that surviving (held) rows of the subject point at with CASCADE:
    deleting them would take the held rows along."""
    q = Q()
    by_model = {r.model: r for r in ordered}
    for relation in holds_module.reverse_relations(reg.model):
        child = by_model.get(relation.related_model)
        if child is None or relation.on_delete is not models.CASCADE or child.model is reg.model:
            continue
        survivors = child.model._base_manager.filter(child.subject_rows_q(subject_id))
        q |= Q(pk__in=survivors.values(relation.field.attname))
    return q


def _purgeable(reg: Registration, subject_id: int, holds: list[Any],
               ordered: list[Registration]) -> models.QuerySet[Any]:
    """The subject's rows of ``reg`` that no hold keeps, directly or through rows it keeps."""
    rows = reg.model._base_manager.filter(reg.subject_rows_q(subject_id))
    held = holds_module.held_q(reg, holds)
    if held is not None:
        rows = rows.exclude(held)
    if holds:
        keepers = _cascade_keepers(reg, subject_id, ordered)
        if keepers:
            rows = rows.exclude(keepers)
    return rows


def _purge(reg: Registration, subject_id: int, holds: list[Any], ordered: list[Registration],
           report: ShredReport) -> None:
    """Delete the subject's purgeable rows in chunks of ``CHUNK``.

    The keys are read first, in one statement driven by the subject's index (no ``LIMIT``
    and no ``ORDER BY pk``: with them PostgreSQL may walk the primary key or the whole table
    hoping to meet the subject's rows early, so each chunk read the whole table), then each
    chunk is deleted by its key range within the subject's rows (a subquery: thousands of
    keys as parameters, repeated in every cascade statement, cost more to send and parse than
    the deletion). A second read catches rows written meanwhile."""
    rows = _purgeable(reg, subject_id, holds, ordered).order_by()
    for _ in range(3):
        pks = sorted(rows.values_list("pk", flat=True))
        if not pks:
            return
        for start in range(0, len(pks), CHUNK):
            chunk = pks[start:start + CHUNK]
            # Within the subject's purgeable rows (a hold placed meanwhile still counts), a few
            # rows are named by their keys: by the subject's rows alone (with their holds and
            # keepers) PostgreSQL guessed how many rows each cascade statement meets and read a
            # child table whole (the location table, to cascade a membership). Many rows are
            # named by their key range: short statements.
            named = rows.filter(pk__in=chunk) if len(chunk) <= FEW else rows.filter(
                pk__gte=chunk[0], pk__lte=chunk[-1])
            with transaction.atomic():
                per_model = delete_rows(reg.model, named)
                _evidence(subject_id, report.reason, per_model)
            report.deleted.update({label: n for label, n in per_model.items() if n})


def _evidence(subject_id: int, reason: str, per_model: dict[str, int]) -> None:
    """RE5: what kind, how many, when, why; never the content."""
    from officium.privacy.retention.models import DeletionEvidence

    DeletionEvidence.objects.bulk_create([
        DeletionEvidence(rule_id=reason, trigger="erasure", model_label=label, subject_id=subject_id,
                         count=n) for label, n in per_model.items() if n])


def _remove_user(subject_id: int, anything_kept: bool, report: ShredReport) -> str:
    reg = next((r for r in registrations() if r.subject == SELF), None)
    if reg is None:
        return "absent"
    user = reg.model._base_manager.filter(pk=subject_id).first()
    if user is None:
        return "absent"
    held = holds_module.held_q(reg, holds_module.candidate_holds(subject_id))
    if held is not None and reg.model._base_manager.filter(pk=subject_id).filter(held).exists():
        return "kept"
    if not anything_kept:
        try:
            with transaction.atomic():
                per_model = delete_rows(reg.model, [subject_id])
                _evidence(subject_id, report.reason, per_model)
            report.deleted.update({label: n for label, n in per_model.items() if n})
            return "deleted"
        except (ProtectedError, RestrictedError):
            pass
    anonymize(user, reg)
    return "anonymized"


def anonymize(row: models.Model, reg: Registration) -> None:
    """Blank every personal field of a row that must stay (held data points at it)."""
    changes: dict[str, Any] = {}
    for name, term in reg.fields.items():
        if term == NOT_PERSONAL:
            continue
        f = row._meta.get_field(name)
        if isinstance(f, models.Field):  # registered names are columns, never reverse relations
            changes[f.attname] = _blank(f, row.pk)
    for name, value in changes.items():
        setattr(row, name, value)
    if isinstance(row, AbstractBaseUser):
        row.set_unusable_password()
        changes["password"] = row.password
    if hasattr(row, "is_active"):
        row.is_active = False
        changes["is_active"] = False
    row.save()


def _blank(f: Any, pk: Any) -> Any:
    if isinstance(f, EncryptedField) or f.null:
        return None
    if f.unique:
        suffix = "@erased.invalid" if isinstance(f, models.EmailField) else ""
        return f"erased-{pk}{suffix}"
    if f.has_default():
        return f.get_default()
    return ""


def end_sessions(subject_id: int) -> int:
    """Delete the subject's sessions (Django stores the user id inside the session data)."""
    ended = 0
    wanted = str(subject_id)
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=500):
        if str(session.get_decoded().get("_auth_user_id")) == wanted:
            ended += Session.objects.filter(pk=session.pk).delete()[0]
    return ended
