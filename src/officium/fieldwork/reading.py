"""Purpose-bound reads of field records for pages and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from officium.accounts.models import Membership
from officium.fieldwork import purposes
from officium.fieldwork.models import BidOffer, Customer, Form, Photo, Submission, Task, TaskEntry


def entries(actor: Membership, task: Task) -> list[TaskEntry]:
    return list(TaskEntry.objects.for_purpose(actor, purposes.FIELD_ACTIVITY).filter(task=task)
                .select_related("member__user", "location").order_by("occurred_at", "pk"))


def submissions(actor: Membership, form: Form | None = None, task: Task | None = None) -> QuerySet[Submission]:
    qs = Submission.objects.for_purpose(actor, purposes.FIELD_ACTIVITY).select_related(
        "member__user", "version", "location")
    if form is not None:
        qs = qs.filter(version__form=form)
    if task is not None:
        qs = qs.filter(task=task)
    return qs.order_by("-occurred_at", "-pk")


def photos(actor: Membership, task: Task) -> list[Photo]:
    return list(Photo.objects.for_purpose(actor, purposes.PHOTOS, fields=["member", "task", "entry", "size",
                                                                        "content_type", "created_at"])
                .filter(task=task).select_related("member__user"))


def photo(actor: Membership, photo_id: int) -> Photo | None:
    return Photo.objects.for_purpose(actor, purposes.PHOTOS).select_related("member").filter(pk=photo_id).first()


def customer(actor: Membership, task: Task) -> Customer | None:
    if task.customer_id is None:
        return None
    return Customer.objects.for_purpose(actor, purposes.CUSTOMERS).filter(pk=task.customer_id).first()


def offers(actor: Membership, **filters: Any) -> list[BidOffer]:
    return list(BidOffer.objects.for_purpose(actor, purposes.FIELD_ACTIVITY).filter(**filters)
                .select_related("bid__task", "member__user").order_by("-bid__created_at", "pk"))
