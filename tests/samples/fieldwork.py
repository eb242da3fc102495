"""Alice's field work objects for the cross-tenant and role tests."""

from datetime import UTC, datetime

from tests.role_groups import EDITORS, EVERYONE, NOBODY, STAFF

from officium.fieldwork import attachments, bids, services
from officium.fieldwork.models import Customer

FORM = {"fields": [{"id": "ok", "type": "checkbox", "label": "All fine", "required": False}]}


def build(w):
    w.field_form = services.save_form(w.alice_membership, "Alpha inspection", FORM).form
    w.task = services.create_task(w.alice_membership, services.TaskData(
        title="Alpha repair", customer_name="Carol Customer", customer_email="carol@customer.example",
        destination_latitude=52.5, destination_longitude=13.4, assignee_ids=(w.bob_membership.pk,),
        form_id=w.field_form.pk, window_start=datetime(2026, 1, 14, 8, tzinfo=UTC),
        window_end=datetime(2026, 1, 14, 10, tzinfo=UTC)))
    w.customer = Customer.objects.get(pk=w.task.customer_id)
    w.bid = bids.offer(w.alice_membership, w.task, [w.bob_membership.pk, w.alice_membership.pk])
    w.offer = w.bid.offers.get(member=w.bob_membership)
    w.entry = services.add_entry(w.bob_membership, w.task, note="Parts ordered")
    w.attachment = attachments.attach(w.alice_membership, w.task, "order.pdf", b"%PDF-1.4 work order")


SAMPLES = {
    "task_id": lambda w: w.task.pk,
    "form_id": lambda w: w.field_form.pk,
    "bid_id": lambda w: w.bid.pk,
    "offer_id": lambda w: w.offer.pk,
    "photo_id": lambda w: 1,
    "attachment_id": lambda w: w.attachment.pk,
}

SECRETS = {
    "token": lambda w: "made-up-token",
}

BODY_FIELDS = {
    "task_id": "task_id",
    "offer_id": "offer_id",
}


