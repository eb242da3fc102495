"""BI2/SE2/BI3 in Chromium: the owner upgrades with a test card through the stand-in's script,
sees the invoice and downloads its PDF; every request the page makes is watched, and the card
number goes to the provider's origin only, never to Officium's."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from tests.billing.conftest import PAYS

from officium.billing.models import Invoice, PaymentMethod

PHONE = {"width": 390, "height": 844}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_SE2_BI2_owner_upgrades_with_a_test_card_and_the_number_never_reaches_officium(
        browser_login, live_server, standin, alice, alice_org):
    context, page = browser_login(alice, viewport=PHONE, is_mobile=True, has_touch=True)
    sent: list[tuple[str, str]] = []
    context.on("request", lambda request: sent.append((request.url, request.post_data or "")))
    page.goto(f"{live_server.url}/o/alpha/billing/")
    page.click("#choose-standard")
    page.wait_for_selector("[data-standin=number]")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.fill("#id_cardholder_name", "Alice Anders")
    page.fill("#id_address_line", "Hauptstr. 1")
    page.fill("#id_postal_code", "10115")
    page.fill("#id_city", "Berlin")
    page.fill("[data-standin=number]", "4242 4242 4242 4242")
    page.fill("[data-standin=expiry]", "12/30")
    page.fill("[data-standin=cvc]", "123")
    page.check("#id_save_card")
    page.click("#pay")
    page.wait_for_selector("#invoices [data-invoice]")
    assert "Your plan is now Standard" in page.content()
    invoice = Invoice.objects.get()
    assert invoice.status == "paid"
    assert PaymentMethod.objects.get().provider_token.startswith("pm_")

    officium = urlsplit(live_server.url).netloc
    provider = urlsplit(standin.url).netloc
    with_number = [url for url, body in sent if PAYS in body.replace(" ", "") or PAYS in url]
    assert with_number and all(urlsplit(url).netloc == provider for url in with_number)
    assert not [url for url, body in sent if urlsplit(url).netloc == officium and "4242424242" in body.replace(" ", "")]

    with page.expect_download() as download:
        page.click(f"#pdf-{invoice.number}")
    path = download.value.path()
    with open(path, "rb") as handle:
        assert handle.read(4) == b"%PDF"
    assert download.value.suggested_filename == f"invoice-{invoice.number}.pdf"
