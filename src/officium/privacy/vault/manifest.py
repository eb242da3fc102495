"""What a backup needs from the key store, written beside it, checked before a restore.

A restore is only safe with today's ledgers and a master key that opens the backup's keys
(see ``restore.py``). ``officium backup`` writes ``<backup>.manifest.json`` next to the
backup: the backup's SHA-256, the master-key ids its key rows are wrapped under, and the
size and SHA-256 of the shred ledger and the erasure ledger at that moment. No key, no
personal value: ids, sizes and hashes. ``officium restore`` then finds:

- a ledger that is missing, shorter than the backup saw, or does not begin with what the
  backup saw (an older copy, another installation's, or an edited one): people erased after
  this backup could come back;
- a master key that does not hold every key id the backup's rows need: what those keys seal
  can never be read again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from django.utils import timezone

from officium.privacy.vault import erasures, keys, ledger

FORMAT: Final = 1
LEDGER: Final = "ledger"
MASTER_KEY: Final = "master_key"


@dataclass(frozen=True)
class Problem:
    """Why a restore is refused: ``kind`` names the flag that accepts it."""

    kind: str
    message: str


def path_for(backup: Path) -> Path:
    return backup.with_name(f"{backup.name}.manifest.json")


def ledgers() -> dict[str, Path]:
    return {"shred_ledger": ledger.path(), "erasure_ledger": erasures.path()}


def _digest(target: Path, size: int | None = None) -> str:
    """SHA-256 of a file, or of its first ``size`` bytes."""
    digest = hashlib.sha256()
    remaining = size
    with target.open("rb") as handle:
        while remaining is None or remaining > 0:
            chunk = handle.read(1 << 20 if remaining is None else min(1 << 20, remaining))
            if not chunk:
                break
            digest.update(chunk)
            if remaining is not None:
                remaining -= len(chunk)
    return digest.hexdigest()


def kms_key_ids() -> list[str]:
    """Every master-key id the configured database's key rows are wrapped under."""
    from officium.privacy.vault.models import OrganizationKey, ServiceKey, SubjectKey

    found: set[str] = set()
    for model in (SubjectKey, OrganizationKey, ServiceKey):
        found.update(model.objects.values_list("kms_key_id", flat=True).distinct())
    return sorted(found)


def write(backup: Path, key_ids: list[str]) -> Path:
    """Record the key store's state for ``backup`` (call right after writing it). Ledgers that
    do not exist yet are created empty, so that a missing one later means a lost one."""
    state: dict[str, Any] = {
        "officium_backup_manifest": FORMAT, "created_at": timezone.now().isoformat(),
        "backup": {"name": backup.name, "size": backup.stat().st_size, "sha256": _digest(backup)},
        "kms_key_ids": key_ids}
    for name, target in ledgers().items():
        ledger.ensure(target)
        state[name] = {"size": target.stat().st_size, "sha256": _digest(target)}
    target = path_for(backup)
    target.write_text(json.dumps(state, indent=1) + "\n", "ascii")
    target.chmod(0o600)
    return target


def check(backup: Path) -> list[Problem]:
    """What makes restoring ``backup`` with today's ledgers and master key unsafe."""
    target = path_for(backup)
    if not target.is_file():
        reason = f"no manifest beside the backup ({target.name}), so"
        return [Problem(LEDGER, f"{reason} the ledgers cannot be checked against it"),
                Problem(MASTER_KEY, f"{reason} the master key cannot be checked against it")]
    state = json.loads(target.read_text("ascii"))
    recorded = state.get("backup", {})
    if recorded.get("size") != backup.stat().st_size or recorded.get("sha256") != _digest(backup):
        return [Problem(LEDGER, f"{target.name} describes another backup than {backup.name}"),
                Problem(MASTER_KEY, f"{target.name} describes another backup than {backup.name}")]
    problems = [p for name, current in ledgers().items() if (p := _ledger_problem(name, current, state))]
    problems += _master_key_problems(list(state.get("kms_key_ids", [])))
    return problems


def _ledger_problem(name: str, current: Path, state: dict[str, Any]) -> Problem | None:
    label = name.replace("_", " ")
    seen = state.get(name)
    if not current.is_file():
        return Problem(LEDGER, f"the {label} is missing ({current})")
    if not isinstance(seen, dict):
        return Problem(LEDGER, f"the manifest does not record the {label}")
    size = int(seen.get("size", 0))
    if current.stat().st_size < size:
        return Problem(LEDGER, f"the {label} ({current}) is shorter than when the backup was taken: "
                               "an older copy")
    if _digest(current, size) != seen.get("sha256"):
        return Problem(LEDGER, f"the {label} ({current}) does not begin with the one the backup saw: "
                               "another installation's, or edited")
    return None


def _master_key_problems(needed: list[str]) -> list[Problem]:
    try:
        service = keys.kms()
    except Exception as error:  # noqa: BLE001  (a missing or malformed key: say so, refuse)
        return [Problem(MASTER_KEY, f"the master key cannot be loaded ({type(error).__name__})")]
    held = set(getattr(service, "key_ids", (service.key_id,)))
    missing = sorted(set(needed) - held)
    if missing:
        return [Problem(MASTER_KEY, "the master key does not match the backup: its keys are wrapped "
                                    f"under {', '.join(missing)}, and this installation holds "
                                    f"{', '.join(sorted(held))}")]
    return []
