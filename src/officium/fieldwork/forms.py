"""Page forms for field work: they parse text into values; the services validate and decide."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from officium.fieldwork.definitions import TYPE_LABELS
from officium.fieldwork.models import Priority

LOCAL = {"type": "datetime-local"}


class TaskForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.NORMAL)
    window_start = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs=LOCAL),
                                       label="Window starts")
    window_end = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs=LOCAL), label="Window ends")
    assignees = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.CheckboxSelectMultiple)
    site = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Site (destination)")
    destination_latitude = forms.FloatField(required=False, label="Or destination latitude")
    destination_longitude = forms.FloatField(required=False, label="Destination longitude")
    address = forms.CharField(required=False, max_length=300, help_text="Shown to the assignee; never geocoded.")
    form = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Form to fill in")
    customer_name = forms.CharField(required=False, max_length=120)
    customer_email = forms.EmailField(required=False, help_text="Gets arrival estimates by email.")
    customer_phone = forms.CharField(required=False, max_length=40)

    def __init__(self, members: Any, sites: Any, field_forms: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["assignees"]).choices = [
            (m.pk, m.user.get_full_name() or m.user.email) for m in members]
        cast(forms.ChoiceField, self.fields["site"]).choices = [("", "—"), *((s.pk, s.name) for s in sites)]
        cast(forms.ChoiceField, self.fields["form"]).choices = [("", "—"), *((f.pk, f.name) for f in field_forms)]

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"title": d["title"], "description": d["description"], "priority": d["priority"],
                "window_start": d["window_start"], "window_end": d["window_end"],
                "assignee_ids": tuple(d["assignees"] or ()), "site_id": d["site"],
                "destination_latitude": d["destination_latitude"], "destination_longitude": d["destination_longitude"],
                "address": d["address"], "form_id": d["form"], "customer_name": d["customer_name"],
                "customer_email": d["customer_email"], "customer_phone": d["customer_phone"]}


def builder_rows(definition: dict[str, Any] | None, blank: int = 3) -> list[dict[str, Any]]:
    """The builder's rows: the current fields, then ``blank`` empty ones to add fields."""
    rows = [dict(f, choices_text=", ".join(f.get("choices", []))) for f in (definition or {}).get("fields", [])]
    return rows + [{"id": "", "type": "text", "label": "", "required": False, "choices_text": ""}] * blank


BUILDER_COLUMNS = {"name": "Form name", "id": "Id", "label": "Label", "type": "Type", "required": "Required",
                   "choices": "Choices", "min": "Minimum", "max": "Maximum"}


def builder_errors(error: ValidationError) -> list[str]:
    """The service names a problem by its path ("fields.0.choices", as the API answers); the
    builder page names what the user sees there ("Field 1, Choices")."""
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    said = []
    for key, messages in error.message_dict.items():
        row = re.fullmatch(r"fields\.(\d+)(?:\.(\w+))?", key)
        if row:
            where = f"Field {int(row[1]) + 1}" + (f", {BUILDER_COLUMNS.get(row[2], row[2])}" if row[2] else "")
        else:
            where = BUILDER_COLUMNS.get(key, key.capitalize())
        said.append(f"{where}: {' '.join(messages)}")
    return said


def parse_builder(post: Any) -> dict[str, Any]:
    """The builder's POST (rows ``f-<n>-id``, ``-label``, ``-type``, ...) as a definition;
    rows without an id and label are skipped; numbers are left to the service to refuse."""
    fields = []
    count = int(post.get("rows", "0") or 0) if str(post.get("rows", "0")).isdigit() else 0
    for n in range(min(count, 200)):
        fid, label = post.get(f"f-{n}-id", "").strip(), post.get(f"f-{n}-label", "").strip()
        if not fid and not label:
            continue
        field: dict[str, Any] = {"id": fid, "label": label, "type": post.get(f"f-{n}-type", "text"),
                                 "required": post.get(f"f-{n}-required") == "on"}
        choices = [c.strip() for c in post.get(f"f-{n}-choices", "").split(",") if c.strip()]
        if choices:
            field["choices"] = choices
        for bound in ("min", "max"):
            raw = post.get(f"f-{n}-{bound}", "").strip()
            if raw:
                try:
                    field[bound] = int(raw) if raw.lstrip("-").isdigit() else float(raw)
                except ValueError:
                    field[bound] = raw
        fields.append(field)
    return {"fields": fields}


TYPE_CHOICES = list(TYPE_LABELS.items())
