"""Clients and their spaces: a client contact asks staff for a new space; staff are told and
open it (the client is made a member) or decline it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from officium.accounts.models import Membership
from officium.notifications.services import notify
from officium.portal.models import SpaceMember, SpaceRequest, SpaceRequestStatus
from officium.portal.names import clean_name
from officium.portal.services import PURPOSE, SPACE_MANAGERS, create_space
from officium.privacy import audit

MAX_OPEN_REQUESTS = 5


def request_space(actor: Membership, name: object, note: object = "") -> SpaceRequest:
    name = clean_name(name)
    if len(name) > 200:
        raise ValidationError({"name": "Keep the name under 200 characters."})
    if note is None:
        note = ""
    if not isinstance(note, str) or len(note) > 1000:
        raise ValidationError({"note": "Keep the note under 1,000 characters."})
    if SpaceRequest.objects.filter(organization_id=actor.organization_id,
                                   requested_by=actor.user,
                                   status=SpaceRequestStatus.OPEN).count() >= MAX_OPEN_REQUESTS:
        raise ValidationError({"name": "You have several requests waiting already; staff will "
                                       "answer them first."})
    with transaction.atomic():
        request = SpaceRequest.objects.create(organization_id=actor.organization_id,
                                              requested_by=actor.user, name=name, note=note.strip())
        audit.record("portal.space_requested", actor=actor.user,
                     organization=actor.organization_id, subject=actor.user, target=request)
        path = reverse("portal:spaces", kwargs={"org": actor.organization.slug})
        # staff are told in the app, and by email as each of them chose
        for staff in Membership.objects.filter(organization_id=actor.organization_id,
                                               role__in=SPACE_MANAGERS).exclude(
                                                   user=actor.user).select_related("user"):
            notify(staff.user, actor.organization, "portal.space_requested",
                   f"{actor.user} asks for a new space: {name}", url=path, body=request.note)
    return request


def requests_for(actor: Membership) -> list[SpaceRequest]:
    """Staff see the organization's open requests; anyone sees their own."""
    found = SpaceRequest.objects.for_purpose(actor, PURPOSE).filter(
        organization_id=actor.organization_id).select_related("requested_by", "space")
    if actor.role in SPACE_MANAGERS:
        return list(found.filter(status=SpaceRequestStatus.OPEN))
    return list(found.filter(requested_by=actor.user)[:20])


def answer_request(actor: Membership, request_id: int, decision: object) -> SpaceRequest:
    if actor.role not in SPACE_MANAGERS:
        raise PermissionDenied("Only owners, administrators and managers answer requests.")
    request = SpaceRequest.objects.filter(organization_id=actor.organization_id, pk=request_id,
                                          status=SpaceRequestStatus.OPEN).first()
    if request is None:
        raise Http404
    if decision not in ("open", "decline"):
        raise ValidationError({"decision": "Choose open or decline."})
    with transaction.atomic():
        if decision == "open":
            space = create_space(actor, request.name)
            requester = Membership.objects.filter(organization_id=actor.organization_id,
                                                  user=request.requested_by).first()
            if requester is not None and requester.pk != actor.pk:
                SpaceMember.objects.create(organization_id=actor.organization_id, space=space,
                                           membership=requester, added_by=actor.user)
                audit.record("portal.space_member_added", actor=actor.user,
                             organization=actor.organization_id, subject=requester.user_id,
                             target=space, details={"role": requester.role})
            request.space = space
            request.status = SpaceRequestStatus.DONE
            if request.requested_by is not None:
                notify(request.requested_by, actor.organization, "portal.space_opened",
                       f"Your space is open: {space.name}",
                       url=reverse("portal:space", kwargs={"org": actor.organization.slug,
                                                           "space_id": space.pk}))
        else:
            request.status = SpaceRequestStatus.DECLINED
        request.handled_by, request.handled_at = actor.user, timezone.now()
        request.save(update_fields=["space", "status", "handled_by", "handled_at"])
        audit.record("portal.space_request_handled", actor=actor.user,
                     organization=actor.organization_id, subject=request.requested_by_id,
                     target=request, details={"decision": decision})
    return request
