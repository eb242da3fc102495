"""The notice pages: rendered from the policy as HTML, Markdown and JSON (NO1), listing the
recipients (PU4) and the storage countries (PU7), saying data is never sold (PU3), with the
record of processing (ROPA) built from the policy and the registry."""

from __future__ import annotations

import csv
import io
import json

import pytest

from officium.privacy.policy import build_notice, render_markdown, wording
from officium.privacy.policy.loader import PROFILES, active_policy


@pytest.fixture(params=PROFILES)
def profile(request, use_policy):
    use_policy(request.param)
    return request.param


@pytest.mark.django_db
def test_NO1_html_notice_states_every_section_of_the_policy(client, profile):
    policy = active_policy()
    response = client.get("/privacy/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="viewport"' in html  # readable on a phone
    assert f"Privacy notice: {policy.product}" in html
    for section in build_notice(policy)["sections"]:
        assert section["title"].replace("'", "&#x27;") in html
    for purpose in policy.purposes:
        assert purpose.description.replace("'", "&#x27;") in html
    assert f"Revised {policy.revised.isoformat()}" in html


@pytest.mark.django_db
def test_NO1_markdown_and_json_are_the_same_notice(client, profile):
    policy = active_policy()
    markdown = client.get("/privacy/notice.md")
    assert markdown.status_code == 200 and markdown["content-type"].startswith("text/markdown")
    assert markdown.content.decode() == render_markdown(policy)
    data = client.get("/privacy/notice.json").json()
    assert data == json.loads(json.dumps(build_notice(policy)))
    assert data["profile"] == profile


@pytest.mark.django_db
def test_PU4_every_recipient_is_listed_with_its_countries(client, profile):
    policy = active_policy()
    html = client.get("/privacy/").content.decode()
    for recipient in policy.recipients:
        assert recipient.name in html
        assert wording.places(recipient.countries) in html
    if any(r.role == "authority" for r in policy.recipients):
        assert "Every disclosure to a public authority is recorded" in html


@pytest.mark.django_db
def test_PU7_storage_countries_are_shown(client, profile):
    html = client.get("/privacy/").content.decode()
    assert f"We store and process personal data in: {wording.places(active_policy().storage_countries)}" in html


@pytest.mark.django_db
def test_PU7_workoptima_names_the_us_and_canada(client, use_policy):
    use_policy("workoptima")
    section = next(s for s in client.get("/privacy/notice.json").json()["sections"]
                   if s["id"] == "storage")
    assert sorted(section["data"]["countries"]) == ["CA", "US"]


@pytest.mark.django_db
def test_PU3_notice_says_personal_data_is_never_sold(client, profile):
    html = client.get("/privacy/").content.decode()
    assert "We never sell your data" in html
    assert "never sells personal data" in html


@pytest.mark.django_db
def test_NO1_footer_links_to_the_notice_on_every_page(client, alice_client):
    for c, path in ((client, "/accounts/login/"), (client, "/accounts/signup/"),
                    (alice_client, "/accounts/security/"), (alice_client, "/o/alpha/")):
        html = c.get(path).content.decode()
        assert 'id="privacy-notice-link"' in html and 'href="/privacy/"' in html, path


@pytest.mark.django_db
def test_ropa_csv_and_json_list_purposes_and_registered_fields(client, alice, bob):
    policy = active_policy()
    response = client.get("/privacy/ropa.csv")
    assert response.status_code == 200 and response["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    purposes = {r["purpose_id"] for r in rows if r["record"] == "purpose"}
    assert purposes == {p.id for p in policy.purposes}
    fields = {(r["model"], r["field"]): r for r in rows if r["record"] == "field"}
    assert ("accounts.User", "email") in fields
    assert ("accounts.Membership", "role") in fields
    assert "service_provision" in fields[("accounts.Membership", "role")]["purpose_id"]
    assert ("accounts.User", "username") not in fields  # officeportal does not collect it

    record = client.get("/privacy/ropa.json").json()
    assert record["profile"] == policy.profile and record["role"] == "controller"
    assert any(a["model"] == "accounts.User" and a["field"] == "phone" for a in record["activities"])


@pytest.mark.django_db
def test_ropa_is_public_and_holds_no_personal_data(client, alice, bob):
    """The ROPA is public by design: it describes processing, never a person."""
    for path in ("/privacy/ropa.csv", "/privacy/ropa.json"):
        body = client.get(path).content.decode()
        for value in (alice.email, bob.email, bob.phone, "Anders", "Berg"):
            assert value not in body, (path, value)
