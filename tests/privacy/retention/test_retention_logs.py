"""AC5: request and application logs carry what the policy lists, IPs truncated where logs are
not linked to a person (officexlr), no personal values, and files kept only for the policy's
log retention."""

from __future__ import annotations

import logging
import os
import time

import pytest

from officium.privacy import logs


def test_AC5_ip_truncation_rules():
    assert logs.truncate_ip("203.0.113.77") == "203.0.113.0"
    assert logs.truncate_ip("2001:db8:abcd:12:1:2:3:4") == "2001:db8:abcd::"
    assert logs.truncate_ip("::ffff:198.51.100.9") == "198.51.100.0"
    assert logs.truncate_ip("not an ip") == "not an ip"


@pytest.mark.parametrize(("name", "truncated"), [("officexlr", True), ("officeportal", False),
                                                 ("officetools", False), ("workoptima", False)])
def test_AC5_request_log_per_profile(use_policy, client, caplog, name, truncated, db):
    use_policy(name)
    with caplog.at_level(logging.INFO, logger="officium.requests"):
        client.get("/accounts/login/?email=bob@alpha.example&next=/x", REMOTE_ADDR="203.0.113.77",
                   HTTP_USER_AGENT="TestAgent/1.0", HTTP_REFERER="https://ref.example/p?q=secret")
    line = next(r.getMessage() for r in caplog.records if r.name == "officium.requests")
    records = set(logs._logs_policy().records)
    assert ('ip="203.0.113.0"' in line) == truncated
    assert ('ip="203.0.113.77"' in line) == (not truncated and "ip_address" in records)
    assert "bob@alpha.example" not in line and "secret" not in line and "email=" not in line
    assert ('path="/accounts/login/"' in line) == ("page" in records)
    assert ("TestAgent" in line) == bool(records & {"user_agent", "device", "operating_system"})
    assert ('referrer="https://ref.example/p"' in line) == ("referrer" in records)


@pytest.mark.parametrize(("name", "truncated"), [("officexlr", True), ("workoptima", False)])
def test_AC5_application_logs_hold_no_personal_values(use_policy, name, truncated):
    use_policy(name)
    record = logging.LogRecord("x", logging.INFO, __file__, 1,
                               "login failed for %s from %s, phone %s, card 4111 1111 1111 1111",
                               ("eve@example.org", "198.51.100.23", "+49 30 1234567"), None)
    logs.PrivacyFilter().filter(record)
    text = record.getMessage()
    assert "eve@example.org" not in text and "1234567" not in text and "4111 1111" not in text
    assert ("198.51.100.0" in text) == truncated
    assert ("198.51.100.23" in text) == (not truncated)


def test_AC5_log_files_are_deleted_after_the_policy_retention(use_policy, settings, tmp_path, db):
    use_policy("officexlr")  # 90 days
    settings.LOG_DIR = str(tmp_path)
    old, fresh = tmp_path / "officium.log.2020-01-01", tmp_path / "officium.log"
    old.write_text("x")
    fresh.write_text("y")
    ninety_one_days_ago = time.time() - 91 * 86400
    os.utime(old, (ninety_one_days_ago, ninety_one_days_ago))
    assert logs.sweep_log_files() == 1
    assert not old.exists() and fresh.exists()


def test_AC5_file_handler_writes_to_the_log_dir(settings, tmp_path):
    settings.LOG_DIR = str(tmp_path)
    handler = logs.PolicyFileHandler("app")
    handler.addFilter(logs.PrivacyFilter())
    logger = logging.getLogger("officium.test.ac5")
    logger.addHandler(handler)
    try:
        logger.warning("user eve@example.org did something")
    finally:
        logger.removeHandler(handler)
        handler.close()
    assert "[email]" in (tmp_path / "app.log").read_text()
