"""The notice is rendered from the policy and says what the policy says (NO1, PU3, PU4, PU7)."""

from __future__ import annotations

import json
from collections.abc import Callable

from officium.privacy.policy import wording
from officium.privacy.policy.notice import build_notice, render_json, render_markdown
from officium.privacy.policy.schema import Policy
from officium.privacy.policy.versioning import policy_hash

LoadProfile = Callable[[str], Policy]


def _section(notice: dict[str, object], section_id: str) -> dict[str, object]:
    sections = notice["sections"]
    assert isinstance(sections, list)
    return next(s for s in sections if s["id"] == section_id)


def test_NO1_notice_rendered_from_policy(profile_name: str, load_profile: LoadProfile) -> None:
    policy = load_profile(profile_name)
    markdown = render_markdown(policy)
    document = json.loads(render_json(policy))
    assert document["profile"] == profile_name
    assert document["version"] == policy_hash(policy)
    assert markdown.startswith(f"# Privacy notice: {policy.product}")
    for category in policy.categories:
        assert category.description in markdown
    for purpose in policy.purposes:
        assert purpose.description in markdown
        assert wording.BASIS[purpose.basis_kind] in markdown
    for field in policy.signup_fields:
        assert wording.SIGNUP_FIELDS[field.key] in markdown
    for rule in policy.retention:
        assert wording.retention_period(rule) in markdown
    purposes = _section(document, "purposes")["data"]
    assert isinstance(purposes, dict)
    assert [p["id"] for p in purposes["purposes"]] == [p.id for p in policy.purposes]
    if policy.controller.privacy_email:
        assert policy.controller.privacy_email in markdown
    if policy.age is not None:
        assert f"under {policy.age.threshold}" in markdown


def test_NO1_officexlr_notice_says_it_does_not_respond_to_dnt(load_profile: LoadProfile) -> None:
    markdown = render_markdown(load_profile("officexlr"))
    assert "does not respond to Do Not Track (DNT) or Global Privacy Control (GPC)" in markdown
    honouring = render_markdown(load_profile("officeportal"))
    assert "We honour Do Not Track (DNT) and Global Privacy Control (GPC)" in honouring
    assert "does not respond" not in honouring


def test_PU3_notice_says_data_is_never_sold(profile_name: str, load_profile: LoadProfile) -> None:
    policy = load_profile(profile_name)
    section = _section(build_notice(policy), "no_sale")
    assert f"{policy.controller.name} never sells personal data" in str(section["paragraphs"])


def test_PU7_storage_countries_in_notice(load_profile: LoadProfile) -> None:
    policy = load_profile("workoptima")
    notice = build_notice(policy)
    storage = _section(notice, "storage")
    assert storage["data"] == {"countries": ["US", "CA"]}
    assert "We store and process personal data in: United States, Canada." in render_markdown(policy)
    worldwide = render_markdown(load_profile("officetrack"))
    assert "We store and process personal data in: any country." in worldwide


def test_PU4_recipients_in_notice(profile_name: str, load_profile: LoadProfile) -> None:
    policy = load_profile(profile_name)
    table = _section(build_notice(policy), "recipients")["table"]
    assert isinstance(table, dict)
    rows = {row[0]: row for row in table["rows"]}
    for recipient in policy.recipients:
        name, role, data, countries, opt_out = rows[recipient.name]
        assert role == wording.ROLES[recipient.role]
        for category in recipient.categories:
            assert policy.category(category).description in data
        assert countries == wording.places(recipient.countries)
        assert opt_out == ("yes" if recipient.opt_out_allowed else "no")


def test_PU4_officeportal_names_azure_with_its_categories(load_profile: LoadProfile) -> None:
    markdown = render_markdown(load_profile("officeportal"))
    assert "| Microsoft Azure | processes data on our behalf |" in markdown
    assert "Every disclosure to a public authority is recorded" in markdown


def test_PU5_officetools_notice_offers_opt_out(load_profile: LoadProfile) -> None:
    markdown = render_markdown(load_profile("officetools"))
    assert "you can opt out of a recipient viewing your data" in markdown
    assert "514 Commerce Avenue" in markdown


def test_RI10_officeportal_rights_for_eea_only(load_profile: LoadProfile) -> None:
    markdown = render_markdown(load_profile("officeportal"))
    assert "Who: People in the European Economic Area." in markdown
    assert "within 1 month of receiving your request" in markdown


def test_logs_and_processor_mode_statements(load_profile: LoadProfile) -> None:
    assert "IP addresses are shortened" in render_markdown(load_profile("officexlr"))
    assert "IP addresses are shortened" not in render_markdown(load_profile("workoptima"))
    assert "only on its instructions" in render_markdown(load_profile("workoptima"))
    assert "30 days after it is posted" in render_markdown(load_profile("officetrack"))
