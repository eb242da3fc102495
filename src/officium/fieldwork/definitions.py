"""Form definitions and answers (FW3), after ODK/KoboToolbox: a definition is versioned JSON
(``{"fields": [{id, type, label, required, choices, min, max, max_length}]}``); answers are
checked on the server against the exact version they were filled in.

Errors name the field as ``fields.<n>.<key>`` (definitions) or ``answers.<id>`` (answers).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from django.core.exceptions import ValidationError

from officium.text import validate_name

TYPES = ("text", "number", "choice", "multiple_choice", "date", "time", "checkbox", "photo",
         "signature", "location")
TYPE_LABELS = {"text": "Text", "number": "Number", "choice": "Choice", "multiple_choice": "Multiple choice",
               "date": "Date", "time": "Time", "checkbox": "Checkbox", "photo": "Photo",
               "signature": "Signature", "location": "Location"}
WITH_CHOICES = ("choice", "multiple_choice")
FIELD_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_FIELDS = 100
MAX_TEXT = 2000
MAX_SIGNATURE = 200_000
SIGNATURE_PREFIX = "data:image/png;base64,"
_NUMBER = (int, float)


def _number(value: Any) -> bool:
    return type(value) in _NUMBER and math.isfinite(value)


def clean_definition(raw: Any) -> dict[str, Any]:
    """A checked, normalised definition; ValidationError naming ``fields.<n>.<key>``."""
    fields = raw.get("fields") if isinstance(raw, dict) else None
    if not isinstance(fields, list) or not fields:
        raise ValidationError({"fields": "Add at least one field."})
    if len(fields) > MAX_FIELDS:
        raise ValidationError({"fields": f"A form has at most {MAX_FIELDS} fields."})
    seen: set[str] = set()
    return {"fields": [_clean_field(index, f, seen) for index, f in enumerate(fields)]}


def _clean_field(index: int, field: Any, seen: set[str]) -> dict[str, Any]:
    at = f"fields.{index}"
    if not isinstance(field, dict):
        raise ValidationError({at: "Each field must be an object."})
    fid = field.get("id")
    if type(fid) is not str or not FIELD_ID.match(fid):
        raise ValidationError({f"{at}.id": "Use 1-40 lowercase letters, digits or _, starting with a letter."})
    if fid in seen:
        raise ValidationError({f"{at}.id": f"The id {fid!r} is used twice."})
    seen.add(fid)
    kind = field.get("type")
    if kind not in TYPES:
        raise ValidationError({f"{at}.type": f"Type must be one of {', '.join(TYPES)}."})
    label = field.get("label")
    if type(label) is not str or not label.strip() or len(label) > 200:
        raise ValidationError({f"{at}.label": "Give a label of 1-200 characters."})
    validate_name(label, f"{at}.label")
    out: dict[str, Any] = {"id": fid, "type": kind, "label": label.strip(),
                           "required": bool(field.get("required", False))}
    if kind in WITH_CHOICES:
        choices = field.get("choices")
        if (not isinstance(choices, list) or not choices
                or any(type(c) is not str or not c.strip() or len(c) > 200 for c in choices)):
            raise ValidationError({f"{at}.choices": "List the choices (text, 1-200 characters each)."})
        cleaned = [c.strip() for c in choices]
        if len(set(cleaned)) != len(cleaned):
            raise ValidationError({f"{at}.choices": "Each choice may appear once."})
        out["choices"] = cleaned
    for bound in ("min", "max"):
        value = field.get(bound)
        if value is None:
            continue
        if kind not in ("number", "multiple_choice") or not _number(value):
            raise ValidationError({f"{at}.{bound}": "Only number and multiple-choice fields take a number here."})
        out[bound] = value
    if "min" in out and "max" in out and out["min"] > out["max"]:
        raise ValidationError({f"{at}.max": "The maximum is below the minimum."})
    if field.get("max_length") is not None:
        limit = field["max_length"]
        if kind != "text" or type(limit) is not int or not 1 <= limit <= MAX_TEXT:
            raise ValidationError({f"{at}.max_length": f"Text fields only, 1-{MAX_TEXT}."})
        out["max_length"] = limit
    return out


def clean_answers(definition: dict[str, Any], answers: Any, *, keep_location: bool) -> dict[str, Any]:
    """Answers checked against ``definition``; a location answer is dropped (stored as None)
    when ``keep_location`` is false (privacy mode on, or the profile does not collect it)."""
    if not isinstance(answers, dict):
        raise ValidationError({"answers": "Send the answers as an object keyed by field id."})
    fields = {f["id"]: f for f in definition["fields"]}
    unknown = sorted(set(answers) - set(fields))
    if unknown:
        raise ValidationError({f"answers.{unknown[0]}": "This form has no such field."})
    out: dict[str, Any] = {}
    for fid, field in fields.items():
        value = answers.get(fid)
        if value is None or value == "" or value == [] or (value is False and field["required"]):
            # a required checkbox must be ticked (a confirmation)
            if field["required"] and not (field["type"] == "location" and not keep_location):
                raise ValidationError({f"answers.{fid}": f"{field['label']}: this field is required."})
            continue
        cleaned = _answer(field, value)
        if field["type"] == "location" and not keep_location:
            cleaned = None
        out[fid] = cleaned
    return out


def _answer(field: dict[str, Any], value: Any) -> Any:  # noqa: C901  (one branch per type)
    kind, name = field["type"], f"answers.{field['id']}"
    label = field["label"]
    if kind == "text":
        if type(value) is not str or len(value) > field.get("max_length", MAX_TEXT):
            raise ValidationError({name: f"{label}: enter text of at most {field.get('max_length', MAX_TEXT)} characters."})
        return value
    if kind == "number":
        if not _number(value):
            raise ValidationError({name: f"{label}: enter a number."})
        if "min" in field and value < field["min"] or "max" in field and value > field["max"]:
            raise ValidationError({name: f"{label}: enter a number between {field.get('min', '-')} and {field.get('max', '-')}."})
        return value
    if kind == "choice":
        if value not in field["choices"]:
            raise ValidationError({name: f"{label}: pick one of the choices."})
        return value
    if kind == "multiple_choice":
        if (not isinstance(value, list) or any(v not in field["choices"] for v in value)
                or len(set(value)) != len(value)):
            raise ValidationError({name: f"{label}: pick from the choices, each once."})
        if "min" in field and len(value) < field["min"] or "max" in field and len(value) > field["max"]:
            raise ValidationError({name: f"{label}: pick between {field.get('min', 0)} and {field.get('max', '-')}."})
        return value
    if kind == "date":
        try:
            return dt.date.fromisoformat(value).isoformat() if type(value) is str and len(value) == 10 else _bad(name, label, "a date (YYYY-MM-DD)")
        except ValueError:
            _bad(name, label, "a date (YYYY-MM-DD)")
    if kind == "time":
        try:
            return dt.time.fromisoformat(value).isoformat("minutes") if type(value) is str and len(value) in (5, 8) else _bad(name, label, "a time (HH:MM)")
        except ValueError:
            _bad(name, label, "a time (HH:MM)")
    if kind == "checkbox":
        if type(value) is not bool:
            raise ValidationError({name: f"{label}: answer true or false."})
        return value
    if kind == "photo":
        if type(value) is not str or not 0 < len(value) <= 64:
            raise ValidationError({name: f"{label}: give the photo's id."})
        return value
    if kind == "signature":
        if type(value) is not str or not value.startswith(SIGNATURE_PREFIX) or len(value) > MAX_SIGNATURE:
            raise ValidationError({name: f"{label}: sign in the box (a PNG image)."})
        return value
    # location
    if (not isinstance(value, dict) or not _number(value.get("lat")) or not _number(value.get("lon"))
            or not -90 <= value["lat"] <= 90 or not -180 <= value["lon"] <= 180):
        raise ValidationError({name: f"{label}: give a latitude and longitude."})
    return {"lat": float(value["lat"]), "lon": float(value["lon"])}


def _bad(name: str, label: str, what: str) -> Any:
    raise ValidationError({name: f"{label}: enter {what}."})


def display(field: dict[str, Any], value: Any) -> str:
    """An answer as text for lists and exports."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field["type"] == "signature":
        return "(signed)"
    if isinstance(value, dict):
        return f"{value.get('lat')}, {value.get('lon')}"
    return str(value)
