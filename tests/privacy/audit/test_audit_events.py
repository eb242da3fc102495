"""Audit events are declared: an undeclared name is refused, and every name in the code is known."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from officium.privacy import audit
from officium.privacy.audit.events import UndeclaredAuditEvent, declare, declared, label, lookup
from officium.privacy.audit.models import AuditEntry

SRC = Path(__file__).resolve().parents[3] / "src" / "officium"


@pytest.mark.django_db
def test_undeclared_event_is_refused_and_writes_nothing() -> None:
    before = AuditEntry.objects.count()
    with pytest.raises(UndeclaredAuditEvent, match="attendance.check_sideways"):
        audit.record("attendance.check_sideways", details={})
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_declared_event_is_recorded_under_its_name() -> None:
    from officium.attendance.audit_events import SITE_CREATED

    seq = audit.record(SITE_CREATED, details={"site": 1})
    assert AuditEntry.objects.get(seq=seq).event == "attendance.site_created"
    assert label("attendance.site_created") == "Created a site"


def test_event_names_have_one_shape_and_one_label() -> None:
    with pytest.raises(ValueError, match="area.what_happened"):
        declare("Attendance check in", "x")
    with pytest.raises(ValueError, match="declared twice"):
        declare("attendance.site_created", "Something else")
    names = [e.name for e in declared()]
    assert len(names) == len(set(names))
    assert all(e.label and e.label[0].isupper() for e in declared())
    assert label("legacy.unknown_name") == "legacy.unknown_name"  # old entries still read


def _literal_event_names() -> list[tuple[str, str]]:
    """Every string literal the code passes as an event name, with where it is."""
    found: list[tuple[str, str]] = []
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            candidates: list[ast.expr] = []
            if name == "record" and node.args and "audit" in ast.unparse(func):
                candidates.append(node.args[0])
            if name == "Draft":
                candidates += [kw.value for kw in node.keywords if kw.arg == "event"]
            for expr in candidates:
                for sub in ast.walk(expr):
                    if isinstance(sub, ast.JoinedStr):
                        found.append((f"{path.name}:{node.lineno}", "<f-string>"))
                    elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                        found.append((f"{path.name}:{node.lineno}", sub.value))
    return found


def test_every_event_name_in_the_code_is_declared() -> None:
    names = _literal_event_names()
    assert len(names) > 40  # the scan sees the code's calls
    undeclared = []
    for where, name in names:
        try:
            lookup(name)
        except UndeclaredAuditEvent:
            undeclared.append(f"{where} {name}")
    assert not undeclared, "declare these in the app's audit_events.py: " + ", ".join(undeclared)


def test_rights_steps_are_declared() -> None:
    from officium.privacy.rights import history

    source = Path(history.__file__).parent
    kinds = set()
    for path in source.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "step"
                    and len(node.args) > 1 and isinstance(node.args[1], ast.Constant)):
                kinds.add(node.args[1].value)
    assert kinds and all(lookup(f"rights.{kind}") for kind in kinds)
