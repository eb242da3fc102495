"""One-click unsubscribe tokens (RFC 8058, CO4): signed, salted, expiring; no login needed.

The token names the ledger subject, the marketing purpose and the channel; it carries no
email address. Forged or altered tokens fail the signature; old ones fail the age check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing

SALT = "officium.comms.unsubscribe"
MAX_AGE = timedelta(days=365)


class InvalidToken(ValueError):
    """The link was altered or never issued here."""


class ExpiredToken(InvalidToken):
    """The link is older than MAX_AGE."""


@dataclass(frozen=True)
class Unsubscribe:
    subject: str  # ledger subject key: "user:<id>" or "visitor:<id>"
    purpose: str
    channel: str = "email"


def make_token(item: Unsubscribe) -> str:
    return signing.dumps({"s": item.subject, "p": item.purpose, "c": item.channel}, salt=SALT)


def read_token(token: str) -> Unsubscribe:
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired as error:
        raise ExpiredToken("This unsubscribe link has expired.") from error
    except signing.BadSignature as error:
        raise InvalidToken("This unsubscribe link is not valid.") from error
    try:
        return Unsubscribe(subject=str(data["s"]), purpose=str(data["p"]), channel=str(data["c"]))
    except (KeyError, TypeError) as error:
        raise InvalidToken("This unsubscribe link is not valid.") from error


def unsubscribe_url(token: str) -> str:
    return f"{settings.SITE_URL}/comms/unsubscribe/{token}/"


def headers_for(token: str) -> dict[str, str]:
    """RFC 2369 List-Unsubscribe plus RFC 8058's one-click POST marker."""
    targets = [f"<{unsubscribe_url(token)}>"]
    mailbox = getattr(settings, "OFFICIUM_UNSUBSCRIBE_MAILTO", "")
    if mailbox:
        targets.append(f"<mailto:{mailbox}?subject=unsubscribe>")
    return {"List-Unsubscribe": ", ".join(targets),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
