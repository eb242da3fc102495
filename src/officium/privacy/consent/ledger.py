"""Writing and reading the consent ledger (CO1).

``decide`` is the only writer: it validates the purpose, takes a per-subject lock, and
appends a record only when the decision changes the current state, so a double submit or
a signal sent with every request writes once. Current state is derived, never stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet

from officium.privacy import audit
from officium.privacy.actors import AuditActor
from officium.privacy.consent import catalogue
from officium.privacy.consent.models import ConsentRecord, Method, State, _erasing

PREFERENCES_PATH = "/privacy/consent/"
COOKIES_PATH = "/privacy/cookies/"


@dataclass(frozen=True)
class Subject:
    """A user id, or a pseudonymous visitor id (cookie banner, newsletter subscriber)."""

    user_id: int | None = None
    visitor_id: str = ""

    def __post_init__(self) -> None:
        if (self.user_id is None) == (not self.visitor_id):
            raise ValueError("A consent subject is a user id or a visitor id, exactly one.")

    @classmethod
    def of(cls, user: Any) -> Subject:
        return cls(user_id=int(getattr(user, "pk", user)))

    @property
    def key(self) -> str:
        return f"user:{self.user_id}" if self.user_id is not None else f"visitor:{self.visitor_id}"

    def records(self) -> QuerySet[ConsentRecord]:
        return ConsentRecord.objects.for_subject(self.user_id, self.visitor_id)


def _lock(subject: Subject) -> None:
    """Serialize decisions of one subject (two tabs, a double click) on PostgreSQL."""
    if connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.sha256(b"consent:" + subject.key.encode()).digest()[:8],
                             "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _latest(qs: QuerySet[ConsentRecord]) -> QuerySet[ConsentRecord]:
    """Records no later record of the same subject, purpose and scope supersedes."""
    later = ConsentRecord.objects.filter(
        subject_user_id=OuterRef("subject_user_id"), visitor_id=OuterRef("visitor_id"),
        purpose=OuterRef("purpose"), scope=OuterRef("scope"), pk__gt=OuterRef("pk"))
    return qs.filter(~Exists(later))


def current(subject: Subject) -> dict[tuple[str, str], ConsentRecord]:
    """{(purpose, scope): latest record} of one subject."""
    return {(r.purpose, r.scope): r for r in subject.records().order_by("pk")}


def state_of(subject: Subject, purpose: str, scope: str = "") -> str | None:
    latest = subject.records().filter(purpose=purpose, scope=scope).order_by("-pk").first()
    return latest.state if latest else None


def is_given(subject: Subject, purpose: str, scope: str = "") -> bool:
    return state_of(subject, purpose, scope) == State.GIVEN


def withdraw_url_for(scope: str) -> str:
    from django.conf import settings

    path = COOKIES_PATH if scope.startswith("cookie:") else PREFERENCES_PATH
    return f"{settings.SITE_URL}{path}"


def decide(subject: Subject, purpose: str, state: str, method: str, *, scope: str = "",
           officer: AuditActor = None) -> ConsentRecord | None:
    """Append a decision; returns the record, or None when the state was already so."""
    return decide_many(subject, [(purpose, scope, state)], method, officer=officer)[0]


def decide_many(subject: Subject, decisions: Iterable[tuple[str, str, str]], method: str, *,
                officer: AuditActor = None) -> list[ConsentRecord | None]:
    """Several decisions in one transaction (a cookie banner answers several categories)."""
    decisions = list(decisions)
    if method not in Method.values:
        raise ValueError(f"unknown consent method {method!r}")
    for purpose, scope, state in decisions:
        _validate(purpose, scope, state)
    if method == Method.OFFICER and officer is None:
        raise ValueError("a decision recorded by an officer names the officer")
    version = catalogue.notice_version()
    written: list[ConsentRecord | None] = []
    with transaction.atomic():
        _lock(subject)
        states = {key: r.state for key, r in current(subject).items()}
        for purpose, scope, state in decisions:
            if states.get((purpose, scope)) == state:
                written.append(None)
                continue
            record = ConsentRecord.objects.create(
                subject_user_id=subject.user_id, visitor_id=subject.visitor_id, purpose=purpose,
                scope=scope, state=state, notice_version=version, method=method,
                withdraw_url=withdraw_url_for(scope),
                recorded_by=getattr(officer, "pk", officer))
            states[(purpose, scope)] = state
            audit.record("consent.recorded", actor=officer or subject.user_id,
                         subject=subject.user_id, target=record,
                         details={"purpose": purpose, "scope": scope, "state": state,
                                  "method": method})
            written.append(record)
    return written


def _validate(purpose: str, scope: str, state: str) -> None:
    from django.core.exceptions import ValidationError

    if state not in State.values:
        raise ValidationError({"state": f"{state!r} is not given or withdrawn."})
    kind, _, value = scope.partition(":")
    if kind == "cookie":
        category = catalogue.cookie_category(value, "category")
        if purpose != catalogue.cookie_purpose(category.kind):
            raise ValidationError({"purpose": f"cookie category {value!r} serves another purpose."})
        return
    spec = catalogue.purpose(purpose)
    if kind == "recipient":
        recipient = catalogue.recipient(value)
        if recipient.purpose != purpose:
            raise ValidationError({"recipient": f"{value!r} receives data for another purpose."})
        return
    if not spec.consent_required:
        raise ValidationError({"purpose": f"{purpose!r} does not rest on consent: there is "
                                          "nothing to give or withdraw."})
    if kind == "channel":
        if not spec.marketing or value not in catalogue.CHANNELS:
            raise ValidationError({"channel": f"{value!r} is not a marketing channel."})
    elif scope:
        raise ValidationError({"scope": f"{scope!r} is not a consent scope."})


def erase_subject(user_id: int) -> int:
    """Erasure of the subject (the only deletion the ledger allows): returns rows removed."""
    token = _erasing.set(True)
    try:
        with transaction.atomic():
            count, _ = ConsentRecord.objects.filter(subject_user_id=user_id).delete()
            audit.record("consent.erased", subject=user_id, details={"records": count})
    finally:
        _erasing.reset(token)
    return count


def receipts(subject: Subject) -> dict[str, Any]:
    """Everything the ledger holds about one subject, as JSON-ready receipts."""
    records = list(subject.records().order_by("pk"))
    latest = current(subject)
    return {
        "standard": "ISO/IEC TS 27560 consent record",
        "subject": subject.key,
        "records": [r.receipt() for r in records],
        "current": [{"purpose": p, "scope": s or None, "state": r.state,
                     "since": r.recorded_at.isoformat()} for (p, s), r in sorted(latest.items())],
    }


# --- set queries for purpose-bound access -------------------------------------------------

def users_given(purpose: str) -> QuerySet[ConsentRecord, Mapping[str, object]]:
    """User ids whose latest decision on some consent scope of ``purpose`` is "given"."""
    qs = ConsentRecord.objects.filter(subject_user__isnull=False, purpose=purpose,
                                      state=State.GIVEN).exclude(scope__startswith="recipient:")
    return _latest(qs).values("subject_user_id")


def users_opted_out(purpose: str, only: str | None = None) -> QuerySet[ConsentRecord, Mapping[str, object]] | None:
    """User ids who opted out of a recipient (``only``: of that one) receiving data for
    ``purpose`` (PU5)."""
    scopes = [f"recipient:{r.id}" for r in catalogue.opt_out_recipients()
              if r.purpose == purpose and (only is None or r.id == only)]
    if not scopes:
        return None
    qs = ConsentRecord.objects.filter(subject_user__isnull=False, purpose=purpose,
                                      scope__in=scopes, state=State.WITHDRAWN)
    return _latest(qs).values("subject_user_id")
