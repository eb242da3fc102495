"""Every consent operation: validate, append to the ledger (with its audit entry), return.

Views, the API, the cookie banner, the GPC middleware, signup and the unsubscribe link all
come through here, so the rules (declared purposes only, one record per change) hold for all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from officium.privacy.actors import Person
from officium.privacy.consent import catalogue, ledger
from officium.privacy.consent.ledger import Subject
from officium.privacy.consent.models import ConsentRecord, Method, State

SUBJECT_METHODS = {Method.SIGNUP_FORM, Method.BANNER, Method.PREFERENCE_PAGE, Method.GPC_SIGNAL,
                   Method.EMAIL_LINK, Method.CARD_FORM, Method.BILLING_PAGE, Method.API}


# --- purposes ---------------------------------------------------------------------------

def set_purpose(user: Any, purpose: str, give: bool, method: str = Method.PREFERENCE_PAGE
                ) -> ConsentRecord | None:
    """Give or withdraw consent to a purpose. A withdrawal acts for the future only: it
    appends a record, and reads after it exclude the person; nothing before it changes."""
    return ledger.decide(Subject.of(user), purpose, State.GIVEN if give else State.WITHDRAWN,
                         method)


def give_purposes(user: Any, purposes: Iterable[str], method: str = Method.BANNER) -> list[ConsentRecord]:
    """The one-click consent to purposes a new policy version added (PU2)."""
    purposes = [p for p in purposes if p]
    if not purposes:
        raise ValidationError({"purpose": "Choose at least one purpose."})
    written = ledger.decide_many(Subject.of(user), [(p, "", State.GIVEN) for p in purposes], method)
    return [r for r in written if r is not None]


def record_by_officer(officer: Person, user_id: int, purpose: str, give: bool, scope: str = "") -> ConsentRecord | None:
    """A consent given or withdrawn on paper or by phone, recorded by the privacy officer."""
    if not getattr(officer, "is_staff", False):
        raise PermissionDenied("Only the privacy officer records consent for someone else.")
    return ledger.decide(Subject(user_id=user_id), purpose,
                         State.GIVEN if give else State.WITHDRAWN, Method.OFFICER, scope=scope,
                         officer=officer)


def purposes_to_ask(user: Any, previous_policy: Any = None) -> list[Any]:
    """PU2: consent purposes added since the version this person last accepted, on which they
    have not decided yet. Until they consent, the subject filter keeps their data out.

    The accepted version comes from ``previous_policy`` or the notices app's acceptances;
    with neither, every consent purpose with no record of theirs counts, once they have made
    at least one decision (a new account is asked by signup and the preferences page).
    """
    subject = Subject.of(user)
    decided = {p for (p, s) in ledger.current(subject)}
    if previous_policy is None:
        previous_policy = _accepted_policy(user)
    if previous_policy is not None:
        from officium.privacy.policy.versioning import added_consent_purposes

        candidates = added_consent_purposes(previous_policy, catalogue.policy())
    else:
        if not decided:
            return []
        candidates = catalogue.consent_purposes()
    cookie_purposes = {c.purpose for c in catalogue.cookie_categories() if c.purpose}
    return [p for p in candidates if p.id not in decided and p.id not in cookie_purposes]


def _accepted_policy(user: Any) -> Any:
    try:
        from officium.privacy.notices import versions
    except ImportError:  # the notices feature is optional for the ledger
        return None
    version = versions.accepted_version(user)
    return versions.snapshot(version) if version is not None else None


# --- marketing channels and signup ------------------------------------------------------

def record_signup_consents(user: Any, channels: Iterable[str] | None = None) -> list[ConsentRecord]:
    """Signup's contact channels become marketing consent records (method signup_form)."""
    purpose = catalogue.marketing_purpose_id()
    chosen = [c for c in (channels if channels is not None else user.contact_channels or [])
              if c in catalogue.CHANNELS]
    if purpose is None or not chosen:
        return []
    written = ledger.decide_many(Subject.of(user),
                                 [(purpose, f"channel:{c}", State.GIVEN) for c in chosen],
                                 Method.SIGNUP_FORM)
    return [r for r in written if r is not None]


def set_channel(subject: Subject, channel: str, give: bool, method: str = Method.PREFERENCE_PAGE,
                purpose: str | None = None) -> ConsentRecord | None:
    purpose = purpose or catalogue.marketing_purpose_id()
    if purpose is None:
        raise ValidationError({"purpose": "The privacy policy declares no marketing purpose."})
    return ledger.decide(subject, purpose, State.GIVEN if give else State.WITHDRAWN, method,
                         scope=f"channel:{channel}")


def may_market(subject: Subject, channel: str = "email", purpose: str | None = None) -> bool:
    """Marketing by ``channel``: the latest decision on that channel or on the whole purpose
    decides (an unsubscribe withdraws the channel; the preferences page may answer either)."""
    purpose = purpose or catalogue.marketing_purpose_id()
    if purpose is None:
        return False
    states = ledger.current(subject)
    relevant = [r for r in (states.get((purpose, f"channel:{channel}")), states.get((purpose, "")))
                if r is not None]
    if not relevant:
        return False
    return max(relevant, key=lambda r: r.pk).state == State.GIVEN


