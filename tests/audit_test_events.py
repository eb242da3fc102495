"""The event names tests write straight to the chain, declared like any app's (undeclared
names are refused). Imported by tests/conftest.py."""

from officium.privacy.audit.events import declare

for _name in ("a", "b", "c", "d", "e", "f", "g", "h", "after", "before", "concurrent",
              "concurrent_pair", "event", "first", "rolled_back", "second", "third", "undone"):
    declare(f"test.{_name}", "A test entry")
