"""PV7 notice from capability: every statement a policy makes must be backed by installed code.

A policy may declare a purpose, a category or a recipient only when code that carries it out is
installed, so the notice rendered from it never promises what the product does not do:

- a **category** (its DPV ``pd:`` term) is backed by a field of a registered model holding that
  term or a narrower one (``registry.personal_data``), by a signup field of the policy (the
  signup form has a field for each key the loader accepts), or by a processing declared below
  that holds it without a model of its own (the request log's IP addresses, password hashes);
- a **purpose** (its DPV purpose term) is backed by a processing an installed app declares for
  that term or a narrower one, and by at least one of its categories being backed;
- a **recipient** (its role and its purpose's term) is backed by an adapter an installed app
  declares: code that actually hands data to that kind of recipient for that purpose;
- a **cookie kind** is backed by code that sets such a cookie (a consent for "analytics"
  cookies that no script sets would be a promise about nothing).

An app declares what it implements in one line, in its ``AppConfig.ready()``::

    backs("billing", purposes=["dpv:PaymentManagement"], categories=["pd:PaymentCard"],
          recipients=[("processor", "dpv:PaymentManagement")])

``officium policy check`` and the system check ``privacy.E011`` list every statement no
installed code backs, naming it, so the operator removes it or installs what implements it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from officium.privacy import registry
from officium.privacy.policy import dpv
from officium.privacy.policy.schema import Policy

RECIPIENT_ROLES = frozenset({"processor", "controller", "authority", "affiliate", "partner"})


@dataclass(frozen=True)
class Processing:
    """What one installed app declares it implements."""

    app: str
    purposes: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    recipients: frozenset[tuple[str, str]] = frozenset()
    cookies: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Unbacked:
    """One statement of a policy that no installed code backs."""

    section: str  # "purposes" | "categories" | "recipients" | "cookies"
    index: int
    id: str
    term: str
    message: str

    @property
    def loc(self) -> tuple[str | int, ...]:
        return (self.section, self.index, "kind" if self.section == "cookies" else "id")


@dataclass
class _Declared:
    by_app: dict[str, list[Processing]] = field(default_factory=dict)


_declared = _Declared()


def backs(app: str, *, purposes: Iterable[str] = (), categories: Iterable[str] = (),
          recipients: Iterable[tuple[str, str]] = (), cookies: Iterable[str] = ()) -> Processing:
    """Declare that installed code in ``app`` implements these purposes (DPV purpose terms),
    holds these categories outside a registered model (``pd:`` terms), and hands data to these
    recipients (``(role, purpose term)``) and sets these kinds of cookie (``analytics``...).
    Idempotent: declaring the same again adds nothing."""
    processing = Processing(app, frozenset(purposes), frozenset(categories), frozenset(recipients),
                            frozenset(cookies))
    for term in (*processing.purposes, *processing.categories):
        if not dpv.is_term(term):
            raise ValueError(f"{app}: {term!r} is not a DPV term")
    for role, term in processing.recipients:
        if role not in RECIPIENT_ROLES or not dpv.is_term(term):
            raise ValueError(f"{app}: recipient ({role!r}, {term!r}) is not (role, DPV purpose)")
    known = _declared.by_app.setdefault(app, [])
    if processing not in known:
        known.append(processing)
    return processing


@contextmanager
def withdrawn(*apps: str) -> Iterator[None]:
    """For tests: act as though these apps were not installed, then restore them."""
    saved = {app: _declared.by_app.pop(app) for app in apps if app in _declared.by_app}
    try:
        yield
    finally:
        _declared.by_app.update(saved)


@contextmanager
def installed(app: str, **declared: Iterable[object]) -> Iterator[Processing]:
    """For tests: declare a processing for the duration of a block."""
    saved = list(_declared.by_app.get(app, []))
    try:
        yield backs(app, **declared)  # type: ignore[arg-type]  # keywords forwarded as given
    finally:
        _declared.by_app[app] = saved
        if not saved:
            del _declared.by_app[app]


def processings() -> list[Processing]:
    return [p for found in _declared.by_app.values() for p in found]


def _covers(implemented: Iterable[str], stated: str) -> bool:
    """Code implementing a term backs a statement of that term or of a broader one."""
    return any(term == stated or dpv.is_a(term, stated) for term in implemented)


def implemented_categories() -> frozenset[str]:
    terms = {t for reg in registry.registrations() for t in reg.categories}
    terms.update(t for p in processings() for t in p.categories)
    return frozenset(terms)


def implemented_purposes() -> frozenset[str]:
    return frozenset(t for p in processings() for t in p.purposes)


def implemented_recipients() -> frozenset[tuple[str, str]]:
    return frozenset(r for p in processings() for r in p.recipients)


def who_backs(term: str) -> list[str]:
    """The apps and registered models that back a term (what the data map shows)."""
    found = [reg.label for reg in registry.registrations() if _covers(reg.categories, term)]
    found += [p.app for p in processings() if _covers(p.purposes | p.categories, term)]
    return sorted(set(found))


def unbacked(policy: Policy) -> list[Unbacked]:
    """Every purpose, category and recipient of ``policy`` that no installed code backs."""
    categories, purposes = implemented_categories(), implemented_purposes()
    recipients = implemented_recipients()
    # The signup form (accounts.signup_fields) collects exactly the policy's signup keys; the
    # loader refuses a key it has no field for, so a category a signup field fills is backed.
    signup = {f.category for f in policy.signup_fields}
    found: list[Unbacked] = []
    for i, category in enumerate(policy.categories):
        if category.id not in signup and not _covers(categories, category.term):
            found.append(Unbacked(
                "categories", i, category.id, category.term,
                f"category {category.id!r} ({category.term}) is held by no registered model "
                "field and no declared processing"))
    missing = {u.id for u in found}
    for i, purpose in enumerate(policy.purposes):
        if not _covers(purposes, purpose.term):
            found.append(Unbacked(
                "purposes", i, purpose.id, purpose.term,
                f"purpose {purpose.id!r} ({purpose.term}) is implemented by no installed app"))
        elif purpose.categories and set(purpose.categories) <= missing:
            found.append(Unbacked(
                "purposes", i, purpose.id, purpose.term,
                f"purpose {purpose.id!r} processes only categories no installed code holds "
                f"({', '.join(purpose.categories)})"))
    terms = {p.id: p.term for p in policy.purposes}
    for i, recipient in enumerate(policy.recipients):
        term = terms.get(recipient.purpose or "", "")
        if not any(role == recipient.role and _covers([t], term) for role, t in recipients):
            found.append(Unbacked(
                "recipients", i, recipient.id, term,
                f"recipient {recipient.id!r} ({recipient.role} for {term or 'no purpose'}) "
                "has no installed adapter that sends it data"))
    cookies = frozenset(c for p in processings() for c in p.cookies)
    for i, cookie in enumerate(policy.cookies):
        if cookie.kind not in cookies:
            found.append(Unbacked(
                "cookies", i, cookie.kind, "",
                f"cookie kind {cookie.kind!r} is set by no installed code"))
    return found
