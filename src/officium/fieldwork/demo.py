"""The demo organization's field work (`officium demo`, idempotent, UX1): a service form with
two versions and submissions, today's tasks in every state with entries on the way, one late,
and a job offered as a bid with one acceptance."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from officium.accounts.models import Membership, Organization
from officium.attendance.coordinates import Fix
from officium.attendance.models import Site
from officium.fieldwork import bids, services
from officium.fieldwork.models import Form, Task

FORM_V1 = {"fields": [
    {"id": "work_done", "type": "checkbox", "label": "Work completed", "required": True},
    {"id": "hours", "type": "number", "label": "Hours on site", "required": True, "min": 0, "max": 12},
    {"id": "kind", "type": "choice", "label": "Kind of visit", "choices": ["Repair", "Installation", "Inspection"]},
]}
FORM_V2 = {"fields": [
    *FORM_V1["fields"],
    {"id": "parts", "type": "multiple_choice", "label": "Parts used", "choices": ["Pump", "Valve", "Hose", "Seal"]},
    {"id": "remarks", "type": "text", "label": "Remarks", "max_length": 500},
]}
NEAR_HQ = Fix(52.5232, 13.4115, 12.0)
TASKS = [
    # (title, status to reach, assignee email, hours from now (window start), priority, customer)
    ("Boiler service, Invalidenstrasse", "done", "member1@acme.example", -6, "normal", ("Petra Lang", "petra@customer.example")),
    ("Replace pump, Torstrasse", "on_site", "member1@acme.example", -1, "high", ("Jonas Weber", "jonas@customer.example")),
    ("Leak check, Alexanderplatz", "en_route", "member2@acme.example", 0, "urgent", ("Mia Koch", "mia@customer.example")),
    ("Annual inspection, Prenzlauer Berg", "assigned", "member2@acme.example", 2, "normal", ("Ali Demir", "")),
    ("Install valve, Kreuzberg", "assigned", "member1@acme.example", -3, "normal", ("Eva Roth", "eva@customer.example")),
    ("Quote for new heating, Mitte", "new", "", 4, "low", ("Lena Fischer", "lena@customer.example")),
    ("Radiator noise, Wedding", "not_completed", "member2@acme.example", -5, "normal", ("Tom Braun", "")),
]
STEPS = ("en_route", "on_site", "done")


@transaction.atomic
def seed_field_work(slug: str = "acme") -> None:
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None or Task.objects.filter(organization=organization).exists():
        return
    people = {m.user.email: m for m in Membership.objects.filter(organization=organization).select_related("user")}
    owner = people.get("owner@acme.example")
    if owner is None:
        return
    form = Form.objects.filter(organization=organization, name="Service report").first()
    if form is None:
        form = services.save_form(owner, "Service report", FORM_V1).form
        services.save_form(owner, "Service report", FORM_V2, form)
    site = Site.objects.filter(organization=organization, name="Berlin HQ").first()
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    tasks = []
    for index, (title, status, who, hours, priority, (customer, email)) in enumerate(TASKS):
        member = people.get(who)
        task = services.create_task(owner, services.TaskData(
            title=title, priority=priority, customer_name=customer, customer_email=email,
            destination_latitude=52.52 + index * 0.004, destination_longitude=13.39 + index * 0.003,
            site_id=None, address=title.split(", ")[-1] + ", Berlin", form_id=form.pk,
            window_start=now + dt.timedelta(hours=hours), window_end=now + dt.timedelta(hours=hours + 2),
            assignee_ids=(member.pk,) if member else ()))
        tasks.append(task)
        if member is None:
            continue
        for step in STEPS[:STEPS.index(status) + 1] if status in STEPS else ():
            services.add_entry(member, task, status=step, fix=NEAR_HQ, note="" if step != "done" else "All good.")
        if status == "not_completed":
            services.add_entry(member, task, status="on_site", fix=NEAR_HQ)
            services.add_entry(member, task, status="not_completed", note="Customer not at home.")
        if status == "done":
            services.submit_form(member, form.pk, 2, {"work_done": True, "hours": 1.5, "kind": "Repair",
                                                      "parts": ["Seal"], "remarks": "Replaced the seal."},
                                 task=task, fix=NEAR_HQ)
            _demo_photo(member, task)
    for open_task in (tasks[4], tasks[1]):  # member1's next open tasks carry their work order
        _demo_attachment(owner, open_task)
    if site is not None:
        services.submit_form(people.get("member2@acme.example", owner), form.pk, 2,
                             {"work_done": True, "hours": 0.5, "kind": "Inspection"}, fix=NEAR_HQ)
    candidates = [people[e].pk for e in ("member1@acme.example", "member2@acme.example") if e in people]
    if candidates:
        bid = bids.offer(owner, tasks[5], candidates)
        first = bid.offers.get(member_id=candidates[0])
        bids.answer_bid(first.member, first, "accepted", 35, NEAR_HQ)


def _demo_photo(member: Membership, task: Task) -> None:
    """UX1: the finished task has a photo: the member allowed photo uploads on their privacy
    preferences (CO5, in their consent history) and took a picture of the new seal."""
    import io

    from django.core.exceptions import ValidationError
    from PIL import Image, ImageDraw

    from officium.fieldwork.photos import add_photo
    from officium.privacy.consent.services import photo_permission_given, set_photo_permission

    try:
        if not photo_permission_given(member.user):
            set_photo_permission(member.user, True)
    except ValidationError:
        return  # the active policy declares no photo uploads: the story goes without
    image = Image.new("RGB", (320, 240), (176, 190, 197))
    draw = ImageDraw.Draw(image)
    draw.rectangle((110, 70, 210, 170), fill=(84, 110, 122))
    draw.ellipse((135, 95, 185, 145), fill=(255, 193, 7))
    data = io.BytesIO()
    image.save(data, format="JPEG", quality=80)
    add_photo(member, task, data.getvalue())


WORK_ORDER = """Work order - {title}

1. Call the customer 30 minutes before arriving.
2. Isolate the supply and drain the line.
3. Do the work; the parts are in the van's parts box.
4. Run the system for ten minutes and check for leaks.
5. Report the result with the service report form.
"""


def _demo_attachment(owner: Membership, task: Task) -> None:
    """UX1, FW1: the dispatcher attached the work order to the first task."""
    from officium.fieldwork.attachments import attach

    attach(owner, task, "work-order.txt", WORK_ORDER.format(title=task.title).encode())
