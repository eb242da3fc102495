"""Publishing policy versions and answering for them (NO2, PU2).

Publishing records the policy in force when its content hash differs from the latest
version of its profile. A version is material when ``versioning.material_changes`` finds a
reason against the previous one; it then takes effect by the policy's change rules, every
signed-in person sees a banner until they accept or refuse it, and every active account is
emailed through the outbox.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from officium.mail.outbox import queue
from officium.privacy import audit
from officium.privacy.audit_events import POLICY_DECISIONS
from officium.privacy.models import Decision, PolicyAcceptance, PolicyVersion
from officium.privacy.policy import loader
from officium.privacy.policy.notice import render_markdown
from officium.privacy.policy.schema import Policy, Purpose
from officium.privacy.policy.versioning import (
    added_consent_purposes,
    effective_date,
    material_changes,
    policy_hash,
)


def latest(profile: str) -> PolicyVersion | None:
    return PolicyVersion.objects.filter(profile=profile).order_by("-number").first()


def current_version() -> PolicyVersion | None:
    """The latest published version of the active profile (None before the first publish)."""
    return latest(loader.active_policy().profile)


def snapshot(version: PolicyVersion) -> Policy:
    """The policy exactly as it was published."""
    return Policy.model_validate(version.policy)


def publish(policy: Policy | None = None) -> tuple[PolicyVersion, bool]:
    """Record ``policy`` (default: the active one) as a new version unless it is unchanged.

    Returns (the version now current, whether it was created). Safe to call on every start.
    """
    policy = policy or loader.active_policy()
    digest = policy_hash(policy)
    for _ in range(3):
        previous = latest(policy.profile)
        if previous is not None and previous.content_hash == digest:
            return previous, False
        try:
            return _record(policy, digest, previous), True
        except IntegrityError:
            continue  # another process published the same number first: look again
    raise RuntimeError("could not publish the policy: version numbers keep colliding")


def _record(policy: Policy, digest: str, previous: PolicyVersion | None) -> PolicyVersion:
    changes = material_changes(snapshot(previous), policy) if previous is not None else []
    posted = timezone.now()
    with transaction.atomic():
        version = PolicyVersion.objects.create(
            profile=policy.profile, number=(previous.number + 1) if previous else 1,
            content_hash=digest, revised=policy.revised, posted_at=posted,
            effective_date=effective_date(policy, timezone.localdate(posted), bool(changes)),
            material=bool(changes), changes=changes, policy=policy.model_dump(mode="json"),
            notice_markdown=render_markdown(policy))
        audit.record("privacy.policy_published", target=version, details={
            "profile": policy.profile, "number": version.number, "hash": digest,
            "material": version.material, "reasons": len(changes)})
        if version.material and "email" in policy.changes.notify_material:
            _email_everyone(version)
    return version


def ensure_current_version() -> PolicyVersion:
    """Publish the active policy if its content changed; what ``officium demo`` runs on start."""
    return publish()[0]


def _email_everyone(version: PolicyVersion) -> None:
    """One service email per active account, queued in the publication's transaction."""
    recipients = list(get_user_model().objects.filter(is_active=True).values_list("pk", "email"))
    text = render_to_string("privacy/email/policy_changed.txt", {
        "version": version, "site_url": settings.SITE_URL,
        "product": version.policy.get("product", "Officium")})
    subject, _, body = text.partition("\n")
    for user_id, to in recipients:
        queue(to, subject.strip(), body.lstrip(), category="policy_changed", user_id=user_id)


def pending_version(user: Any) -> PolicyVersion | None:
    """The version a signed-in person is asked to accept, or None.

    Asked when a material version was posted after they joined and they have not answered
    it or any later version; they are asked about the current version, which includes it.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    current = current_version()
    if current is None:
        return None
    material = (PolicyVersion.objects.filter(profile=current.profile, material=True,
                                             posted_at__gt=user.date_joined)
                .order_by("-number").first())
    if material is None:
        return None
    answered = PolicyAcceptance.objects.filter(
        user=user, version__profile=current.profile, version__number__gte=material.number)
    return None if answered.exists() else current


def decide(user: Any, version: PolicyVersion, decision: str) -> PolicyAcceptance:
    """Record a person's acceptance or refusal of a version, with the audit entry."""
    from django.core.exceptions import ValidationError

    if decision not in Decision.values:
        raise ValidationError({"decision": "Choose accept or refuse."})
    with transaction.atomic():
        answer = PolicyAcceptance.objects.create(user=user, version=version, decision=decision)
        audit.record(POLICY_DECISIONS[decision], actor=user, subject=user, target=answer,
                     details={"version": version.pk, "number": version.number,
                              "hash": version.content_hash})
    return answer


def accepted_version(user: Any) -> PolicyVersion | None:
    """The latest version a person accepted: explicitly, or by signing up while it was in
    force. None when no version had been published when they joined."""
    profile = loader.active_policy().profile
    answer = (PolicyAcceptance.objects.filter(user=user, decision=Decision.ACCEPTED,
                                              version__profile=profile)
              .select_related("version").order_by("-version__number").first())
    at_signup = (PolicyVersion.objects.filter(profile=profile, posted_at__lte=user.date_joined)
                 .order_by("-number").first())
    candidates = [v for v in (answer.version if answer else None, at_signup) if v is not None]
    return max(candidates, key=lambda v: v.number) if candidates else None


def added_consent_purposes_since(version: PolicyVersion | None) -> list[Purpose]:
    """PU2 hook for the consent app: consent purposes of the active policy that ``version``
    did not cover (every consent purpose when there is no version to compare with)."""
    policy = loader.active_policy()
    if version is None:
        return [p for p in policy.purposes if p.consent_required]
    return added_consent_purposes(snapshot(version), policy)
