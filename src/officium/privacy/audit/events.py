"""The declared audit events: every entry's event name is declared once, with plain words.

Each app lists the events it records in its own ``audit_events.py`` (found at start-up by
``autodiscover``, as Django's admin finds ``admin.py``). ``audit.record`` refuses a name that
no app declared, so a typo or a name built at run time fails loudly instead of writing an entry
that no filter, page or report will ever find. The labels are what people read on the audit
pages; the names are the stable codes stored in the chain and never change once used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules

NAME = re.compile(r"^[a-z]+\.[a-z0-9_]+$")


class UndeclaredAuditEvent(LookupError):
    """An entry was about to be written under a name no app declared."""


@dataclass(frozen=True)
class AuditEvent:
    name: str  # stable code stored in the chain: "<area>.<what_happened>"
    label: str  # plain words for people: "Checked in"

    @property
    def area(self) -> str:
        return self.name.split(".", 1)[0]

    def __str__(self) -> str:
        return self.name


_declared: dict[str, AuditEvent] = {}


def declare(name: str, label: str) -> AuditEvent:
    """Declare one event; declaring the same name twice with other words is a mistake."""
    if not NAME.match(name):
        raise ValueError(f"audit event names look like 'area.what_happened', not {name!r}")
    event = AuditEvent(name, label)
    known = _declared.setdefault(name, event)
    if known != event:
        raise ValueError(f"audit event {name!r} is declared twice with different labels")
    return known


def lookup(name: str | AuditEvent) -> AuditEvent:
    if isinstance(name, AuditEvent):
        return name
    try:
        return _declared[name]
    except KeyError:
        raise UndeclaredAuditEvent(
            f"audit event {name!r} is not declared: add it to the app's audit_events.py") from None


def declared() -> list[AuditEvent]:
    """Every declared event, by name (what the audit pages offer as filters)."""
    return sorted(_declared.values(), key=lambda e: e.name)


def label(name: str) -> str:
    """Plain words for a stored name; a name from an older release reads as itself."""
    event = _declared.get(name)
    return event.label if event else name


def autodiscover() -> None:
    autodiscover_modules("audit_events")
