"""What each request type does once verified, driven only by the registry (RI1-RI7, RI9)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from officium.mail.models import OutboxEmail
from officium.privacy.rights import ccpa
from officium.privacy.rights.context import art15_context
from officium.privacy.rights.erasure import erase_subject
from officium.privacy.rights.export import ExportResult, write_export
from officium.privacy.rights.models import (
    Objection,
    ObjectionScope,
    RequestEvent,
    RequestType,
    RestrictionFlag,
    RightsRequest,
    Status,
    Verification,
)
from officium.privacy.rights.records import Subject, counts, record_types

BOOKKEEPING = frozenset({RightsRequest, RequestEvent})
# Emails waiting in or recorded by the outbox (the code for this very request among them) are
# a trace of writing to the address, not data held about the person; erasure still removes them.
NOT_HELD = BOOKKEEPING | {OutboxEmail}


@dataclass
class Result:
    answer: dict[str, Any]
    summary: str
    export: ExportResult | None = None
    export_kind: str = ""
    forget_email: bool = False
    details: dict[str, Any] = field(default_factory=dict)


def subject_of(request: RightsRequest) -> Subject:
    return Subject(user_id=request.subject_ref, email=request.email if request.verification else "")


def _context(request: RightsRequest) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda terms: art15_context(terms, request.residence_country, request.residence_region)


def progress(pk: int) -> Callable[[int], None]:
    """How an export reports its percentage on the request (shown to the person and officer)."""
    def report(percent: int) -> None:
        RightsRequest.objects.filter(pk=pk, status=Status.IN_PROGRESS).update(progress=percent)

    return report


def _export(request: RightsRequest, kind: str) -> Result:
    result = write_export(request.ref, kind, subject_of(request), context=_context(request),
                          progress=progress(request.pk))
    terms = set().union(*(t for t, _ in result.terms.values())) if result.terms else set()
    answer = {"export": {"kind": kind, "size": result.size, "sha256": result.sha256},
              "records": result.counts, "categories": sorted(terms)}
    if kind == "access":
        answer["context"] = _context(request)(result.terms)
    return Result(answer, f"{sum(result.counts.values())} records exported", result, kind)


def access(request: RightsRequest) -> Result:
    return _export(request, "access")


def portability(request: RightsRequest) -> Result:
    return _export(request, "portability")


def held_terms(subject: Subject) -> dict[str, set[str]]:
    """Record types (outside this app's bookkeeping) holding rows of the subject."""
    types = record_types(exclude=NOT_HELD)
    return {rt.label: {t for t in rt.terms.values() if t != "-"}
            for rt, n in counts(subject, types) if n}


def do_you_hold(request: RightsRequest) -> Result:
    """RI9: yes or no; with the categories once the requester's identity is verified."""
    held = held_terms(subject_of(request)) if subject_of(request).known else {}
    answer: dict[str, Any] = {"holds": bool(held)}
    if request.verification not in (Verification.NONE, Verification.SESSION):
        context = art15_context({label: (terms, True) for label, terms in held.items()})
        answer["categories"] = [c["description"] for c in context["categories"]]
        answer["purposes"] = [p["description"] for p in context["purposes"]]
    return Result(answer, "yes, we hold data" if held else "no data held")


def ccpa_know_categories(request: RightsRequest) -> Result:
    held = held_terms(subject_of(request))
    terms = set().union(*held.values()) if held else set()
    context = art15_context({label: (t, True) for label, t in held.items()},
                            request.residence_country, request.residence_region)
    answer = {
        "ccpa_categories": ccpa.ccpa_categories(terms),
        "sources": sorted({s["source"] for s in context["sources"]}),
        "business_purposes": [p["description"] for p in context["purposes"]],
        "third_parties": [r["name"] for r in context["recipients"]],
        "sold": [], "shared_for_advertising": [],
        "note": "Personal information is never sold.",
    }
    return Result(answer, f"{len(answer['ccpa_categories'])} CCPA categories")


def ccpa_know_pieces(request: RightsRequest) -> Result:
    result = _export(request, "access")
    result.answer.update(ccpa_know_categories(request).answer)
    return result


def erasure(request: RightsRequest) -> Result:
    subject = subject_of(request)
    if subject.user_id is not None:
        RightsRequest.objects.filter(subject_id=subject.user_id).update(subject=None)
    answer = erase_subject(subject, reason=f"rights request {request.ref}", keep=BOOKKEEPING)
    removed = sum(answer.removed.values())
    return Result(answer.as_json(), f"{removed} records removed", forget_email=True)


def restriction(request: RightsRequest) -> Result:
    if request.subject_ref is None:
        return Result({"restricted": False, "holds": False}, "no account, nothing to restrict")
    RestrictionFlag.objects.get_or_create(subject_id=request.subject_ref, lifted_at=None,
                                          defaults={"request": request})
    return Result({"restricted": True, "except": ["legal_compliance"]}, "processing restricted")


def objection(request: RightsRequest) -> Result:
    from officium.privacy.policy.loader import active_policy

    if request.subject_ref is None:
        return Result({"objected": [], "holds": False}, "no account, nothing to stop")
    policy = active_policy()
    applied = []
    for purpose_id in request.purposes:
        marketing = policy.purpose(purpose_id).marketing
        scope = ObjectionScope.MARKETING if marketing else ObjectionScope.PURPOSE
        Objection.objects.get_or_create(subject_id=request.subject_ref, withdrawn_at=None,
                                        scope=scope, purpose="" if marketing else purpose_id,
                                        defaults={"request": request})
        applied.append({"purpose": purpose_id, "scope": scope})
    return Result({"objected": applied}, f"{len(applied)} objections applied")


def opt_out_of_sale(request: RightsRequest) -> Result:
    if request.subject_ref is not None:
        Objection.objects.get_or_create(subject_id=request.subject_ref, withdrawn_at=None,
                                        scope=ObjectionScope.SALE, purpose="",
                                        defaults={"request": request})
    return Result({"opted_out": True, "note": "Personal information is never sold; your "
                   "opt-out also stops any sharing for advertising."}, "opted out of sale")


EXECUTORS: dict[str, Callable[[RightsRequest], Result]] = {
    RequestType.ACCESS: access,
    RequestType.PORTABILITY: portability,
    RequestType.ERASURE: erasure,
    RequestType.CCPA_DELETE: erasure,
    RequestType.RESTRICTION: restriction,
    RequestType.OBJECTION: objection,
    RequestType.CCPA_KNOW_CATEGORIES: ccpa_know_categories,
    RequestType.CCPA_KNOW_PIECES: ccpa_know_pieces,
    RequestType.CCPA_OPT_OUT_OF_SALE: opt_out_of_sale,
    RequestType.DO_YOU_HOLD_MY_DATA: do_you_hold,
}
