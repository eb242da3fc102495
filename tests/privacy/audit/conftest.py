"""The event names the chain tests write, declared like any app's (undeclared names are refused)."""

from officium.privacy.audit.events import declare

for _name in ("a", "b", "c", "d", "e", "f", "g", "h", "after", "before", "concurrent",
              "concurrent_pair", "event", "first", "rolled_back", "second"):
    declare(f"test.{_name}", "A test entry")
