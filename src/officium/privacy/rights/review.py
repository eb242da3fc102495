"""PV3: the review step. A request of a right the policy marks ``reviewed`` (erasure by default
in the shipped profiles) does not run when verified: it waits in the officer's queue with its
draft answer (what would be removed, what kept and why, the message the requester would get).
The officer approves (editing the message if they wish) and it runs, or refuses with a reason
the requester is told (``decisions.deny``). The deadline clock runs throughout."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from officium.privacy import registry
from officium.privacy.policy.loader import active_policy
from officium.privacy.rights.history import step
from officium.privacy.rights.models import RightsRequest, Status


def needs_review(request: RightsRequest) -> bool:
    if request.reviewed_at is not None:
        return False
    group = next((g for g in active_policy().rights if g.id == request.rights_group), None)
    return group is not None and group.reviews(request.request_type)


def draft(request: RightsRequest) -> dict[str, Any]:
    """What the request would do, in words: record types removed (with counts), data kept and
    why (legal holds, record-keeping laws), and the message the requester would receive."""
    from officium.privacy.rights.erasure import holds_for

    subject = request.subject_ref
    removed: list[dict[str, Any]] = []
    if subject is not None:
        for reg in sorted(registry.registrations(), key=lambda r: r.label):
            count = reg.model._base_manager.filter(reg.subject_q(subject)).count()
            if count:
                removed.append({"record": str(reg.model._meta.verbose_name_plural).capitalize(),
                                "rows": count})
    policy = active_policy()
    kept = [{"what": h.data_type or "all your data", "why": h.reason} for h in holds_for(subject)]
    kept += [{"what": ", ".join(o.data_types).replace("_", " "),
              "why": f"{o.law.strip()} (kept {o.keep_days} days, then deleted)"}
             for o in policy.record_obligations]
    message = ("We have erased your personal data as you asked."
               + (" Some records are kept because the law requires it: "
                  + "; ".join(f"{k['what']} ({k['why']})" for k in kept) if kept else ""))
    return {"removed": removed, "kept": kept, "message": message}


def hold_for_review(request: RightsRequest) -> bool:
    """Move a verified request into review with its draft; False if it was not verified."""
    moved = RightsRequest.objects.filter(pk=request.pk, status=Status.VERIFIED).update(
        status=Status.IN_REVIEW, review_draft=draft(request))
    if moved:
        request.refresh_from_db()
        step(request, "review_requested")
    return bool(moved)


def approve_review(request: RightsRequest, officer_user: Any, message: str) -> bool:
    """The officer approves a request in review, with the message (edited or as drafted)."""
    text = (message or "").strip() or str(request.review_draft.get("message", ""))
    moved = RightsRequest.objects.filter(pk=request.pk, status=Status.IN_REVIEW).update(
        status=Status.VERIFIED, reviewed_at=timezone.now(), review_message=text)
    if moved:
        request.refresh_from_db()
        step(request, "review_approved", actor=officer_user, note=text)
    return bool(moved)
