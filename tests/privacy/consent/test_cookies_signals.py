"""CO2 (cookie consent) and CO3 (GPC and DNT)."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from officium.privacy.consent import cookies, services, signals
from officium.privacy.consent.ledger import Subject
from officium.privacy.consent.models import ConsentRecord, Method, State
from officium.privacy.policy.loader import active_policy
from officium.privacy.policy.notice import render_markdown

pytestmark = pytest.mark.django_db
NECESSARY = {"csrftoken", "sessionid", "messages", "ofc_consent"}


def set_cookies(response) -> set[str]:
    return {name for name, morsel in response.cookies.items() if morsel.value}


def test_CO2_first_visit_shows_the_banner_and_sets_only_strictly_necessary_cookies(client):
    response = client.get("/accounts/login/")
    page = response.content.decode()
    assert 'id="cookie-banner"' in page and 'value="reject"' in page
    assert 'value="accept_analytics"' in page
    assert set_cookies(response) <= NECESSARY
    assert 'id="cookie-preferences-link"' in page  # the footer link, on every page


def test_CO2_reject_without_javascript_records_the_refusal_under_a_pseudonymous_id(client):
    response = client.post("/privacy/cookies/?next=/accounts/login/", {"choice": "reject"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert set_cookies(response) <= NECESSARY and "ofc_consent" in set_cookies(response)
    request = RequestFactory().get("/")
    request.COOKIES["ofc_consent"] = response.cookies["ofc_consent"].value
    choice = cookies.read_choice(request)
    assert choice is not None and choice.allowed == frozenset()
    records = list(ConsentRecord.objects.filter(visitor_id=choice.visitor_id))
    assert {(r.scope, r.state, r.method) for r in records} == {
        ("cookie:analytics", "withdrawn", "banner"), ("cookie:third_party", "withdrawn", "banner")}
    assert all(r.subject_user_id is None for r in records)
    page = client.get("/accounts/login/")
    assert 'id="cookie-banner"' not in page.content.decode()
    assert set_cookies(page) <= NECESSARY


def test_CO2_accept_analytics_with_fetch_sets_the_analytics_cookie(client):
    response = client.post("/privacy/cookies/", {"choice": "accept_analytics"},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["accepted"] == ["analytics"]
    assert "ofc_analytics" in set_cookies(response)
    # A later choice withdrawing it deletes the cookie.
    response = client.post("/privacy/cookies/", {"choice": "reject"}, HTTP_ACCEPT="application/json")
    assert response.cookies["ofc_analytics"]["max-age"] == 0


def test_CO2_double_submit_writes_nothing_twice(client):
    client.post("/privacy/cookies/", {"choice": "accept_all"})
    client.post("/privacy/cookies/", {"choice": "accept_all"})
    assert ConsentRecord.objects.count() == 2  # analytics + third_party, once each


def test_CO2_bad_choice_is_refused_and_nothing_written(client):
    response = client.post("/privacy/cookies/", {"choice": "everything"},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "choice" in response.json()["detail"]
    response = client.post("/privacy/cookies/", {"choice": "save", "category": "preferences"},
                           HTTP_ACCEPT="application/json")  # officeportal has no preferences cookies
    assert response.status_code == 400 and "category" in response.json()["detail"]
    assert not ConsentRecord.objects.exists()
    assert "ofc_consent" not in response.cookies


def test_CO2_a_signed_in_persons_choice_goes_to_their_ledger(alice_client, alice):
    alice_client.post("/privacy/cookies/", {"choice": "accept_all"})
    assert services.cookie_choices(Subject.of(alice)) == {"analytics": True, "third_party": True}
    # Their ledger answers in another browser too: no banner, analytics cookie set.
    other = Client()
    other.force_login(alice)
    response = other.get("/privacy/consent/")
    assert 'id="cookie-banner"' not in response.content.decode()
    assert "ofc_analytics" in set_cookies(response)


def test_CO2_the_server_drops_any_unconsented_cookie():
    response = HttpResponse()
    response.set_cookie("ofc_analytics", "x")
    response.set_cookie("tracker", "y")
    response.set_cookie("csrftoken", "z")
    assert sorted(cookies.drop_unconsented(response, frozenset())) == ["ofc_analytics", "tracker"]
    assert set(response.cookies) == {"csrftoken"}
    response.set_cookie("ofc_analytics", "x")
    assert cookies.drop_unconsented(response, frozenset({"analytics"})) == []


def test_CO2_forged_choice_cookie_counts_as_no_choice(client):
    client.cookies["ofc_consent"] = "v-forged:analytics"
    response = client.get("/accounts/login/")
    assert 'id="cookie-banner"' in response.content.decode()
    assert "ofc_analytics" not in set_cookies(response)


@pytest.mark.parametrize("value, sent", [("1", True), ("1 ", False), (" 1", False), ("true", False),
                                          ("0", False), ("", False), ("11", False)])
def test_CO3_sec_gpc_parsed_exactly_per_spec(value, sent):
    request = RequestFactory().get("/", HTTP_SEC_GPC=value)
    assert signals.gpc_sent(request) is sent
    assert signals.dnt_sent(RequestFactory().get("/", HTTP_DNT=value)) is sent
    assert signals.gpc_sent(RequestFactory().get("/")) is False


def test_CO3_gpc_json_when_honoured(client):
    response = client.get("/.well-known/gpc.json")
    assert response.status_code == 200
    assert response.json() == {"gpc": True, "lastUpdate": active_policy().revised.isoformat()}


def test_CO3_officexlr_does_not_respond_and_says_so(client, alice, use_policy):
    use_policy("officexlr")
    assert client.get("/.well-known/gpc.json").json()["gpc"] is False
    notice = render_markdown(active_policy())
    assert "does not respond to Do Not Track (DNT) or Global Privacy" in notice
    services.set_cookie_choice(Subject.of(alice), ["analytics", "third_party", "preferences"])
    signed_in = Client()
    signed_in.force_login(alice)
    page = signed_in.get("/privacy/consent/", HTTP_SEC_GPC="1")
    assert not ConsentRecord.objects.filter(method=Method.GPC_SIGNAL).exists()
    assert "ofc_analytics" in set_cookies(page)  # the signal changes nothing here


def test_CO3_gpc_opts_a_signed_in_person_out_once(alice):
    services.set_cookie_choice(Subject.of(alice), ["analytics", "third_party"])
    assert services.sharing_on(Subject.of(alice))
    client = Client()
    client.force_login(alice)
    for _ in range(3):
        page = client.get("/privacy/consent/", HTTP_SEC_GPC="1")
    gpc = ConsentRecord.objects.filter(subject_user=alice, method=Method.GPC_SIGNAL)
    assert {(r.scope, r.state) for r in gpc} == {("cookie:analytics", State.WITHDRAWN),
                                                 ("cookie:third_party", State.WITHDRAWN)}
    assert gpc.count() == 2  # saved once, not on every request
    assert 'id="sharing-state">Off<' in page.content.decode()
    assert "ofc_analytics" not in set_cookies(page)


def test_CO3_gpc_and_dnt_keep_an_anonymous_visitor_to_necessary_cookies(client):
    client.post("/privacy/cookies/", {"choice": "accept_all"})
    client.cookies.pop("ofc_analytics", None)
    assert "ofc_analytics" in set_cookies(client.get("/accounts/login/"))
    client.cookies.pop("ofc_analytics", None)
    assert set_cookies(client.get("/accounts/login/", HTTP_SEC_GPC="1")) <= NECESSARY
    assert set_cookies(client.get("/accounts/login/", HTTP_DNT="1")) <= NECESSARY
    # "1 " is not a GPC signal: the accepted analytics cookie is set as usual.
    assert "ofc_analytics" in set_cookies(client.get("/accounts/login/", HTTP_SEC_GPC="1 "))
