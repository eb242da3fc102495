"""Valid request bodies for every API operation, generated from the OpenAPI schema.

A handler that takes a body answers 422 before it runs when the body is missing or malformed,
so a test that sends no body never reaches the handler's lookups. ``body_for`` builds the
smallest body the schema accepts, with every property filled in; a property that names an
object (``site_id``, ``membership_id``...) gets the id of the object the caller passes for it,
so a handler that looks such an id up without the tenant's scope is caught as well.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

FORMATS = {"email": "someone@outsider.example", "date": "2030-01-02",
           "date-time": "2030-01-02T09:00:00Z", "time": "09:00:00",
           "uuid": "00000000-0000-4000-8000-000000000000", "uri": "https://outsider.example/"}
PATH_PARAM = re.compile(r"\{(?P<name>[^}]+)\}")


@cache
def openapi_schema() -> dict[str, Any]:
    from officium.api import api

    return api.get_openapi_schema()  # type: ignore[no-any-return]


def operation(route: str, method: str) -> dict[str, Any] | None:
    """The OpenAPI operation of a Django route (``api/orgs/<slug:org>``) and method."""
    path = "/" + re.sub(r"<(?:[^>:]+:)?([^>]+)>", r"{\1}", route)
    return openapi_schema()["paths"].get(path, {}).get(method.lower())  # type: ignore[no-any-return]


def operations() -> list[tuple[str, str]]:
    """Every (METHOD, /api/path/{param}) the API declares."""
    return [(method.upper(), path) for path, ops in openapi_schema()["paths"].items()
            for method in ops]


def body_for(route: str, method: str,
             references: Mapping[str, Callable[[], Any]] | None = None) -> Any:
    """A body the operation's schema accepts, or ``None`` when it takes none."""
    op = operation(route, method)
    content = (op or {}).get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    return example(content["application/json"]["schema"], references or {})


def example(schema: Mapping[str, Any], references: Mapping[str, Callable[[], Any]],
            name: str = "") -> Any:
    schema = _resolve(schema)
    if name in references:
        return references[name]()
    if "default" in schema and schema["default"] not in (None, [], ""):
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    for combinator in ("allOf", "anyOf", "oneOf"):
        if combinator in schema:
            options = [s for s in schema[combinator] if _resolve(s).get("type") != "null"]
            return example(options[0], references, name) if options else None
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if kind == "object":
        return {key: example(value, references, key)
                for key, value in schema.get("properties", {}).items()}
    if kind == "array":
        items = schema.get("items") or {}
        count = max(schema.get("minItems", 0), 1 if items else 0)
        return [example(items, references) for _ in range(count)]
    if kind == "string":
        text = FORMATS.get(schema.get("format", ""), "outsider")
        return text.ljust(schema.get("minLength", 0), "x")
    return {"integer": 1, "number": 1.0, "boolean": True}.get(kind)


def _resolve(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = schema.get("$ref")
    if not ref:
        return schema
    node: Any = openapi_schema()
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return _resolve(node)  # type: ignore[no-any-return]