# --- cookies ----------------------------------------------------------------------------

def set_cookie_choice(subject: Subject, accepted: Iterable[str], method: str = Method.BANNER
                      ) -> list[ConsentRecord]:
    """Record the answer for every optional category: accepted ones given, others withdrawn."""
    optional = catalogue.optional_cookie_kinds()
    accepted = set(accepted)
    unknown = accepted - set(optional)
    if unknown:
        raise ValidationError({"category": f"{sorted(unknown)[0]!r} is not an optional cookie "
                                           "category of the privacy policy."})
    decisions = [(catalogue.cookie_purpose(kind), f"cookie:{kind}",
                  State.GIVEN if kind in accepted else State.WITHDRAWN) for kind in optional]
    return [r for r in ledger.decide_many(subject, decisions, method) if r is not None]


def cookie_choices(subject: Subject) -> dict[str, bool] | None:
    """{kind: accepted} from the ledger, or None when this subject never answered."""
    states = ledger.current(subject)
    found = {s.split(":", 1)[1]: r.state == State.GIVEN for (p, s), r in states.items()
             if s.startswith("cookie:")}
    return found or None


# --- recipients and sharing (PU5, CO3) --------------------------------------------------

def set_recipient(user: Any, recipient_id: str, opt_out: bool, method: str = Method.PREFERENCE_PAGE
                  ) -> ConsentRecord | None:
    recipient = catalogue.recipient(recipient_id)
    return ledger.decide(Subject.of(user), recipient.purpose,
                         State.WITHDRAWN if opt_out else State.GIVEN, method,
                         scope=f"recipient:{recipient.id}")


def opted_out_recipients(subject: Subject) -> set[str]:
    states = ledger.current(subject)
    return {s.split(":", 1)[1] for (p, s), r in states.items()
            if s.startswith("recipient:") and r.state == State.WITHDRAWN}


def sharing_items() -> list[tuple[str, str]]:
    """(purpose, scope) pairs that share data with third parties: third-party cookies and
    recipients a person may opt out of. Personal data is never sold (PU3)."""
    items = [(catalogue.cookie_purpose(c.kind), f"cookie:{c.kind}")
             for c in catalogue.cookie_categories() if c.kind == "third_party"]
    items += [(r.purpose, f"recipient:{r.id}") for r in catalogue.opt_out_recipients()]
    return items


def sharing_on(subject: Subject) -> bool:
    states = ledger.current(subject)
    for purpose, scope in sharing_items():
        record = states.get((purpose, scope))
        if scope.startswith("recipient:") and (record is None or record.state == State.GIVEN):
            return True  # opt-out model: shared until the person opts out
        if scope.startswith("cookie:") and record is not None and record.state == State.GIVEN:
            return True
    return False


def opt_out_of_sharing(subject: Subject, method: str = Method.PREFERENCE_PAGE,
                       with_cookies: bool = False) -> list[ConsentRecord]:
    """Turn off sale/sharing (and, for a GPC signal, every non-essential cookie)."""
    decisions = [(p, s, State.WITHDRAWN) for p, s in sharing_items()]
    if with_cookies:
        decisions += [(catalogue.cookie_purpose(k), f"cookie:{k}", State.WITHDRAWN)
                      for k in catalogue.optional_cookie_kinds()]
    decisions = list(dict.fromkeys(decisions))
    states = ledger.current(subject)
    changes = [d for d in decisions
               if (states.get((d[0], d[1])) is None and d[1].startswith("recipient:"))
               or (states.get((d[0], d[1])) is not None and states[(d[0], d[1])].state != d[2])]
    if not changes:
        return []  # already off: a signal sent with every request writes nothing
    return [r for r in ledger.decide_many(subject, changes, method) if r is not None]


def apply_gpc(user: Any) -> list[ConsentRecord]:
    """A signed-in person's request carrying GPC: saved to the ledger once, when it changes
    something (method gpc_signal)."""
    return opt_out_of_sharing(Subject.of(user), Method.GPC_SIGNAL, with_cookies=True)


# --- camera and photos (CO5) ------------------------------------------------------------

def photo_permission_given(user: Any) -> bool:
    purpose = catalogue.photo_purpose_id()
    return purpose is not None and ledger.is_given(Subject.of(user), purpose)


def set_photo_permission(user: Any, give: bool, method: str = Method.PREFERENCE_PAGE) -> ConsentRecord | None:
    purpose = catalogue.photo_purpose_id()
    if purpose is None:
        raise ValidationError({"purpose": "The privacy policy declares no photo uploads."})
    return set_purpose(user, purpose, give, method)


def require_photo_permission(user: Any) -> None:
    """Upload endpoints for photos call this first (CO5)."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise PermissionDenied("Sign in to upload photos.")
    if not photo_permission_given(user):
        raise PermissionDenied(
            "You have not allowed camera and photo uploads. Turn on \"Photo uploads\" in your "
            f"privacy preferences ({ledger.PREFERENCES_PATH}) to upload pictures.")
