"""AC5: logs record what the policy lists, truncate IPs where logs are not linked to a person,
carry no personal values, and are deleted after the policy's log retention.

- :class:`RequestLogMiddleware` writes one line per request to the ``officium.requests``
  logger with only the fields the policy's ``logs.records`` lists (IP address, user agent,
  time, page without its query string, referrer without its query string).
- :class:`PrivacyFilter` (on every handler) truncates IPv4 addresses to /24 and IPv6 to /48
  (the last octet / last 80 bits zeroed) when ``logs.linked_to_person`` is false, and masks
  email addresses, phone numbers and card-like digit runs in any message.
- :class:`PolicyFileHandler` writes ``VAR_DIR/logs/<name>.log`` rotated daily;
  :func:`sweep_log_files` (a periodic job) deletes files older than ``logs.retention_days``.
"""

from __future__ import annotations

import ipaddress
import logging
import logging.handlers
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

request_logger = logging.getLogger("officium.requests")

_IPV4 = re.compile(r"(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\d.])")
_IPV6 = re.compile(r"(?<![0-9A-Fa-f:])(?=[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:)[0-9A-Fa-f:]{2,39}(?![0-9A-Fa-f:])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w.])\+?\d[\d ()\-]{7,}\d(?![\w.])")
# A run of digits, single spaces or dashes allowed between them ("4242 4242-4242 4242"), with no
# boundary required on either side: a card number glued to letters, underscores or other digits
# is still a card number.
_DIGIT_RUN = re.compile(r"\d(?:[ -]?\d)*")
CARD_DIGITS = range(13, 20)
_LONGEST_CHECKED_RUN = 256  # longer digit runs are masked whole, unchecked
DEFAULT_RETENTION_DAYS = 90


def _logs_policy() -> Any:
    from officium.privacy.policy.loader import active_policy

    return active_policy().logs


def truncate_ip(address: str) -> str:
    """Zero the last octet of an IPv4 address and the last 80 bits of an IPv6 address."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


def _truncate_match(match: re.Match[str]) -> str:
    return truncate_ip(match.group(0))


def scrub(text: str, *, truncate: bool) -> str:
    """Mask personal values in a log message; truncate IPs when the policy says so."""
    text = _EMAIL.sub("[email]", text)
    text = _DIGIT_RUN.sub(_mask_card, text)
    if truncate:
        text = _IPV4.sub(_truncate_match, text)
        text = _IPV6.sub(_truncate_match, text)
    return _PHONE.sub(lambda m: m.group(0) if _looks_like_ip_or_time(m.group(0)) else "[number]", text)


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def holds_card_number(digits: str) -> bool:
    """Whether any 13-19 digit stretch of ``digits`` passes the Luhn check (a possible card)."""
    if len(digits) > _LONGEST_CHECKED_RUN:
        return True
    return any(luhn_valid(digits[start:start + size])
               for size in CARD_DIGITS for start in range(len(digits) - size + 1))


def _mask_card(match: re.Match[str]) -> str:
    run = match.group(0)
    digits = run.replace(" ", "").replace("-", "")
    if len(digits) < CARD_DIGITS.start or not holds_card_number(digits):
        return run
    return "[card]"


def _looks_like_ip_or_time(value: str) -> bool:
    return "." in value or ":" in value or bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", value))


def truncating() -> bool:
    logs = _logs_policy()
    return bool(logs is not None and logs.truncate_ip)


class PrivacyFilter(logging.Filter):
    """Rewrite each record's message: no personal values, IPs truncated per policy."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001  (a broken format string must not break logging)
            message = str(record.msg)
        record.msg = scrub(message, truncate=truncating())
        record.args = None
        return True


def _without_query(url: str) -> str:
    return url.split("?", 1)[0].split("#", 1)[0]


def request_fields(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    """What the policy lists, and nothing else (status and duration are not personal)."""
    logs = _logs_policy()
    records = set(logs.records) if logs is not None else {"timestamp", "page"}
    fields: dict[str, Any] = {}
    if "timestamp" in records:
        fields["time"] = timezone.now().isoformat(timespec="seconds")
    if "ip_address" in records:
        ip = request.META.get("REMOTE_ADDR", "")
        fields["ip"] = truncate_ip(ip) if logs is not None and logs.truncate_ip else ip
    if "page" in records:
        fields["path"] = request.path
    if records & {"user_agent", "device", "operating_system"}:
        fields["agent"] = request.META.get("HTTP_USER_AGENT", "")[:300]
    if "referrer" in records:
        fields["referrer"] = _without_query(request.META.get("HTTP_REFERER", ""))
    fields["method"] = request.method
    fields["status"] = response.status_code
    return fields


class RequestLogMiddleware:
    """One access-log line per request with the fields the policy lists (AC5)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        response = self.get_response(request)
        fields = request_fields(request, response)
        fields["ms"] = round((time.monotonic() - started) * 1000)
        request_logger.info(" ".join(f'{k}="{_quote(v)}"' for k, v in fields.items()))
        return response


def _quote(value: Any) -> str:
    return str(value).replace("\\", "\\\\").replace('"', '\\"')


def log_dir() -> Path:
    return Path(getattr(settings, "LOG_DIR", "") or Path(settings.VAR_DIR) / "logs")


class PolicyFileHandler(logging.handlers.TimedRotatingFileHandler):
    """Daily files in ``VAR_DIR/logs``; the retention job deletes the old ones."""

    def __init__(self, name: str = "officium", **kwargs: Any) -> None:
        directory = log_dir()
        directory.mkdir(parents=True, exist_ok=True, mode=0o750)
        kwargs.setdefault("when", "midnight")
        kwargs.setdefault("utc", True)
        kwargs.setdefault("encoding", "utf-8")
        kwargs.setdefault("delay", True)
        super().__init__(str(directory / f"{name}.log"), **kwargs)


def retention_days() -> int:
    logs = _logs_policy()
    return int(logs.retention_days) if logs is not None else DEFAULT_RETENTION_DAYS


def sweep_log_files(now: float | None = None) -> int:
    """Delete log files last written more than the policy's retention ago; returns how many."""
    directory = log_dir()
    if not directory.is_dir():
        return 0
    limit = (now or time.time()) - retention_days() * 86400
    removed = 0
    for path in directory.iterdir():
        if path.is_file() and ".log" in path.name and path.stat().st_mtime < limit:
            path.unlink()
            removed += 1
    if removed:
        from officium.privacy import audit

        audit.record("retention.logs_deleted", details={"files": removed, "days": retention_days()})
    return removed
