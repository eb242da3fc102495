"""FW3: versioned form definitions, server validation against the version, standalone and
on tasks, submissions listed and exported (CSV, XLSX)."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook
from tests.fieldwork.conftest import DEFINITION, answers, send

from officium.fieldwork import services
from officium.fieldwork.models import FormVersion, Submission

pytestmark = pytest.mark.django_db
URL = "/api/fieldwork/orgs/alpha/forms/{}/submissions"


def test_FW3_every_type_is_accepted_and_stored_against_its_version(form, bob_m):
    s = services.submit_form(bob_m, form.pk, 1, answers(kind="repair", parts=["pump", "hose"], visit="2026-03-02",
                                                          start="08:30", remark="ok", where={"lat": 52.5, "lon": 13.4}))
    assert s.version.number == 1
    assert s.answers["parts"] == ["pump", "hose"] and s.answers["start"] == "08:30"
    assert s.answers["where"] == {"lat": 52.5, "lon": 13.4}
    assert s.location.kind == "form"


def test_FW3_a_changed_definition_is_a_new_version_and_old_submissions_keep_theirs(form, alice_m, bob_m):
    first = services.submit_form(bob_m, form.pk, 1, answers())
    changed = {"fields": [*DEFINITION["fields"], {"id": "extra", "type": "text", "label": "Extra", "required": True}]}
    assert services.save_form(alice_m, "Service report", changed, form).number == 2
    assert services.save_form(alice_m, "Service report", changed, form).number == 2  # unchanged: no new version
    first.refresh_from_db()
    assert first.version.number == 1 and FormVersion.objects.filter(form=form).count() == 2


def test_FW3_submission_against_old_version_is_refused(form, alice_m, bob_client):
    changed = {"fields": [{"id": "done", "type": "checkbox", "label": "Done"}]}
    services.save_form(alice_m, "Service report", changed, form)
    response = send(bob_client, "post", URL.format(form.pk), {"version": 1, "answers": answers()})
    assert response.status_code == 400 and response.json()["field"] == "version"
    assert "replaced by version 2" in response.json()["message"]
    response = send(bob_client, "post", URL.format(form.pk), {"version": 7, "answers": answers()})
    assert response.status_code == 400 and response.json()["field"] == "version"
    assert not Submission.objects.exists()


@pytest.mark.parametrize(("given", "field"), [
    ({"hours": 2}, "answers.done"),                      # missing required
    ({"done": "yes", "hours": 2}, "answers.done"),       # wrong type
    ({"done": True, "hours": "two"}, "answers.hours"),
    ({"done": True, "hours": 30}, "answers.hours"),      # constraint
    ({"done": True, "hours": 1, "kind": "paint"}, "answers.kind"),
    ({"done": True, "hours": 1, "parts": ["pump", "pump"]}, "answers.parts"),
    ({"done": True, "hours": 1, "visit": "02/03/2026"}, "answers.visit"),
    ({"done": True, "hours": 1, "start": "25:00"}, "answers.start"),
    ({"done": True, "hours": 1, "remark": "x" * 21}, "answers.remark"),
    ({"done": True, "hours": 1, "where": {"lat": 91, "lon": 0}}, "answers.where"),
    ({"done": True, "hours": 1, "colour": "red"}, "answers.colour"),   # unknown field
])
def test_FW3_bad_answers_are_400_naming_the_field_nothing_written(form, bob_m, bob_client, given, field):
    response = send(bob_client, "post", URL.format(form.pk), {"version": 1, "answers": given})
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert not Submission.objects.exists()


def test_FW3_unknown_form_is_refused(bob_client, form):
    response = send(bob_client, "post", URL.format(form.pk + 100), {"version": 1, "answers": answers()})
    assert response.status_code == 404 and not Submission.objects.exists()


@pytest.mark.parametrize(("definition", "field"), [
    ({"fields": []}, "fields"),
    ({"fields": [{"id": "A b", "type": "text", "label": "x"}]}, "fields.0.id"),
    ({"fields": [{"id": "a", "type": "colour", "label": "x"}]}, "fields.0.type"),
    ({"fields": [{"id": "a", "type": "choice", "label": "x"}]}, "fields.0.choices"),
    ({"fields": [{"id": "a", "type": "text", "label": "x"}, {"id": "a", "type": "text", "label": "y"}]}, "fields.1.id"),
    ({"fields": [{"id": "a", "type": "number", "label": "x", "min": 5, "max": 1}]}, "fields.0.max"),
])
def test_FW3_bad_definitions_are_refused_naming_the_field(alice_m, definition, field):
    with pytest.raises(ValidationError) as error:
        services.save_form(alice_m, "Broken", definition)
    assert field in error.value.message_dict


def test_FW3_builder_page_saves_a_new_version(form, alice_client):
    response = alice_client.post(f"/o/alpha/forms/{form.pk}/", {
        "name": "Service report", "rows": "2", "f-0-id": "ok", "f-0-label": "Okay?", "f-0-type": "checkbox",
        "f-1-id": "size", "f-1-label": "Size", "f-1-type": "choice", "f-1-choices": "S, M, L", "f-1-required": "on"})
    assert response.status_code == 302
    assert form.current.number == 2 and form.current.fields[1]["choices"] == ["S", "M", "L"]
    bad = alice_client.post(f"/o/alpha/forms/{form.pk}/", {"name": "Service report", "rows": "1",
                                                          "f-0-id": "x", "f-0-label": "X", "f-0-type": "choice"})
    assert bad.status_code == 400 and b"Field 1, Choices: " in bad.content and form.current.number == 2
    # the page names the row and column the user sees, not the API's path ("fields.0.choices")
    assert b"fields.0" not in bad.content and b'value="X"' in bad.content  # the typed rows stay
    # typed text inputs, so they get the app's full-width style on a phone (they were 150 px wide)
    assert b'<input type="text" name="f-0-label"' in bad.content and b'<input type="text" name="name"' in bad.content
    unnamed = alice_client.post(f"/o/alpha/forms/{form.pk}/", {"name": "", "rows": "0"})
    assert unnamed.status_code == 400 and b"Form name: " in unnamed.content


def test_FW3_fill_page_submits_on_a_task(form, task, bob_client):
    response = bob_client.post(f"/o/alpha/forms/{form.pk}/fill/", {
        "version": "1", "task": str(task.pk), "a-done": "on", "a-hours": "3", "a-parts": ["pump", "valve"]})
    assert response.status_code == 302, response.content
    s = Submission.objects.get()
    assert s.task_id == task.pk and s.answers["parts"] == ["pump", "valve"] and s.answers["hours"] == 3
    missing = bob_client.post(f"/o/alpha/forms/{form.pk}/fill/", {"version": "1", "a-hours": "3"})
    assert missing.status_code == 400 and b"this field is required" in missing.content


def test_FW3_submissions_export_as_csv_and_xlsx(form, bob_m, alice_client):
    services.submit_form(bob_m, form.pk, 1, answers(parts=["pump"], remark="=cmd()"))
    text = alice_client.get(f"/api/fieldwork/orgs/alpha/forms/{form.pk}/export", {"format": "csv"})
    assert text.status_code == 200
    rows = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Submission", "Version", "Member", "Local time", "Time zone"]
    assert rows[1][4] == "Europe/Berlin" and "pump" in rows[1] and "'=cmd()" in rows[1]
    book = alice_client.get(f"/o/alpha/forms/{form.pk}/submissions/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(book.streaming_content))).active
    assert [c.value for c in sheet[1]][:2] == ["Submission", "Version"] and sheet.max_row == 2
    assert alice_client.get(f"/o/alpha/forms/{form.pk}/submissions/", {"format": "pdf"}).status_code == 400


def test_FW3_submissions_page_names_each_cell_for_a_phone(form, bob_m, alice_client):
    """Seen on a phone: the submissions table ran off the screen, unstyled; now it is the app's
    table, whose rows become cards on a phone, each value preceded by its column's name."""
    services.submit_form(bob_m, form.pk, 1, answers(parts=["pump"], remark="all good"))
    page = alice_client.get(f"/o/alpha/forms/{form.pk}/submissions/").content.decode()
    assert '<table class="table" id="submissions">' in page
    assert '<td data-label="Member">Bob' in page and '<td data-label="Remark">all good</td>' in page