# FW1-FW8. Dispatchers (owner, admin, manager) create, assign, offer, award, export and see the
# board; everyone working reads the tasks assigned to them and reports on them (bob is the
# assignee; the others get 404 for a task not theirs). The phone app's pages are public shells.
ROLES = {
    "GET /api/fieldwork/orgs/<slug:org>/tasks": STAFF,
    "POST /api/fieldwork/orgs/<slug:org>/tasks": EDITORS,
    "GET /api/fieldwork/orgs/<slug:org>/tasks/<int:task_id>": ("owner", "admin", "manager", "member"),
    "PUT /api/fieldwork/orgs/<slug:org>/tasks/<int:task_id>/assignees": EDITORS,
    "POST /api/fieldwork/orgs/<slug:org>/tasks/<int:task_id>/entries": ("owner", "admin", "manager", "member"),
    # CO5: nobody in the matrix has given photo permission, so every upload is refused (403).
    "POST /api/fieldwork/orgs/<slug:org>/tasks/<int:task_id>/photos": NOBODY,
    "POST /api/fieldwork/orgs/<slug:org>/tasks/<int:task_id>/photos/upload": NOBODY,
    # FW1: dispatchers attach and delete documents; the assignee (bob) lists and downloads them.
    "GET /api/fieldwork/orgs/<slug:org>/tasks/<int:task_id>/attachments": ("owner", "admin", "manager", "member"),
    "POST /api/fieldwork/orgs/<slug:org>/tasks/<int:task_id>/attachments": EDITORS,
    "GET /api/fieldwork/orgs/<slug:org>/tasks/<int:task_id>/attachments/<int:attachment_id>":
        ("owner", "admin", "manager", "member"),
    "DELETE /api/fieldwork/orgs/<slug:org>/tasks/<int:task_id>/attachments/<int:attachment_id>": EDITORS,
    "GET /api/fieldwork/orgs/<slug:org>/forms": STAFF,
    "POST /api/fieldwork/orgs/<slug:org>/forms": EDITORS,
    "GET /api/fieldwork/orgs/<slug:org>/forms/<int:form_id>": STAFF,
    "PUT /api/fieldwork/orgs/<slug:org>/forms/<int:form_id>": EDITORS,
    # The body names bob's task: the privacy officer, not assigned, gets 404 for it.
    "POST /api/fieldwork/orgs/<slug:org>/forms/<int:form_id>/submissions": ("owner", "admin", "manager", "member"),
    "GET /api/fieldwork/orgs/<slug:org>/forms/<int:form_id>/submissions": STAFF,
    "GET /api/fieldwork/orgs/<slug:org>/forms/<int:form_id>/export": EDITORS,
    "POST /api/fieldwork/orgs/<slug:org>/tasks/<int:task_id>/bids": EDITORS,
    "GET /api/fieldwork/orgs/<slug:org>/offers": STAFF,
    "POST /api/fieldwork/orgs/<slug:org>/offers/<int:offer_id>/answer": ("member",),
    "POST /api/fieldwork/orgs/<slug:org>/bids/<int:bid_id>/award": EDITORS,
    "GET /api/fieldwork/orgs/<slug:org>/dispatch": EDITORS,
    "GET /api/fieldwork/device/day": NOBODY,
    "GET /api/fieldwork/device/tasks/<int:task_id>/attachments/<int:attachment_id>": NOBODY,
    "POST /api/fieldwork/device/photos": NOBODY,
    "POST /api/fieldwork/device/tasks/<int:task_id>/photos/upload": NOBODY,
    "GET /o/<slug:org>/tasks/": STAFF,
    "GET /o/<slug:org>/tasks/new/": EDITORS,
    "POST /o/<slug:org>/tasks/new/": EDITORS,
    "GET /o/<slug:org>/tasks/<int:task_id>/": ("owner", "admin", "manager", "member"),
    "POST /o/<slug:org>/tasks/<int:task_id>/entries/": ("owner", "admin", "manager", "member"),
    "POST /o/<slug:org>/tasks/<int:task_id>/assignees/": EDITORS,
    "POST /o/<slug:org>/tasks/<int:task_id>/bids/": EDITORS,
    "GET /o/<slug:org>/tasks/<int:task_id>/photos/<int:photo_id>/": NOBODY,
    "POST /o/<slug:org>/tasks/<int:task_id>/attachments/": EDITORS,
    "GET /o/<slug:org>/tasks/<int:task_id>/attachments/<int:attachment_id>/": ("owner", "admin", "manager", "member"),
    "POST /o/<slug:org>/tasks/<int:task_id>/attachments/<int:attachment_id>/delete/": EDITORS,
    "GET /o/<slug:org>/forms/": STAFF,
    "GET /o/<slug:org>/forms/new/": EDITORS,
    "POST /o/<slug:org>/forms/new/": EDITORS,
    "GET /o/<slug:org>/forms/<int:form_id>/": EDITORS,
    "POST /o/<slug:org>/forms/<int:form_id>/": EDITORS,
    "GET /o/<slug:org>/forms/<int:form_id>/fill/": STAFF,
    "POST /o/<slug:org>/forms/<int:form_id>/fill/": STAFF,
    "GET /o/<slug:org>/forms/<int:form_id>/submissions/": STAFF,
    "GET /o/<slug:org>/bids/": STAFF,
    "POST /o/<slug:org>/bids/offers/<int:offer_id>/answer/": ("member",),
    "POST /o/<slug:org>/bids/<int:bid_id>/award/": EDITORS,
    "GET /o/<slug:org>/dispatch/": EDITORS,
    "GET /eta/<str:token>/": NOBODY,
    "POST /eta/<str:token>/": NOBODY,
    "GET /app/": EVERYONE,
    "GET /app/manifest.webmanifest": EVERYONE,
    "GET /app/sw.js": EVERYONE,
}
