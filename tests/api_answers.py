"""Reading the API's one error shape in tests: {"code", "message", "field", "errors"}."""

from __future__ import annotations

from typing import Any


def error_fields(response: Any) -> set[str]:
    """Every field an error answer names (the first in ``field``, all in ``errors``)."""
    body = response.json()
    named = {e["field"] for e in body.get("errors", []) if e.get("field")}
    return named | ({body["field"]} if body.get("field") else set())


def error_messages(response: Any, field: str) -> list[str]:
    body = response.json()
    found = [e["message"] for e in body.get("errors", []) if e.get("field") == field]
    return found or ([body["message"]] if body.get("field") == field else [])
