"""Issue 13: the import layers are a contract (pyproject.toml ``[tool.importlinter]``) that
fails when broken, and settings come from the environment in settings.py / env.py only."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(src: Path) -> subprocess.CompletedProcess[str]:
    """Run the project's contract on the package under ``src`` (a copy, or the real one)."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(ROOT / "pyproject.toml")],
        cwd=src, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(src)},
        capture_output=True, text=True, timeout=120, check=False)


def _copy_with(tmp_path: Path, module: str, line: str) -> Path:
    """A copy of the package in which ``module`` (a path under officium/) gains ``line``."""
    copy = tmp_path / "src"
    shutil.copytree(SRC / "officium", copy / "officium",
                    ignore=shutil.ignore_patterns("static", "templates", "__pycache__", "*.pyc"))
    target = copy / "officium" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    return copy


def test_the_source_keeps_the_import_contracts() -> None:
    result = _lint(SRC)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(("module", "line", "named"), [
    # the engine importing an app
    ("privacy/access.py", "import officium.attendance.models  # noqa",
     "officium.privacy.access -> officium.attendance.models"),
    # the engine importing accounts outside the named exceptions
    ("privacy/rights/decisions.py", "import officium.accounts.views  # noqa",
     "officium.privacy.rights.decisions -> officium.accounts.views"),
    # the outbox importing the engine
    ("mail/outbox.py", "import officium.privacy.audit  # noqa",
     "officium.mail.outbox -> officium.privacy.audit"),
])
def test_breaking_the_layers_fails_the_contract(tmp_path: Path, module: str, line: str,
                                                named: str) -> None:
    result = _lint(_copy_with(tmp_path, module, line))
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert named in re.sub(r"\s+", " ", result.stdout)


@pytest.mark.parametrize(("module", "line"), [
    ("privacy/policy_runtime.py", "import officium.privacy.access  # noqa"),
    ("privacy/rights/answers.py", "import officium.privacy.rights.execution  # noqa"),
])
def test_the_named_cycles_cannot_come_back(tmp_path: Path, module: str, line: str) -> None:
    result = _lint(_copy_with(tmp_path, module, line))
    assert result.returncode != 0
    assert "Contracts: 2 kept, 1 broken." in result.stdout


# Modules that may touch os.environ without reading a setting, and why.
ENVIRONMENT_READERS = {
    "settings.py": "the one settings module",
    "env.py": "the typed readers settings.py uses",
    "settings_test.py": "sets OFFICIUM_ENV=test before importing settings",
    "cli.py": "the launcher: picks the settings module, gunicorn's bind/workers before Django starts",
    "wsgi.py": "sets DJANGO_SETTINGS_MODULE",
    "asgi.py": "sets DJANGO_SETTINGS_MODULE",
    "privacy/vault/backup.py": "passes the environment on to pg_dump/psql children",
    "ops/metrics.py": "PROMETHEUS_MULTIPROC_DIR is prometheus_client's own switch, set by officium serve",
}
READS = re.compile(r"os\.environ|os\.getenv|\benv(?:int|bool|str|list)\(")


def test_settings_are_read_from_the_environment_in_settings_only() -> None:
    package = SRC / "officium"
    readers = sorted(str(path.relative_to(package)) for path in package.rglob("*.py")
                     if READS.search(path.read_text(encoding="utf-8")))
    assert [r for r in readers if r not in ENVIRONMENT_READERS] == []


def test_the_policy_setting_is_the_one_source(settings, use_policy) -> None:  # type: ignore[no-untyped-def]
    from officium.privacy.policy.loader import active_policy

    use_policy("workoptima")
    assert active_policy().profile == "workoptima"
    settings.OFFICIUM_POLICY = "officetrack"
    assert active_policy().profile == "officetrack"
