"""Settings from the environment: secrets never defaulted in production, generated once (0600)
in development, DATABASE_URL parsed, and `check --deploy` clean in production mode."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from officium.env import MissingSecret, database_config, envbool, secret


def run_python(code: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("OFFICIUM_", "SECRET_KEY", "DATABASE_URL", "EMAIL_", "DJANGO_"))}
    return subprocess.run([sys.executable, "-c", code], env={**clean, **env}, cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = run_python("import officium.settings", {"OFFICIUM_ENV": "production"}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert not (tmp_path / "var" / "secret_key.secret").exists()


def test_production_refuses_to_start_without_master_key(tmp_path):
    result = run_python("import officium.settings",
                        {"OFFICIUM_ENV": "production", "SECRET_KEY": "x" * 60}, tmp_path)
    assert result.returncode != 0 and "OFFICIUM_MASTER_KEY is not set" in result.stderr


def test_development_generates_secrets_once_with_mode_0600(tmp_path):
    first = secret("SECRET_KEY", production=False, var_dir=tmp_path)
    second = secret("SECRET_KEY", production=False, var_dir=tmp_path)
    path = tmp_path / "secret_key.secret"
    assert first == second and len(first) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_secret_from_file(tmp_path, monkeypatch):
    (tmp_path / "key").write_text("from-a-file\n")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "key"))
    assert secret("SECRET_KEY", production=True, var_dir=tmp_path) == "from-a-file"
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(MissingSecret, match="SECRET_KEY_FILE"):
        secret("SECRET_KEY", production=True, var_dir=tmp_path)


def test_database_url_parsing(tmp_path):
    sqlite = database_config("", var_dir=tmp_path)
    assert sqlite["NAME"] == str(tmp_path / "officium.sqlite3")
    assert "journal_mode=WAL" in sqlite["OPTIONS"]["init_command"]
    pg = database_config("postgresql://off:s%40cret@db.example:6543/officium?sslmode=require", var_dir=tmp_path)
    assert (pg["ENGINE"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"], pg["NAME"]) == (
        "officium.shard.postgresql", "off", "s@cret", "db.example", "6543", "officium")
    assert pg["OPTIONS"] == {"sslmode": "require"}
    with pytest.raises(ValueError, match="unsupported scheme"):
        database_config("mysql://x/y", var_dir=tmp_path)


def test_envbool_rejects_nonsense(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ValueError, match="X_FLAG"):
        envbool("X_FLAG")


def test_check_deploy_is_clean_in_production(tmp_path):
    env = {"OFFICIUM_ENV": "production", "SECRET_KEY": "k" * 64 + "!@#$%^&*()",
           "OFFICIUM_MASTER_KEY": "q2V0dGVyLWtleS1mb3ItdGVzdHMtb25seS0zMmJ5dGU=",
           "EMAIL_HOST": "127.0.0.1", "ALLOWED_HOSTS": "officium.example",
           "DJANGO_SETTINGS_MODULE": "officium.settings", "OFFICIUM_VAR_DIR": str(tmp_path)}
    code = ("import sys; from django.core.management import execute_from_command_line; "
            "execute_from_command_line(['x', 'check', '--deploy', '--fail-level', 'WARNING'])")
    result = run_python(code, env, tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout
