"""Who reads which field rows (purpose-bound access): dispatchers (owner, administrator,
manager) everything of their organization; a member their own reports and photos, and the
customer of a task assigned to them. Coordinates stay behind attendance's own rule."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from officium.accounts.roles import Role
from officium.privacy.access import AccessContext, add_rule

DISPATCHERS = (Role.OWNER, Role.ADMIN, Role.MANAGER)


def is_dispatcher(actor: Any) -> bool:
    return getattr(actor, "role", None) in DISPATCHERS


def own(context: AccessContext, qs: QuerySet[Any]) -> QuerySet[Any]:
    return qs if is_dispatcher(context.actor) else qs.filter(member=context.actor)


def own_or_assigned(context: AccessContext, qs: QuerySet[Any]) -> QuerySet[Any]:
    if is_dispatcher(context.actor):
        return qs
    return qs.filter(Q(member=context.actor) | Q(task__assignments__member=context.actor)).distinct()


def assigned_tasks(context: AccessContext, qs: QuerySet[Any]) -> QuerySet[Any]:
    """Attachments: dispatchers all of their organization's; others those of tasks assigned to them."""
    if is_dispatcher(context.actor):
        return qs
    return qs.filter(task__assignments__member=context.actor).distinct()


def customers(context: AccessContext, qs: QuerySet[Any]) -> QuerySet[Any]:
    if is_dispatcher(context.actor):
        return qs
    from officium.fieldwork.models import TaskAssignment

    mine = TaskAssignment.objects.filter(member_id=context.actor.pk).values("task__customer_id")
    return qs.filter(pk__in=mine)


def register() -> None:
    from officium.fieldwork import models as m

    add_rule(m.TaskEntry, own_or_assigned)
    add_rule(m.Photo, own_or_assigned)
    add_rule(m.Submission, own)
    add_rule(m.BidOffer, own)
    add_rule(m.Customer, customers)
    add_rule(m.TaskAttachment, assigned_tasks)
