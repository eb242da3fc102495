"""SE2: a card number never reaches the logs, whatever it is glued to. The scrubber masks every
Luhn-valid run of 13-19 digits (spaces or dashes between digits allowed), surrounded by letters,
underscores, punctuation or other digits. Inside a longer run of digits any Luhn-valid 13-19 digit
stretch counts, so masking errs on the side of too much."""

from __future__ import annotations

import logging

import pytest

from officium.privacy import logs

VISA = "4242424242424242"
AMEX = "378282246310005"  # 15 digits
DINERS_13 = "4222222222222"  # 13 digits


def scrubbed(message: str) -> str:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, message, None, None)
    logs.PrivacyFilter().filter(record)
    return record.getMessage()


@pytest.mark.parametrize("message", [
    f"card{VISA}", f"{VISA}card", f"x_{VISA}_y", f"pan={VISA};", f"tok_{AMEX}",
    f"ref{DINERS_13}end", "4242 4242 4242 4242", "4242-4242-4242-4242", "card:4242-4242 4242-4242.",
    f"9{VISA}", f"{VISA}07", f"12 {VISA} 34", "4111111111111111111",  # 19 digits
    f"order#{VISA[:8]}-{VISA[8:]}x",
])
def test_SE2_luhn_valid_digit_runs_are_masked_whatever_surrounds_them(use_policy, message):
    use_policy("officexlr")
    text = scrubbed(message)
    assert "[card]" in text
    digits = "".join(c for c in text if c.isdigit())
    assert VISA not in digits and AMEX not in digits and "4242424242" not in digits


@pytest.mark.parametrize("message", [
    "order 4222222222223 shipped",  # 13 digits that fail the Luhn check
    "took 1234 ms at 2024-05-01 12:00:00, status 200",
    "batch_123456789012 done",  # 12 digits: too short for a card
])
def test_SE2_other_numbers_are_left_alone(use_policy, message):
    use_policy("officexlr")
    assert "[card]" not in scrubbed(message)


def test_SE2_a_very_long_digit_run_is_masked_whole(use_policy):
    use_policy("officexlr")
    assert scrubbed("x" + "1" * 5000 + "y") == "x[card]y"
