"""Read a policy file and say precisely where it is wrong.

An operator edits YAML, not Python, so every problem is reported as ``FILE:LINE: path:
message``: pydantic's error locations are mapped onto the composed YAML node tree to find
the line the offending value (or its nearest existing parent) was written on.

The policy in force is one profile per deployment: the setting ``OFFICIUM_POLICY`` names a
profile in the project's ``policies/`` directory (``officeportal``, the demo's) or a path to a
file; ``OFFICIUM_POLICY_DIR`` moves the directory for installs that do not run from a checkout.
Both are Django settings (settings.py reads them from the environment); without configured
settings (the policy tools on a named file) the default profile and directory apply.
The parsed policy is cached because every purpose-bound read consults it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from officium.privacy.policy.consistency import cross_problems
from officium.privacy.policy.schema import Policy

LocPart = str | int


@dataclass(frozen=True)
class PolicyProblem:
    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.path}: {self.message}"


class PolicyError(ValueError):
    """A policy file that does not pass the check; carries every problem found."""

    def __init__(self, problems: list[PolicyProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def format_path(loc: tuple[LocPart, ...]) -> str:
    """``("purposes", 2, "legal_basis")`` -> ``purposes[2].legal_basis``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "(document)"


def line_of(root: yaml.Node | None, loc: tuple[LocPart, ...]) -> int:
    """1-based line of the node at ``loc``, or of its deepest ancestor that exists."""
    if root is None:
        return 1
    node = root
    line = node.start_mark.line + 1
    for part in loc:
        child = _child(node, part)
        if child is None:
            break
        node, line = child
    return line


def _child(node: yaml.Node, part: LocPart) -> tuple[yaml.Node, int] | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == part:
                # A scalar value sits on the key's line; a block starts on the key's line too.
                return value, key.start_mark.line + 1
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int):
        if 0 <= part < len(node.value):
            item = node.value[part]
            return item, item.start_mark.line + 1
    return None


def _duplicate_keys(node: yaml.Node | None, loc: tuple[LocPart, ...] = ()) -> list[
    tuple[tuple[LocPart, ...], int, str]
]:
    """YAML silently keeps the last of two equal keys; a policy must not hide a promise so."""
    found: list[tuple[tuple[LocPart, ...], int, str]] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                found.append(((*loc, name), key.start_mark.line + 1, f"duplicate key {name!r}"))
            seen.add(name)
            found.extend(_duplicate_keys(value, (*loc, name)))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found.extend(_duplicate_keys(item, (*loc, index)))
    return found


# The C loader when libyaml is present: policies are read on every start and in every test.
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _compose(text: str) -> tuple[yaml.Node | None, Any]:
    """Parse once: the node tree (for line numbers) and the data built from it."""
    loader = _SafeLoader(text)
    try:
        root = loader.get_single_node()
        return root, (loader.construct_document(root) if root is not None else None)
    finally:
        loader.dispose()


def _parse(path: Path) -> tuple[Policy | None, list[PolicyProblem]]:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return None, [PolicyProblem(name, 1, "(document)", f"cannot read: {exc.strerror}")]
    try:
        root, data = _compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [PolicyProblem(name, line, "(document)", f"not valid YAML: {reason}")]
    problems = [
        PolicyProblem(name, line, format_path(loc), message)
        for loc, line, message in _duplicate_keys(root)
    ]
    if not isinstance(data, dict):
        return None, [*problems, PolicyProblem(name, 1, "(document)", "expected a mapping")]
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        # Cross-section checks did not run on a structurally broken file; run them on the
        # raw data so one pass shows every problem.
        found = [(tuple(e["loc"]), e["msg"]) for e in exc.errors(include_url=False)]
        found += [item for item in cross_problems(data) if item not in found]
        for loc, message in found:
            problems.append(PolicyProblem(name, line_of(root, loc), format_path(loc), message))
        return None, problems
    return (None if problems else policy), problems


def check_policy_file(path: str | Path) -> list[PolicyProblem]:
    """Every problem in the file, in file order; an empty list means it passes."""
    _, problems = _parse(Path(path))
    return sorted(problems, key=lambda p: (p.line, p.path))


def load_policy(path: str | Path) -> Policy:
    """The validated policy; raises PolicyError listing every problem otherwise."""
    policy, problems = _parse(Path(path))
    if policy is None:
        raise PolicyError(sorted(problems, key=lambda p: (p.line, p.path)))
    return policy


DEFAULT_PROFILE = "officeportal"
PROFILES = ("officeportal", "officexlr", "officetrack", "workoptima", "officetools")

# src/officium/privacy/policy/loader.py -> the repository root is four levels up.
_CHECKOUT_POLICIES = Path(__file__).resolve().parents[4] / "policies"


def _setting(name: str) -> str:
    """A Django setting when settings are configured (the policy package stays usable without
    Django: its pure functions take paths)."""
    from django.conf import settings

    return str(getattr(settings, name, "") or "") if settings.configured else ""


def policies_dir() -> Path:
    configured = _setting("OFFICIUM_POLICY_DIR")
    return Path(configured) if configured else _CHECKOUT_POLICIES


def resolve_policy_path(name_or_path: str) -> Path:
    """A profile name maps to ``policies/<name>.yaml``; anything path-like is used as is."""
    candidate = Path(name_or_path)
    looks_like_path = candidate.suffix in {".yaml", ".yml"} or len(candidate.parts) > 1
    if looks_like_path:
        return candidate
    return policies_dir() / f"{name_or_path}.yaml"


def active_policy_path() -> Path:
    return resolve_policy_path(_setting("OFFICIUM_POLICY") or DEFAULT_PROFILE)


def active_policy() -> Policy:
    """The policy in force; raises PolicyError (with lines) when the file is invalid."""
    return _load(active_policy_file())


def active_policy_file() -> str:
    """The active policy's resolved path (resolved once per OFFICIUM_POLICY value and policy
    directory: every request asks, and resolving touches the file system)."""
    return _resolved(_setting("OFFICIUM_POLICY") or DEFAULT_PROFILE, _setting("OFFICIUM_POLICY_DIR"))


@lru_cache(maxsize=8)
def _resolved(name_or_path: str, policy_dir: str = "") -> str:
    return str(resolve_policy_path(name_or_path).resolve())


@lru_cache(maxsize=8)
def _load(path: str) -> Policy:
    return load_policy(path)


def reset_cache() -> None:
    """Forget parsed policies and resolved paths (tests that switch profiles, or after
    publishing a file)."""
    _load.cache_clear()
    _resolved.cache_clear()
