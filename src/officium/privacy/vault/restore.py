"""`officium restore PATH` (see ``backup.py``)."""

from officium.privacy.vault.backup import restore_main as main

__all__ = ["main"]
