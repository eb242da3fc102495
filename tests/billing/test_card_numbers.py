"""SE2: after a payment, no Luhn-valid run of 13-19 digits is anywhere Officium writes: the
database, the logs, the outbox, a person's export."""

from __future__ import annotations

import logging
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from tests.billing.conftest import PAYS, card_form, tokenize

from officium.billing.models import Invoice
from officium.billing.payments import contains_card_number
from officium.billing.providers.standin import luhn_valid
from officium.mail.models import OutboxEmail
from officium.privacy.rights import records

# A run of 13-19 digits standing alone, or grouped by spaces or dashes as cards are printed
# (4-4-4-4, 4-6-5), not a piece of a longer token (hashes, keys).
RUN = re.compile(r"(?<![0-9A-Za-z_])(?:\d{13,19}|\d{4}(?:[ -]\d{4}){2,3}(?:[ -]?\d{1,3})?|\d{4}[ -]\d{6}[ -]\d{5})(?![0-9A-Za-z_])")


def luhn_runs(text: str) -> list[str]:
    found = []
    for match in RUN.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if luhn_valid(digits):
            found.append(digits)
    return found


def raw_database() -> str:
    """Every row of every table, as the database holds it (sealed columns as stored)."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            parts += [" ".join(str(v) for v in row) for row in cursor.fetchall()]
    return "\n".join(parts)


def test_SE2_the_scanner_finds_what_it_looks_for():
    assert luhn_runs(f"card {PAYS[:4]} {PAYS[4:8]} {PAYS[8:12]} {PAYS[12:]}") == [PAYS]
    assert luhn_runs("order 1234567890123") == [] or not luhn_valid("1234567890123")
    assert contains_card_number("4000-0000-0000-0002") and not contains_card_number("10115 Berlin")


@pytest.mark.django_db
def test_SE2_no_card_number_in_database_logs_outbox_or_export_after_a_payment(standin, alice_org, alice, caplog):
    caplog.set_level(logging.DEBUG)
    page = Client()
    page.force_login(alice)
    token = tokenize(standin, PAYS)
    response = page.post("/o/alpha/billing/plan/standard/", card_form(token, save_card="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Invoice.objects.get().status == "paid"
    database = raw_database()
    assert "4242" in database  # the last four are kept ...
    assert luhn_runs(database) == []  # ... never the number
    assert luhn_runs(caplog.text) == []
    outbox = " ".join(f"{m.subject} {m.body}" for m in OutboxEmail.objects.all())
    assert outbox and luhn_runs(outbox) == []
    subject = records.Subject(user_id=alice.pk)
    exported = " ".join(str(row) for kind in records.record_types() for row in records.rows(kind, subject))
    assert "Alice Anders" in exported and luhn_runs(exported) == []


def test_SE2_a_provider_token_whose_digits_pass_the_luhn_check_is_no_card_number(standin, alice_org):
    """The stand-in (like the real provider) issues random ids; one with a Luhn-valid run of
    digits was refused as a card number, one payment in a few hundred."""
    from officium.billing.payments import clean_card_form

    token = "pm_d98d54197141196146b29fb0"
    assert contains_card_number(token)  # the run 54197141196146 passes the Luhn check
    cleaned = clean_card_form(card_form(token))
    assert cleaned["payment_method"] == token
    with pytest.raises(ValidationError) as refused:  # a card number alone is still refused, by name
        clean_card_form(card_form("4242 4242 4242 4242"))
    assert "card number" in refused.value.message_dict["payment_method"][0]
