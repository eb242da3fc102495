"""FW1: task attachments. A dispatcher attaches a document (work order, plan, manual) to a task;
its assignees download it; sealed at rest like photos; type allow-list and a 20 MB limit with
clear answers naming ``file``; registered personal data of the uploader (export, erasure);
deletion audited."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.conftest import client_for, make_user

from officium.accounts.models import Membership
from officium.accounts.roles import Role
from officium.fieldwork import attachments
from officium.fieldwork.models import TaskAttachment
from officium.privacy.audit.models import AuditEntry
from officium.privacy.registry import registration_for
from officium.privacy.rights import records
from officium.privacy.rights.erasure import erase_subject
from officium.privacy.rights.records import Subject

pytestmark = pytest.mark.django_db
WORK_ORDER = b"%PDF-1.4\n% Work order 17: replace the pump seal, bring a 40 mm gasket.\n%%EOF\n"


def base(task):
    return f"/api/fieldwork/orgs/alpha/tasks/{task.pk}/attachments"


def post(client, task, data=WORK_ORDER, filename="work-order.pdf", content_type="application/pdf"):
    return client.post(base(task), {"file": SimpleUploadedFile(filename, data, content_type=content_type)})


@pytest.fixture
def dave(alice_org, alice):
    """A member of Alpha who is not assigned to the task."""
    user = make_user("dave@alpha.example", "Dave", "Dorn")
    Membership.objects.create(organization=alice_org, user=user, role=Role.MEMBER)
    return user


def test_FW1_attachment_uploaded_by_manager_is_downloaded_by_the_assignee(task, alice_client, bob_client):
    answer = post(alice_client, task)
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["name"] == "work-order.pdf" and body["content_type"] == "application/pdf"
    assert body["size"] == len(WORK_ORDER) and body["created_local"].endswith(("CET", "CEST"))
    stored = TaskAttachment.objects.get()
    assert WORK_ORDER not in bytes(stored.content) and b"Work order" not in bytes(stored.content)
    listed = bob_client.get(base(task)).json()
    assert [a["id"] for a in listed] == [stored.pk]
    served = bob_client.get(listed[0]["download_url"])
    assert served.status_code == 200 and b"".join(served.streaming_content) == WORK_ORDER
    assert served["Content-Disposition"] == 'attachment; filename="work-order.pdf"'
    assert "work-order" not in listed[0]["download_url"]  # no name (personal data) in the URL
    assert AuditEntry.objects.filter(event="fieldwork.attachment_opened").count() == 1


def test_FW1_outsider_and_non_assignee_get_404_assignee_cannot_upload(task, alice_client, bob_client, charlie,
                                                                      dave):
    attachment_id = post(alice_client, task).json()["id"]
    url = f"{base(task)}/{attachment_id}"
    dave_client = client_for(dave)
    assert dave_client.get(url).status_code == 404 and dave_client.get(base(task)).status_code == 404
    assert client_for(charlie).get(url).status_code in (403, 404)
    assert client_for(charlie).get(f"/o/alpha/tasks/{task.pk}/attachments/{attachment_id}/").status_code in (403, 404)
    assert dave_client.get(f"/o/alpha/tasks/{task.pk}/attachments/{attachment_id}/").status_code == 404
    refused = post(bob_client, task, filename="mine.pdf")
    assert refused.status_code == 403 and TaskAttachment.objects.count() == 1
    assert bob_client.delete(url).status_code == 403 and TaskAttachment.objects.count() == 1


def test_FW1_a_type_not_allowed_is_400_naming_file_nothing_written(task, alice_client):
    for filename, data in (("tool.exe", b"MZ\x90\0"), ("fake.pdf", b"<html>not a pdf</html>"),
                           ("notes.txt", b"\xff\xfe\0\0binary")):
        answer = post(alice_client, task, data=data, filename=filename, content_type="application/octet-stream")
        assert answer.status_code == 400, filename
        assert answer.json()["field"] == "file"
    no_file = alice_client.post(base(task), {"note": "nothing attached"})
    assert no_file.status_code == 400 and no_file.json()["field"] == "file"
    assert not TaskAttachment.objects.exists()
    assert not AuditEntry.objects.filter(event="fieldwork.attachment_added").exists()


def test_FW1_an_unsafe_file_name_is_refused_naming_file(task, alice_m):
    from django.core.exceptions import ValidationError

    for name in ("order\u202egpj.pdf", "", "x" * 300 + ".pdf"):
        with pytest.raises(ValidationError) as error:
            attachments.attach(alice_m, task, name, WORK_ORDER)
        assert "file" in error.value.message_dict
    assert not TaskAttachment.objects.exists()


def test_FW1_over_the_limit_is_413_too_large_naming_file_nothing_written(task, alice_client, monkeypatch):
    monkeypatch.setattr(attachments, "MAX_BYTES", 1000)  # the 20 MB limit, scaled down to keep the test fast
    answer = post(alice_client, task, data=WORK_ORDER + b"%" * 1000)
    assert answer.status_code == 413
    assert answer.json()["code"] == "too_large" and answer.json()["field"] == "file"
    assert not TaskAttachment.objects.exists()
    assert attachments.MAX_BYTES == 1000 and "20.0 MB" not in answer.json()["message"]


def test_FW1_the_limit_is_20_mb():
    assert attachments.MAX_BYTES == 20 * 1024 * 1024
    assert "20.0 MB" in attachments.too_large().message_dict["file"][0]


def test_FW1_attachment_is_personal_data_of_the_uploader_exported_and_erased(task, alice, alice_m):
    reg = registration_for(TaskAttachment)
    assert reg is not None and reg.subject == "uploaded_by__user" and reg.retention_anchor == "created_at"
    attachment = attachments.attach(alice_m, task, "plan.txt", b"Floor plan, level 2")
    kind = next(t for t in records.record_types() if t.model is TaskAttachment)
    exported = records.rows(kind, Subject(user_id=alice.pk))
    assert [row[0] for row in exported] == [attachment.pk]
    assert "plan.txt" in exported[0]
    erase_subject(Subject(user_id=alice.pk), reason="erasure_request")
    assert not TaskAttachment.objects.filter(pk=attachment.pk).exists()


def test_FW1_delete_is_audited_and_removes_the_document(task, alice_client, bob_client):
    attachment_id = post(alice_client, task).json()["id"]
    assert alice_client.delete(f"{base(task)}/{attachment_id}").status_code == 204
    assert not TaskAttachment.objects.exists()
    event = AuditEntry.objects.get(event="fieldwork.attachment_deleted")
    assert event.details["task"] == task.pk
    assert bob_client.get(f"{base(task)}/{attachment_id}").status_code == 404


def test_FW1_task_page_attaches_lists_and_downloads(task, alice_client, bob_client):
    upload = SimpleUploadedFile("checklist.csv", b"step,done\nisolate,yes\n", content_type="text/csv")
    answer = alice_client.post(f"/o/alpha/tasks/{task.pk}/attachments/", {"file": upload})
    assert answer.status_code == 302
    found = TaskAttachment.objects.get()
    page = bob_client.get(f"/o/alpha/tasks/{task.pk}/").content.decode()
    link = f"/o/alpha/tasks/{task.pk}/attachments/{found.pk}/"
    assert "Attachments" in page and "checklist.csv" in page and link in page
    assert "attachment-form" not in page  # members download, dispatchers upload
    served = bob_client.get(link)
    assert b"".join(served.streaming_content) == b"step,done\nisolate,yes\n"
    assert "attachment-form" in alice_client.get(f"/o/alpha/tasks/{task.pk}/").content.decode()
    bad = SimpleUploadedFile("run.sh", b"#!/bin/sh\n", content_type="text/x-sh")
    refused = alice_client.post(f"/o/alpha/tasks/{task.pk}/attachments/", {"file": bad})
    assert refused.status_code == 400 and "cannot be attached" in refused.content.decode()
    assert alice_client.post(f"{link}delete/").status_code == 302 and not TaskAttachment.objects.exists()


def test_FW1_attachment_routes_are_in_openapi(client):
    schema = client.get("/api/openapi.json").json()
    path = "/api/fieldwork/orgs/{org}/tasks/{task_id}/attachments"
    assert {"get", "post"} <= set(schema["paths"][path])
    assert "multipart/form-data" in schema["paths"][path]["post"]["requestBody"]["content"]
    assert {"get", "delete"} <= set(schema["paths"][path + "/{attachment_id}"])


def test_FW1_phone_app_lists_and_downloads_the_tasks_attachments(task, alice_m, device, client):
    attachment = attachments.attach(alice_m, task, "manual.txt", b"Pump manual, page 1")
    _, token = device
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    day = client.get("/api/fieldwork/device/day", **auth).json()
    assert [(a["id"], a["task_id"], a["name"]) for a in day["attachments"]] == [(attachment.pk, task.pk, "manual.txt")]
    served = client.get(day["attachments"][0]["download_url"], **auth)
    assert served.status_code == 200 and b"".join(served.streaming_content) == b"Pump manual, page 1"
    assert client.get(day["attachments"][0]["download_url"]).status_code == 401


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_FW1_phone_app_downloads_a_work_order_at_phone_width(browser, live_server, alice_m, bob_m, task):
    from officium.attendance import services as attendance

    attachment = attachments.attach(alice_m, task, "work-order.pdf", WORK_ORDER)
    _, raw = attendance.create_connection_code(alice_m, bob_m)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/app/")
    page.fill("#pair-code", raw)
    page.fill("#pair-name", "Bob's phone")
    page.click("#pair-form button[type=submit]")
    button = page.locator(f"[data-task='{task.pk}'] button[data-attachment='{attachment.pk}']")
    button.wait_for()
    assert "work-order.pdf" in button.inner_text()
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename == "work-order.pdf"
    with open(download.path(), "rb") as saved:
        assert saved.read() == WORK_ORDER
    assert errors == []
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_FW1_the_delete_button_beside_an_attachment_is_a_red_link_not_red_on_red(task, alice, browser_login,
                                                                                 live_server):
    """Seen on a phone: "Delete" showed the accent link colour on the danger background."""
    attachments.attach(alice.memberships.get(), task, "plan.pdf", WORK_ORDER)
    _, page = browser_login(alice, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(f"{live_server.url}/o/alpha/tasks/{task.pk}/")
    delete = page.locator("#attachments button", has_text="Delete")
    style = delete.evaluate("b => { const s = getComputedStyle(b); return [s.backgroundColor, s.color]; }")
    red = page.evaluate("""() => { const p = document.createElement('p'); p.style.color = 'var(--danger)';
        document.body.appendChild(p); const c = getComputedStyle(p).color; p.remove(); return c; }""")
    assert style == ["rgba(0, 0, 0, 0)", red]  # no filled background; the text in the danger colour
