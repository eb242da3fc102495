"""Checks across sections of a policy: every name refers to something declared.

They run on plain data (the parsed YAML or a dumped Policy), tolerating malformed items,
so ``officium policy check`` reports an undeclared category even when another part of the
file has a type error: the operator sees every problem in one pass.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from officium.privacy.policy.vocabulary import Loc

Problem = tuple[Loc, str]

# The foundation's signup form renders exactly these; a profile picks a subset (AC1, AC2).
SIGNUP_FIELD_KEYS: frozenset[str] = frozenset({
    "first_name", "last_name", "full_name", "email", "company_name", "employee_count",
    "phone", "country", "preferred_domain", "position", "contact_channels", "address",
    "industry", "city", "state", "zip_code", "username", "password",
})


def _items(data: Mapping[str, Any], section: str) -> list[tuple[int, Mapping[str, Any]]]:
    value = data.get(section)
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, Mapping)]


def _names(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _ids(data: Mapping[str, Any], section: str, key: str = "id") -> list[str]:
    return [str(item.get(key)) for _, item in _items(data, section)]


def cross_problems(data: Mapping[str, Any]) -> list[Problem]:
    categories = set(_ids(data, "categories"))
    purposes = set(_ids(data, "purposes"))
    audiences = set(_ids(data, "audiences"))
    problems: list[Problem] = []
    for section in ("audiences", "categories", "purposes", "recipients", "retention", "rights"):
        problems += _duplicates(data, section, "id")
    problems += _duplicates(data, "signup_fields", "key")
    problems += _duplicates(data, "cookies", "kind")
    for section, field, declared, what in (
        ("purposes", "categories", categories, "category"),
        ("recipients", "categories", categories, "category"),
        ("retention", "categories", categories, "category"),
        ("rights", "audiences", audiences, "audience"),
    ):
        for i, item in _items(data, section):
            problems += _undeclared((section, i, field), _names(item.get(field)), declared, what)
    for section, field, declared, what in (
        ("recipients", "purpose", purposes, "purpose"),
        ("cookies", "purpose", purposes, "purpose"),
        ("signup_fields", "category", categories, "category"),
    ):
        for i, item in _items(data, section):
            problems += _undeclared_one((section, i, field), item.get(field), declared, what)
    problems += _log_problems(data.get("logs"), categories, purposes)
    problems += _signup_keys(data)
    problems += _unused_categories(data)
    return problems


def _duplicates(data: Mapping[str, Any], section: str, field: str) -> list[Problem]:
    keys = _ids(data, section, field)
    counts, seen = Counter(keys), set[str]()
    found: list[Problem] = []
    for (i, _), key in zip(_items(data, section), keys, strict=True):
        if counts[key] > 1 and key in seen:
            found.append(((section, i, field), f"duplicate {field} {key!r}"))
        seen.add(key)
    return found


def _undeclared(loc: Loc, names: Iterable[str], declared: set[str], what: str) -> list[Problem]:
    return [((*loc, j), f"{what} {name!r} is not declared")
            for j, name in enumerate(names) if name not in declared]


def _undeclared_one(loc: Loc, name: Any, declared: set[str], what: str) -> list[Problem]:
    if isinstance(name, str) and name not in declared:
        return [(loc, f"{what} {name!r} is not declared")]
    return []


def _log_problems(logs: Any, categories: set[str], purposes: set[str]) -> list[Problem]:
    if not isinstance(logs, Mapping):
        return []
    return [
        *_undeclared(("logs", "categories"), _names(logs.get("categories")), categories,
                     "category"),
        *_undeclared_one(("logs", "purpose"), logs.get("purpose"), purposes, "purpose"),
    ]


def _signup_keys(data: Mapping[str, Any]) -> list[Problem]:
    known = ", ".join(sorted(SIGNUP_FIELD_KEYS))
    return [
        (("signup_fields", i, "key"), f"the signup form has no field {item.get('key')!r}; "
                                      f"known: {known}")
        for i, item in _items(data, "signup_fields")
        if isinstance(item.get("key"), str) and item.get("key") not in SIGNUP_FIELD_KEYS
    ]


def _unused_categories(data: Mapping[str, Any]) -> list[Problem]:
    """PU1: a category no purpose uses cannot lawfully be processed; storage limitation:
    a category no retention rule (or the log rule) covers would never be deleted."""
    used = {c for _, p in _items(data, "purposes") for c in _names(p.get("categories"))}
    kept = {c for _, r in _items(data, "retention") for c in _names(r.get("categories"))}
    logs = data.get("logs")
    if isinstance(logs, Mapping):
        kept.update(_names(logs.get("categories")))
    problems: list[Problem] = []
    for i, category in _items(data, "categories"):
        name = category.get("id")
        if name not in used:
            problems.append((("categories", i, "id"), f"category {name!r} is used by no purpose"))
        if name not in kept:
            problems.append((("categories", i, "id"), f"category {name!r} has no retention rule"))
    return problems
